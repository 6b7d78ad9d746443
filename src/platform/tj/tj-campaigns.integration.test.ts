import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Layout } from '../../core/layout.js';
import { createLogger } from '../../core/logger.js';
import type { AdsRequest } from '../../core/platform.js';
import { openMedia } from '../../media/ffmpeg-binaries.js';
import { StorageRepository } from '../../store/storage.repository.js';
import { tempRoot } from '../../test/fixtures.js';
import { NATIVE_HEADER, PREROLL_HEADER } from '../../core/campaign-format.js';
import { DEFAULT_SIMULATOR_OPTIONS } from '../../simulators/tj/options.js';
import { startSimulator, type RunningSimulator, type SimState } from '../../simulators/tj/server.js';
import { TjUploader } from './tj-uploader.js';

const log = createLogger({ level: 'silent', pretty: false });

function nativeAd(name: string, video: string, thumbnail: string): Record<string, string> {
  return {
    'Ad Name': name,
    'Target URL': 'https://example.com/?c={CampaignID}&sub11=CAMPAIGN_NAME',
    'Video Creative ID': video,
    'Thumbnail Creative ID': thumbnail,
    Headline: 'Hot',
    'Brand Name': 'Brand',
  };
}

async function campaignsOf(sim: RunningSimulator): Promise<SimState['campaigns']> {
  return ((await (await fetch(`${sim.url}/_sim/state`)).json()) as SimState).campaigns;
}

describe('TjCampaigns against the simulator (real Chromium)', () => {
  let sim: RunningSimulator;
  let uploader: TjUploader;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    sim = await startSimulator(
      {
        ...DEFAULT_SIMULATOR_OPTIONS,
        port: 0,
        noCaptcha: true,
        gridDelayMs: 50,
        sessionCheckMs: 100,
        leftoverModal: true,
        campaigns: [
          { id: '1001', name: 'Native Test', type: 'native' },
          { id: '1002', name: 'Preroll Test', type: 'preroll' },
        ],
      },
      openMedia(),
    );
    const add = (key: string, tab: 'native' | 'in_stream_video', nativeType: 0 | 1): void => {
      ids[key] = sim.library.add({
        name: key,
        fileType: '.mp4',
        dimensions: '640x360',
        tab,
        nativeType,
        sha256: key,
        uploadDate: '2026-11-01',
      }).id;
    };
    for (const n of [1, 2, 3]) {
      add(`vid${n}`, 'native', 1);
      add(`img${n}`, 'native', 0);
    }
    add('pre1', 'in_stream_video', 0);
    const root = await tempRoot();
    uploader = await TjUploader.open(
      {
        loginUrl: `${sim.url}/sign-in`,
        appUrl: sim.url,
        username: 'demo',
        password: 'demo-password',
        chromiumPath: undefined,
      },
      { layout: new Layout(root), storage: new StorageRepository(), log },
    );
  });
  afterAll(async () => {
    await uploader.close();
    await sim.close();
  });

  it('creates the valid ads through the preview and the confirm, drops the one TJ calls not valid, and tells them apart by name', async () => {
    const ads: AdsRequest = {
      kind: 'native',
      header: NATIVE_HEADER,
      rows: [
        nativeAd('Ad_one_ID-00000001', ids.vid1 ?? '', ids.img1 ?? ''),
        nativeAd('Ad_bad_ID-00000002', ids.pre1 ?? '', ids.img2 ?? ''),
        nativeAd('Ad_three_ID-00000003', ids.vid3 ?? '', ids.img3 ?? ''),
      ],
    };
    const outcome = await uploader.createAds('1001', ads);
    expect(outcome.campaignName).toBe('Native Test');
    expect(outcome.created).toEqual(['Ad_one_ID-00000001', 'Ad_three_ID-00000003']);
    expect(outcome.refused).toEqual([
      { adName: 'Ad_bad_ID-00000002', reason: expect.stringContaining(ids.pre1 ?? 'x') },
    ]);
    expect(outcome.invalidIds).toEqual([ids.pre1]);
    expect(outcome.missing).toEqual([]);
    const campaign = (await campaignsOf(sim)).find((each) => each.id === '1001');
    expect(campaign?.ads.map((ad) => [ad.name, ad.created])).toEqual([
      ['Ad_one_ID-00000001', 1],
      ['Ad_three_ID-00000003', 1],
    ]);
    // TJ_tool's CAMPAIGN_NAME becomes the campaign's name; TJ's macros stay as they are.
    expect(campaign?.ads[0]?.targetUrl).toBe('https://example.com/?c={CampaignID}&sub11=Native%20Test');
  });

  it('sends nothing again that the table already shows, whatever a count would say', async () => {
    const rows = [
      nativeAd('Ad_one_ID-00000001', ids.vid1 ?? '', ids.img1 ?? ''),
      nativeAd('Ad_two_ID-00000004', ids.vid2 ?? '', ids.img2 ?? ''),
    ];
    const outcome = await uploader.createAds('1001', { kind: 'native', header: NATIVE_HEADER, rows });
    expect(outcome.alreadyThere).toEqual(['Ad_one_ID-00000001']);
    expect(outcome.created).toEqual(['Ad_two_ID-00000004']);
    const campaign = (await campaignsOf(sim)).find((each) => each.id === '1001');
    expect(campaign?.ads.map((ad) => ad.created)).toEqual([1, 1, 1]);
  });

  it('reads a table longer than one page of 100', async () => {
    const rows = Array.from({ length: 50 }, (_, i) =>
      nativeAd(`Bulk_${i}_ID-${String(i).padStart(8, '0')}`, ids.vid3 ?? '', ids.img3 ?? ''),
    );
    expect(
      (await uploader.createAds('1001', { kind: 'native', header: NATIVE_HEADER, rows: rows.slice(0, 50) })).created,
    ).toHaveLength(50);
    const more = Array.from({ length: 50 }, (_, i) =>
      nativeAd(`More_${i}_ID-${String(i).padStart(8, '0')}`, ids.vid2 ?? '', ids.img2 ?? ''),
    );
    expect(
      (await uploader.createAds('1001', { kind: 'native', header: NATIVE_HEADER, rows: more })).created,
    ).toHaveLength(50);
    // 103 ads now: the first of the bulk sits on the second page of 100, and is still seen.
    const again = await uploader.createAds('1001', {
      kind: 'native',
      header: NATIVE_HEADER,
      rows: [rows[0] ?? {}, more[49] ?? {}],
    });
    expect(again.alreadyThere).toHaveLength(2);
    expect((await campaignsOf(sim)).find((each) => each.id === '1001')?.ads.every((ad) => ad.created === 1)).toBe(true);
  });

  it('reports the ads of a create answered with a 5xx as missing, with what TJ showed', async () => {
    sim.configure({ createErrorRate: 1 });
    try {
      const outcome = await uploader.createAds('1002', {
        kind: 'preroll',
        header: PREROLL_HEADER,
        rows: [
          {
            'Ad Name': 'Pre_ID-00000009',
            'Target URL': 'https://example.com',
            'Creative ID': ids.pre1 ?? '',
            'Custom CTA Text': 'Go',
            'Custom CTA URL': 'https://example.com',
          },
        ],
      });
      expect(outcome.created).toEqual([]);
      expect(outcome.missing).toEqual([{ adName: 'Pre_ID-00000009', reason: expect.stringContaining('500') }]);
      expect((await campaignsOf(sim)).find((each) => each.id === '1002')?.ads).toEqual([]);
    } finally {
      sim.configure({ createErrorRate: 0 });
    }
  });
});

