import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Layout } from '../core/layout.js';
import { StorageRepository } from '../store/storage.repository.js';
import { EXAMPLE_NATIVE_CSV, tempRoot } from '../test/fixtures.js';
import { readMapping } from './campaign-mapping.js';
import { campaignsFor, parseCampaignTargets } from './campaign-targets.js';

const storage = new StorageRepository();

async function rootWith(files: Record<string, string>): Promise<Layout> {
  const layout = new Layout(await tempRoot());
  for (const [name, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(layout.root, name)), { recursive: true });
    await fs.writeFile(path.join(layout.root, name), text);
  }
  return layout;
}

const NATIVE =
  '"Ad Name","Target URL","Video Creative ID","Thumbnail Creative ID","Headline","Brand Name"\n"A_ID-00000001","https://x.test","1","2","H","B"\n';

describe('the campaign mapping', () => {
  it('takes an optional platform column: empty is TJ, the same CSV may go to a campaign on each, anything else is named', async () => {
    const layout = await rootWith({
      'elsewhere/mine.csv': NATIVE,
      'tracking/campaign_mapping.csv':
        'campaign_id,csv_filename,campaign_name,enabled,platform\n1001,elsewhere/mine.csv,On TJ,True,\n5100001,elsewhere/mine.csv,On Exo,True,ExoClick\n1001,elsewhere/mine.csv,Again,True,tj\n7,elsewhere/mine.csv,Where,True,adsterra\n',
    });
    const mapping = await readMapping(layout.campaignMappingCsv, layout, storage);
    expect(mapping.jobs.map((job) => [job.platform, job.campaignId, job.key])).toEqual([
      ['tj', '1001', '1001|elsewhere/mine.csv'],
      ['exoclick', '5100001', 'exoclick:5100001|elsewhere/mine.csv'],
    ]);
    expect(mapping.problems).toEqual([
      'line 4: repeats line 2',
      'line 5: platform is "adsterra"; use tj or exoclick (empty is tj)',
    ]);
  });

  it("reads TJ_tool's file as it is: its example batch CSV, a path from the root, enabled switches", async () => {
    const example = await fs.readFile(EXAMPLE_NATIVE_CSV, 'utf8');
    const layout = await rootWith({
      'tracking/Upload_CSV/Batch001_20251113_121321_Native.csv': example
        .replaceAll('PLACEHOLDER_URL', 'https://x.test/?c={CampaignID}')
        .replaceAll('PLACEHOLDER_BRAND', 'Brand'),
      'elsewhere/mine.csv': NATIVE,
      'tracking/campaign_mapping.csv':
        'campaign_id,csv_filename,campaign_name,enabled\n1001,Batch001_20251113_121321_Native.csv,Native A,True\n1002,elsewhere/mine.csv,Mine,\n1003,elsewhere/mine.csv,Off,False\n',
    });
    const mapping = await readMapping(layout.campaignMappingCsv, layout, storage);
    expect(mapping.problems).toEqual([]);
    expect(mapping.disabled).toBe(1);
    expect(mapping.jobs.map((job) => [job.campaignId, job.label, job.source, job.ads.kind])).toEqual([
      ['1001', 'Native A', 'tracking/Upload_CSV/Batch001_20251113_121321_Native.csv', 'native'],
      ['1002', 'Mine', 'elsewhere/mine.csv', 'native'],
    ]);
    expect(mapping.jobs[0]?.ads.rows.length).toBeGreaterThan(0);

    // As the old scripts wrote it, with placeholders: refused before they reach an ad.
    await fs.writeFile(path.join(layout.uploadCsvDir, 'Batch001_20251113_121321_Native.csv'), example);
    const held = await readMapping(layout.campaignMappingCsv, layout, storage, new Set(['1001']));
    expect(held.problems[0]).toBe(
      'line 2: Batch001_20251113_121321_Native.csv: line 2: Target URL is still a placeholder (PLACEHOLDER_URL)',
    );
  });

  it('lists every bad row with its line: a missing file, a non-numeric id, a NOT_READY file, a CSV over TJ limits, a repeat, an unknown --only', async () => {
    const long = `"Ad Name","Target URL","Video Creative ID","Thumbnail Creative ID","Headline","Brand Name"\n"${'A'.repeat(70)}","u","1","2","H","B"\n`;
    const layout = await rootWith({
      'tracking/Upload_CSV/ok.csv': NATIVE,
      'tracking/Upload_CSV/long.csv': long,
      'tracking/Upload_CSV/Batch002_20261122_101010_Native_NOT_READY.csv': NATIVE,
      'tracking/campaign_mapping.csv': [
        'campaign_id,csv_filename,campaign_name,enabled',
        '1001,ok.csv,Fine,true',
        'abc,ok.csv,Bad id,true',
        '1002,gone.csv,Missing,true',
        '1003,Batch002_20261122_101010_Native_NOT_READY.csv,Not ready,true',
        '1004,long.csv,Too long,true',
        '1001,ok.csv,Again,true',
        '1005,ok.csv,Odd switch,maybe',
      ].join('\n'),
    });
    const mapping = await readMapping(
      layout.campaignMappingCsv,
      layout,
      storage,
      new Set(['1001', 'abc', '1002', '1003', '1004', '1005', '4242']),
    );
    expect(mapping.problems).toEqual([
      'line 3: campaign_id "abc" is not a number',
      'line 4: gone.csv is not in tracking/Upload_CSV/',
      expect.stringMatching(/^line 5: Batch002_.*_NOT_READY\.csv was written with placeholder settings/),
      'line 6: long.csv: line 2: Ad Name is 70 characters; TJ takes at most 64',
      'line 7: repeats line 2',
      'line 8: enabled is "maybe"; use true or false',
      '--only 4242: no row of tracking/campaign_mapping.csv has this campaign_id',
    ]);
    expect(mapping.jobs.map((job) => job.campaignId)).toEqual(['1001']);
  });

  it('says plainly when the mapping is missing or lacks its columns', async () => {
    const layout = await rootWith({ 'other.csv': 'id,file\n1,a.csv\n' });
    await expect(readMapping(layout.campaignMappingCsv, layout, storage)).rejects.toMatchObject({
      plain: expect.stringMatching(
        /campaign_mapping\.csv does not exist.*campaign_id,csv_filename,campaign_name,enabled/,
      ),
    });
    await expect(readMapping(path.join(layout.root, 'other.csv'), layout, storage)).rejects.toMatchObject({
      plain: expect.stringMatching(/lacks the columns campaign_id, csv_filename/),
    });
  });
});

