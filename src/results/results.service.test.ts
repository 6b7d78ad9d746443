import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Layout } from '../core/layout.js';
import { createLogger } from '../core/logger.js';
import type { PlatformId } from '../core/platform.js';
import type { CreativeRecord } from '../core/record.js';
import {
  ResultsKeyRefusedError,
  type CreativeIds,
  type ResultsFetch,
  type ResultsSource,
} from '../platform/results-source.js';
import { CreativeRepository } from '../store/creative.repository.js';
import { ResultsRepository } from '../store/results.repository.js';
import { StorageRepository } from '../store/storage.repository.js';
import { tempRoot } from '../test/fixtures.js';
import { reportingDay } from './days.js';
import { ResultsStatusFile } from './results-status.js';
import { ResultsService } from './results.service.js';
import { DEFAULT_VERDICT_SETTINGS } from './verdicts.js';

/**
 * A reporting API reduced to what the service asks of it: the days asked are counted, and each
 * creative it knows gets fixed figures a day. The clients themselves are tested against the
 * simulators; this is the service's edge.
 */
class Reports implements ResultsSource {
  asked: string[][] = [];
  fail: Error | undefined;
  constructor(
    readonly platform: PlatformId,
    private readonly perDay: Readonly<
      Record<string, { impressions: number; clicks: number; conversions: number; cost: number }>
    >,
  ) {}
  async fetchDays(days: readonly string[], ids: CreativeIds): Promise<ResultsFetch> {
    this.asked.push([...days]);
    if (this.fail) throw this.fail;
    const rows = days.flatMap((day) =>
      Object.entries(this.perDay)
        .filter(([uniqueId]) => ids.isOurs(uniqueId))
        .map(([uniqueId, figures]) => ({ uniqueId, day, ...figures })),
    );
    return {
      rows,
      notOurs: days.map((day) => ({ day, items: 1, impressions: 5, clicks: 0, conversions: 0, cost: 0.05 })),
    };
  }
}

async function setUp(
  sources: readonly Reports[],
): Promise<{ service: ResultsService; layout: Layout; storage: StorageRepository }> {
  const layout = new Layout(await tempRoot());
  const storage = new StorageRepository();
  const creatives = await CreativeRepository.open(layout.db, storage);
  for (const [n, id] of ['A0000001', 'B0000002'].entries()) {
    const record: Omit<CreativeRecord, 'key'> = {
      state: 'uploaded',
      source: { path: layout.rel(path.join(layout.inbox, `${n}.png`)), size: 1, mtimeMs: 1 },
      attempts: 0,
      times: {},
      kind: 'image',
      naming: {
        id,
        tokens: {
          language: 'EN',
          category: 'C',
          modelSex: 'F',
          style: 'Real',
          rating: 'NSFW',
          description: 'D',
          creator: 'X',
          testId: 'AB1',
        },
        review: [],
      },
      outputs: [
        {
          role: 'creative',
          path: layout.rel(path.join(layout.uploaded, 'Image', `EN_C_F_Real_NSFW_D_X_T-AB1_ID-${id}.png`)),
          format: 'png',
          converted: false,
          bytes: 1,
          width: 300,
          height: 250,
        },
      ],
    };
    await creatives.commit(creatives.create(record));
  }
  const results = new ResultsRepository(layout.resultsDir, storage);
  const service = new ResultsService(
    {
      results,
      status: new ResultsStatusFile(layout.resultsStatusFile, storage),
      creatives,
      writeCsv: async () => undefined,
      log: createLogger({ level: 'silent', pretty: false }),
    },
    sources.map((source) => ({ platform: source.platform, source, keyFingerprint: 'key-1' })),
    { windowDays: 3, lookbackDays: 10, verdicts: DEFAULT_VERDICT_SETTINGS },
  );
  return { service, layout, storage };
}

describe('ResultsService', () => {
  it('fetches the lookback once, then only the restating window, and sums both platforms per creative to the cent', async () => {
    const tj = new Reports('tj', {
      'ID-A0000001': { impressions: 1_000, clicks: 20, conversions: 4, cost: 1.11 },
      'ID-B0000002': { impressions: 1_000, clicks: 10, conversions: 1, cost: 2.22 },
      'ID-FFFFFFFF': { impressions: 9, clicks: 9, conversions: 9, cost: 9 },
    });
    const exo = new Reports('exoclick', { 'ID-A0000001': { impressions: 500, clicks: 5, conversions: 1, cost: 0.33 } });
    const { service } = await setUp([tj, exo]);
    const now = new Date();
    await service.fetch(now);
    await service.fetch(now);
    expect(tj.asked.map((days) => days.length)).toEqual([10, 3]);
    expect(tj.asked[1]).toEqual(tj.asked[0]?.slice(-3));
    const today = reportingDay(now);
    const table = await service.table(tj.asked[0]?.[0] ?? today, today);
    const a = table.creatives.find((creative) => creative.unique_id === 'ID-A0000001');
    // Ten days of 1.11 on TJ and 0.33 on ExoClick: float sums would drift off the cent.
    expect(a).toMatchObject({
      impressions: 15_000,
      conversions: 50,
      cost: 14.4,
      test_id: 'AB1',
      platforms: { tj: { cost: 11.1 }, exoclick: { cost: 3.3 } },
    });
    expect(table.creatives.map((creative) => creative.unique_id)).toEqual(['ID-A0000001', 'ID-B0000002']);
    expect(table.tests).toEqual([expect.objectContaining({ test_id: 'AB1', best: 'ID-A0000001', conversions: 60 })]);
    expect(table.not_ours.tj).toMatchObject({ items: 1, impressions: 50, cost: 0.5 });
  });

  it('keeps the last good figures when a fetch fails, says a refused key once and does not ask with it again', async () => {
    const tj = new Reports('tj', { 'ID-A0000001': { impressions: 1_000, clicks: 20, conversions: 4, cost: 2 } });
    const { service } = await setUp([tj]);
    const now = new Date();
    await service.fetch(now);
    const today = reportingDay(now);
    const before = await service.table(today, today);
    tj.fail = new Error('socket hang up');
    expect(await service.fetch(now)).toEqual([
      expect.objectContaining({
        days: 0,
        skipped: expect.stringMatching(/could not be fetched \(socket hang up\); the last figures fetched stay/),
      }),
    ]);
    expect(await service.table(today, today)).toEqual(before);
    tj.fail = new ResultsKeyRefusedError('tj', '401 Unauthorized');
    await service.fetch(now);
    const asked = tj.asked.length;
    expect(await service.fetch(now)).toEqual([
      expect.objectContaining({ days: 0, skipped: expect.stringMatching(/refused this key/) }),
    ]);
    expect(tj.asked).toHaveLength(asked);
    expect((await service.statusLines()).join('\n')).toMatch(/TJ results: waiting for a new key/);
  });
});
