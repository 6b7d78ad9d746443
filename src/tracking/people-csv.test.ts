import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { renderResultsCsv } from '../campaigns/results-csv.js';
import { campaignJob } from '../campaigns/campaign-job.js';
import { DEFAULT_TEMPLATE } from '../config/campaign-template.js';
import { Layout, rootPath } from '../core/layout.js';
import { createLogger } from '../core/logger.js';
import { NATIVE_HEADER } from '../core/campaign-format.js';
import { CreativeRepository } from '../store/creative.repository.js';
import { LibraryRepository } from '../store/library.repository.js';
import { StorageRepository } from '../store/storage.repository.js';
import { tempRoot } from '../test/fixtures.js';
import { nativeRows, renderCampaignCsvs } from './campaign-csv.js';
import { importLibraryCsv, writeLibraryCsv } from './library-csv.js';
import { TrackingService } from './tracking.service.js';
import { PLATFORMS } from '../platform/registry.js';

const storage = new StorageRepository();
const log = createLogger({ level: 'silent', pretty: false });
/** What a spreadsheet runs: a link that sends the sheet's cells away, a command. */
const FORMULA = '=HYPERLINK("evil.test","open")';

describe('CSVs people open', () => {
  it('neutralises a formula-like name in TJ_Creative_Library.csv, and the library read back from it has the name as it was', async () => {
    const root = await tempRoot();
    const library = await LibraryRepository.open(path.join(root, 'library.json'), storage);
    library.set(FORMULA, {
      creativeId: '1001',
      dimensions: '640x360',
      fileType: '.mp4',
      reviewStatus: 'approved',
      creativeType: 'Native Rollover',
      uploadDate: '2026-01-02',
    });
    library.set('VID_EN_plain', {
      creativeId: '1000',
      dimensions: '640x360',
      fileType: '.mp4',
      reviewStatus: 'pending',
      creativeType: 'Native Rollover',
      uploadDate: '2026-01-01',
    });
    let csv = '';
    await writeLibraryCsv(library, async (chunk) => void (csv += chunk));
    expect(csv.split('\n')[1]).toBe(
      `1001,"'${FORMULA.replaceAll('"', '""')}",2026-01-02,640x360,mp4,Native Rollover,approved`,
    );
    expect(csv.split('\n')[2]).toBe('1000,VID_EN_plain,2026-01-01,640x360,mp4,Native Rollover,pending');

    const file = path.join(root, 'TJ_Creative_Library.csv');
    await storage.writeFileAtomic(file, csv);
    const fresh = await LibraryRepository.open(path.join(root, 'fresh.json'), storage);
    expect(await importLibraryCsv(file, fresh, storage)).toBe(2);
    expect(fresh.get(FORMULA)?.creativeId).toBe('1001');
    expect(fresh.nameOf('1001')).toBe(FORMULA);
  });

  it("neutralises file names and platforms' messages in upload_status_*.csv", async () => {
    const root = await tempRoot();
    const layout = new Layout(root);
    const creatives = await CreativeRepository.open(layout.db, storage);
    const library = await LibraryRepository.open(PLATFORMS.tj.libraryCacheFile(layout), storage);
    const tracking = new TrackingService({ layout, storage, creatives, library, template: DEFAULT_TEMPLATE, log });
    const file = await tracking.writeUploadStatus([
      {
        key: 'c9',
        path: rootPath(`uploaded/Image/${FORMULA}.png`),
        platform: 'tj',
        target: 'static-banner',
        status: 'failed',
        message: '-1 file refused',
        retries: 0,
        at: '2026-01-02T10:00:00.000Z',
      },
    ]);
    const [row] = parse<Record<string, string>>((await storage.readText(file)) ?? '', { columns: true, bom: true });
    expect([row?.file_name, row?.file_path, row?.error_message, row?.platform]).toEqual([
      `'${FORMULA}.png`,
      `uploaded/Image/${FORMULA}.png`,
      "'-1 file refused",
      'TrafficJunky',
    ]);
  });

  it('neutralises campaign and ad names in results_*.csv', () => {
    const rows = [
      {
        'Ad Name': '@ad',
        'Target URL': 'https://x.test',
        'Video Creative ID': '11',
        'Thumbnail Creative ID': '12',
        Headline: 'H',
        'Brand Name': 'B',
      },
    ];
    const job = campaignJob('1001', '+Campaign', 'tracking/Upload_CSV/Batch001.csv', {
      kind: 'native',
      header: [...NATIVE_HEADER],
      rows,
      problems: [],
    });
    const [row] = parse<Record<string, string>>(renderResultsCsv([{ job, result: 'skipped', reason: '=1+1' }]), {
      columns: true,
      bom: true,
    });
    expect([row?.campaign_id, row?.campaign_name, row?.ad_name, row?.reason]).toEqual([
      '1001',
      "'+Campaign",
      "'@ad",
      "'=1+1",
    ]);
  });

  it("keeps every value of TJ's campaign CSVs as written: TJ reads them, a quote would land in the ad", () => {
    const [file] = renderCampaignCsvs(
      NATIVE_HEADER,
      nativeRows(
        [
          {
            name: '-VID_x_ID-1-VID',
            videoId: '1',
            thumbnailId: '2',
            tokens: { category: '=Cat', description: 'D', creator: 'C' },
          },
        ],
        { ...DEFAULT_TEMPLATE, headline: '%category%' },
      ),
      true,
    );
    const [row] = parse<Record<string, string>>(file ?? '', { columns: true });
    expect([row?.['Ad Name'], row?.Headline]).toEqual(['-VID_x_ID-1-VID', '=Cat']);
  });
});
