import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE } from '../config/campaign-template.js';
import { LIMITS, NATIVE_HEADER } from '../core/campaign-format.js';
import { fitAdName, nativeRows, renderCampaignCsvs } from './campaign-csv.js';

const tokens = { category: 'Cumshot', description: 'Generic', creator: 'Seras' };

describe('campaign CSVs', () => {
  it('writes the native header and rows as TJ_tool does, macros kept verbatim', () => {
    const template = {
      ...DEFAULT_TEMPLATE,
      targetUrl: 'https://x.test/?sub1={CampaignID}&sub7={BanID}&sub11=CAMPAIGN_NAME',
    };
    const [file] = renderCampaignCsvs(
      NATIVE_HEADER,
      nativeRows(
        [
          {
            name: 'VID_EN_Cumshot_NSFW_Generic_Seras_4sec_ID-6BCC9A21-VID',
            videoId: '1032530361',
            thumbnailId: '1032382001',
            tokens,
          },
        ],
        template,
      ),
      true,
    );
    expect(file?.split('\n')[0]).toBe(
      '"Ad Name","Target URL","Video Creative ID","Thumbnail Creative ID","Headline","Brand Name"',
    );
    expect(parse(file ?? '', { columns: true })).toEqual([
      {
        'Ad Name': 'VID_EN_Cumshot_NSFW_Generic_Seras_4sec_ID-6BCC9A21-VID',
        'Target URL': 'https://x.test/?sub1={CampaignID}&sub7={BanID}&sub11=CAMPAIGN_NAME',
        'Video Creative ID': '1032530361',
        'Thumbnail Creative ID': '1032382001',
        Headline: 'Cumshot',
        'Brand Name': 'PLACEHOLDER_BRAND',
      },
    ]);
  });

  it('shortens ad names to 64 characters keeping the ID suffix, and cuts headline and brand', () => {
    const long = `VID_EN_${'VeryLongCategory'.repeat(4)}_F_Real_NSFW_Generic_Seras_4sec_ID-6BCC9A21-VID`;
    expect(fitAdName(long)).toHaveLength(64);
    expect(fitAdName(long).endsWith('_ID-6BCC9A21-VID')).toBe(true);
    const [row] = nativeRows(
      [{ name: long, videoId: '1', thumbnailId: '2', tokens: { ...tokens, category: 'x'.repeat(100) } }],
      { ...DEFAULT_TEMPLATE, brand: 'b'.repeat(40) },
    );
    expect(row?.[4]).toHaveLength(LIMITS.headline);
    expect(row?.[5]).toHaveLength(LIMITS.brand);
  });

  it('shortens the description, then the creator, and keeps the seconds, the test id, the ID and every separator whole', () => {
    const name = 'VID_EN_Promo_F_Real_NSFW_spring-hero-campaign_Bars_3sec_T-AB1_ID-A9D25064-VID';
    const fitted = fitAdName(name);
    expect(fitted).toHaveLength(64);
    expect(fitted).toMatch(/^VID_EN_Promo_F_Real_NSFW_spring-[a-z-]*_Bars_3sec_T-AB1_ID-A9D25064-VID$/);
    const longer = 'VID_EN_Promo_F_Real_NSFW_spring-hero-campaign_VeryLongCreatorName_12sec_T-AB1_ID-A9D25064-VID';
    expect(fitAdName(longer)).toMatch(/^VID_EN_Promo_F_Real_NSFW_s_VeryLong[A-Za-z]*_12sec_T-AB1_ID-A9D25064-VID$/);
    expect(fitAdName(longer)).toHaveLength(64);
    // The neighbour the old cut left with an empty token keeps its creator.
    expect(fitAdName('VID_EN_Promo_F_Real_NSFW_spring-hero-campaign-two_Bars_3sec_ID-BEEFBDD7-VID')).not.toMatch(/__/);
  });

  it('splits past 50 rows', () => {
    const ads = Array.from({ length: 120 }, (_, n) => ({
      name: `VID_x_ID-${String(n).padStart(8, '0')}-VID`,
      videoId: String(n),
      thumbnailId: String(n),
      tokens,
    }));
    const files = renderCampaignCsvs(NATIVE_HEADER, nativeRows(ads, DEFAULT_TEMPLATE), true);
    expect(files.map((file) => parse(file, { columns: true }).length)).toEqual([50, 50, 20]);
    expect(files.every((file) => Buffer.byteLength(file) < LIMITS.bytes)).toBe(true);
  });
});