describe('TjCampaigns with the length control as a select2 widget', () => {
  it('sets 100 through the widget and reads every row', async () => {
    const sim = await startSimulator(
      {
        ...DEFAULT_SIMULATOR_OPTIONS,
        port: 0,
        noCaptcha: true,
        gridDelayMs: 50,
        sessionCheckMs: 100,
        lengthWidget: true,
        campaigns: [{ id: '7', name: 'Widget', type: 'native' }],
      },
      openMedia(),
    );
    const video = sim.library.add({
      name: 'v',
      fileType: '.mp4',
      dimensions: '640x360',
      tab: 'native',
      nativeType: 1,
      sha256: 'v',
      uploadDate: '2026-11-01',
    }).id;
    const image = sim.library.add({
      name: 'i',
      fileType: '.png',
      dimensions: '640x360',
      tab: 'native',
      nativeType: 0,
      sha256: 'i',
      uploadDate: '2026-11-01',
    }).id;
    const uploader = await TjUploader.open(
      {
        loginUrl: `${sim.url}/sign-in`,
        appUrl: sim.url,
        username: 'demo',
        password: 'demo-password',
        chromiumPath: undefined,
      },
      { layout: new Layout(await tempRoot()), storage: new StorageRepository(), log },
    );
    try {
      const rows = Array.from({ length: 30 }, (_, i) =>
        nativeAd(`W_${i}_ID-${String(i).padStart(8, '0')}`, video, image),
      );
      expect((await uploader.createAds('7', { kind: 'native', header: NATIVE_HEADER, rows })).created).toHaveLength(30);
      // At 10 a row, the last ad would be on page 3; at 100 it is on the first page, and seen there.
      const again = await uploader.createAds('7', { kind: 'native', header: NATIVE_HEADER, rows: [rows[29] ?? {}] });
      expect(again.alreadyThere).toEqual(['W_29_ID-00000029']);
      const [campaign] = await campaignsOf(sim);
      expect(campaign?.ads.every((ad) => ad.created === 1)).toBe(true);
      // Every read after the first draw was at 100 a page: the widget took the choice.
      expect(Object.keys(campaign?.tableReads ?? {})).toEqual(['10', '100']);
      expect(campaign?.tableReads['10']).toBe(3);
    } finally {
      await uploader.close();
      await sim.close();
    }
  });
});