describe('the hands-off rules', () => {
  const record = (source: string, category: string) =>
    ({
      key: 'c1',
      state: 'uploaded',
      attempts: 0,
      times: {},
      source: { path: source, size: 1, mtimeMs: 1 },
      naming: {
        id: '00000001',
        review: [],
        tokens: {
          language: 'EN',
          category,
          modelSex: 'F',
          style: 'Real',
          rating: 'NSFW',
          description: 'd',
          creator: 'c',
        },
      },
    }) as never;

  it('maps a folder (and below) or a category to campaigns of its ad type', () => {
    const targets = parseCampaignTargets(
      'folder,category,campaign_id,ad_type\nnative/Promo,,1001;1002,native\n,MILF,2001,native\ninbox/preroll,,3001,preroll\n',
    );
    expect(campaignsFor(record('inbox/native/Promo/x/a.mp4', 'Teen'), 'native', targets)).toEqual(['1001', '1002']);
    expect(campaignsFor(record('inbox/native/Other/a.mp4', 'milf'), 'native', targets)).toEqual(['2001']);
    expect(campaignsFor(record('inbox/native/Promo/a.mp4', 'Teen'), 'preroll', targets)).toEqual([]);
    expect(campaignsFor(record('inbox/preroll/a.mp4', 'Teen'), 'preroll', targets)).toEqual(['3001']);
    expect(campaignsFor(record('inbox/a.mp4', 'Teen'), 'native', targets)).toEqual([]);
  });

  it('names a bad rule with its line', () => {
    expect(() =>
      parseCampaignTargets('folder,category,campaign_id,ad_type\nPromo,,1001,native\nPromo,,12x,native\n'),
    ).toThrow(/line 3: campaign_id "12x" is not one or more numbers/);
    expect(() => parseCampaignTargets('folder,category,campaign_id,ad_type\nPromo,,1001,banner\n')).toThrow(
      /line 2: ad_type "banner" is neither native nor preroll/,
    );
    expect(() => parseCampaignTargets('folder,category,campaign_id,ad_type\n,,1001,native\n')).toThrow(
      /line 2: names neither a folder nor a category/,
    );
  });
});
