import { describe, expect, it } from 'vitest';
import { rootPath } from '../core/layout.js';
import type { CreativeRecord } from '../core/record.js';
import { buildDailyReport, touchedOn } from './daily-report.js';
import { renderHtml } from './render.js';

const at = (day: string, time: string): string => new Date(`${day}T${time}`).toISOString();

function record(
  key: string,
  state: CreativeRecord['state'],
  times: CreativeRecord['times'],
  extra: Partial<CreativeRecord> = {},
): CreativeRecord {
  return {
    key,
    state,
    source: { path: rootPath(`inbox/${key}.mp4`), size: 1_000, mtimeMs: 1 },
    attempts: 0,
    times,
    ...extra,
  };
}

describe('buildDailyReport', () => {
  const day = '2026-11-20';
  const records = [
    record(
      'c1',
      'archived',
      {
        discovered: at(day, '10:00:00'),
        staged: at(day, '10:00:05'),
        uploaded: at(day, '10:01:00'),
        archived: at(day, '10:01:01'),
      },
      {
        outputs: [
          {
            role: 'creative',
            path: rootPath('archive/batch_001-2026-11-20/Image/a_ID-00000001.png'),
            bytes: 400,
            width: 1,
            height: 1,
            format: 'png',
            converted: false,
            uploads: { tj: { status: 'uploaded', creativeId: '1032600001', batch: 1, at: at(day, '10:01:00') } },
          },
        ],
        archive: { batch: 1, dir: rootPath('archive/batch_001-2026-11-20') },
      },
    ),
    record('c2', 'archived', {
      discovered: at(day, '09:00:00'),
      uploaded: at(day, '09:10:00'),
      archived: at(day, '09:10:01'),
    }),
    record(
      'c3',
      'rejected',
      { discovered: at(day, '11:00:00'), rejected: at(day, '11:00:01') },
      { reason: 'empty file' },
    ),
    record('c4', 'archived', { discovered: at('2026-11-19', '10:00:00'), uploaded: at('2026-11-19', '10:05:00') }),
  ];

  it('counts only what happened that day, and takes the waiting count as given', () => {
    expect(records.map((r) => touchedOn(day, r))).toEqual([true, true, true, false]);
    const report = buildDailyReport({
      date: day,
      records: records.filter((r) => touchedOn(day, r)),
      waiting: 7,
      reviewStatusOf: () => 'approved',
      csvsOfBatch: (batch) => [`tracking/Upload_CSV/Batch00${batch}_x_Native.csv`],
      reviewChanges: [
        { name: 'a_ID-00000001', creativeId: '1032600001', to: 'approved', at: at(day, '12:00:00') },
        { name: 'old', creativeId: '1', to: 'rejected', at: at('2026-11-19', '12:00:00') },
      ],
    });
    expect(report.counts).toEqual({
      received: 3,
      staged: 1,
      uploaded: 2,
      duplicates: 0,
      rejected: 1,
      knownFakes: 0,
      failed: 0,
      waiting: 7,
    });
    expect(report.rejected).toEqual([{ file: 'inbox/c3.mp4', reason: 'empty file' }]);
    expect(report.dropToUpload).toEqual({ median: 60, worst: 600 });
    expect(report.bytesSaved).toBe(600);
    expect(report.reviewStatuses).toEqual({ approved: 1 });
    expect(report.batches).toEqual([
      { batch: 1, dir: 'archive/batch_001-2026-11-20', csvs: ['tracking/Upload_CSV/Batch001_x_Native.csv'] },
    ]);
    expect(report.reviewChanges.map((change) => change.creativeId)).toEqual(['1032600001']);
  });

  it('lists the native pairs cropped hard that day, and what each platform took', () => {
    const portrait = record(
      'c9',
      'staged',
      { discovered: at(day, '08:00:00'), converted: at(day, '08:00:09') },
      {
        naming: {
          id: '00000009',
          tokens: {
            language: 'EN',
            category: 'C',
            modelSex: 'F',
            style: 'Real',
            rating: 'SFW',
            description: 'tall',
            creator: 'X',
          },
          review: ['creator missing', 'cropped: kept 32% of the 720×1280 frame'],
        },
      },
    );
    const report = buildDailyReport({
      date: day,
      records: [portrait, records[0] as CreativeRecord],
      waiting: 1,
      reviewStatusOf: () => undefined,
      csvsOfBatch: () => [],
      platforms: [{ platform: 'tj' }, { platform: 'exoclick' }],
    });
    expect(report.cropped).toEqual([{ file: 'inbox/c9.mp4', reason: 'cropped: kept 32% of the 720×1280 frame' }]);
    expect(report.sentTo).toEqual({ TJ: 1, ExoClick: 0 });
  });

  it('in a dry run, says that is why files wait, and says nothing of campaign CSVs it never wrote', () => {
    const report = buildDailyReport({
      date: day,
      records: [],
      waiting: 2,
      reviewStatusOf: () => undefined,
      csvsOfBatch: () => [],
      notReady: { missing: ['CAMPAIGN_TARGET_URL'], files: [] },
      dryRun: true,
    });
    expect(report.attention).toEqual([
      '2 creatives wait because this is a dry run: nothing is sent until creative-flow runs with --live (or DRY_RUN=false).',
    ]);
    expect(renderHtml(report, new Map())).toContain('<span>known fakes</span>');
  });

  it('counts a review status the library does not know as unknown, not pending', () => {
    const report = buildDailyReport({
      date: day,
      records: [records[0] as CreativeRecord],
      waiting: 0,
      reviewStatusOf: () => undefined,
      csvsOfBatch: () => [],
    });
    expect(report.reviewStatuses).toEqual({ unknown: 1 });
    expect(report.creatives[0]?.reviewStatus).toBe('unknown');
  });

  it('says which campaign settings hold placeholders, and how many CSVs wait for them', () => {
    const report = buildDailyReport({
      date: day,
      records: [],
      waiting: 0,
      reviewStatusOf: () => undefined,
      csvsOfBatch: () => [],
      notReady: { missing: ['CAMPAIGN_TARGET_URL', 'CAMPAIGN_BRAND'], files: ['a', 'b'] },
    });
    expect(report.attention).toEqual([
      expect.stringMatching(
        /^2 campaign CSVs are written as _NOT_READY.*set CAMPAIGN_TARGET_URL, CAMPAIGN_BRAND in \.env/,
      ),
    ]);
  });

  it('escapes every value on the HTML page, review statuses read from TJ included', () => {
    const attack = '<img src=x onerror=alert(1)>';
    const report = buildDailyReport({
      date: day,
      records: [
        record(
          'x1',
          'rejected',
          { discovered: at(day, '10:00:00'), rejected: at(day, '10:00:01') },
          { reason: `bad ${attack}` },
        ),
      ],
      waiting: 0,
      reviewStatusOf: () => attack,
      csvsOfBatch: () => [],
      reviewChanges: [{ name: `<script>alert(2)</script>`, creativeId: '1', to: attack, at: at(day, '12:00:00') }],
    });
    const html = renderHtml(
      {
        ...report,
        creatives: report.creatives.map((creative) => ({ ...creative, name: attack, reviewStatus: attack })),
      },
      new Map(),
    );
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toMatch(/^<!doctype html>/);
  });
});
