import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rootPath } from '../core/layout.js';
import type { CreativeRecord } from '../core/record.js';
import { CreativeRepository } from '../store/creative.repository.js';
import { StorageRepository } from '../store/storage.repository.js';
import { tempRoot } from '../test/fixtures.js';
import { credentialsFingerprint } from '../platform/connection.js';
import { formatStatus, statusReport } from './status-report.js';

const storage = new StorageRepository();
const day = (n: number): string => new Date(Date.UTC(2026, 10, 1 + n, 12)).toISOString();

/** 12 creatives in 6 segments: on TJ, on both, failed, refused, to review, a fake. */
function record(n: number): Omit<CreativeRecord, 'key'> {
  const at = day(n);
  const base: Omit<CreativeRecord, 'key'> = {
    state: 'staged',
    source: { path: rootPath(`inbox/file-${n}.png`), size: n + 1, mtimeMs: 1 },
    attempts: 0,
    times: { discovered: at, staged: at },
  };
  const sent = (platforms: ('tj' | 'exoclick')[]): CreativeRecord['outputs'] => [
    {
      role: 'creative',
      path: rootPath(`archive/b/x_ID-0000000${n}.png`),
      bytes: 1,
      width: 1,
      height: 1,
      format: 'png',
      converted: true,
      uploads: Object.fromEntries(
        platforms.map((platform) => [platform, { status: 'uploaded', creativeId: `1${n}`, batch: 1, at }]),
      ),
    },
  ];
  if (n % 3 === 0)
    return {
      ...base,
      state: 'archived',
      outputs: sent(n === 0 ? ['tj', 'exoclick'] : ['tj']),
      times: { ...base.times, archived: at },
    };
  if (n === 1 || n === 4 || n === 10)
    return { ...base, state: 'failed', reason: `failure ${n}`, times: { ...base.times, failed: at } };
  if (n === 7)
    return { ...base, state: 'rejected', reason: 'refused', knownFake: true, times: { ...base.times, rejected: at } };
  if (n === 8)
    return { ...base, state: 'duplicate', reason: 'same bytes as file-2', times: { ...base.times, duplicate: at } };
  return {
    ...base,
    naming: {
      id: `0000000${n}`,
      tokens: {
        language: 'EN',
        category: 'UNK',
        modelSex: 'F',
        style: 'Real',
        rating: 'NSFW',
        description: 'D',
        creator: 'X',
      },
      review: ['category'],
    },
  };
}

describe('statusReport', () => {
  it('counts from the summaries, and reads only the newest segments with problems', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const writer = await CreativeRepository.open(dir, storage, { segmentSize: 2 });
    for (let n = 0; n < 12; n += 1) writer.create(record(n));
    await writer.close();
    const creatives = await CreativeRepository.open(dir, storage, { segmentSize: 2 });
    const read: number[] = [];
    const counting = {
      index: creatives.index,
      segmentDigests: () => creatives.segmentDigests(),
      segmentRecords: (number: number) => (read.push(number), creatives.segmentRecords(number)),
    };

    const report = await statusReport(
      counting,
      [
        { platform: 'tj', waiting: undefined },
        { platform: 'exoclick', waiting: undefined },
      ],
      [],
      2,
    );

    expect(report.total).toBe(12);
    expect(report.platforms.map((platform) => [platform.platform, platform.creatives])).toEqual([
      ['tj', 4],
      ['exoclick', 1],
    ]);
    expect(report.needsReview).toBe(3);
    expect(report.knownFakes).toBe(1);
    expect(report.lastProblems.map((problem) => problem.reason)).toEqual(['failure 10', 'refused']);
    // Segment 5 holds failure 10, segment 3 the refusal; segment 2's newest time is older than both, so it and 0 are not read.
    expect(read).toEqual([5, 3]);
  });

  it('shows a refused password without any hash of it, and errors without the credentials they quote, as text and as JSON', async () => {
    const dir = path.join(await tempRoot(), 'db');
    const creatives = await CreativeRepository.open(dir, storage);
    creatives.create({ ...record(1), reason: 'GET https://cdn.test/f?access_token=reason-secret failed' });
    const fingerprint = credentialsFingerprint('demo', 'hunter2');
    const waiting = {
      state: 'password-refused',
      since: day(2),
      message: 'TJ refused the password; it sent Set-Cookie: sid=cookie-secret',
      credentials: fingerprint,
    } as const;
    const report = await statusReport(creatives, [{ platform: 'tj', waiting }]);
    await creatives.close();
    for (const shown of [JSON.stringify(report, null, 2), formatStatus(report)]) {
      for (const secret of [fingerprint, 'cookie-secret', 'reason-secret']) expect(shown, secret).not.toContain(secret);
      expect(shown).toContain('Set-Cookie: [redacted]');
    }
    expect(report.platforms[0]?.waiting).toEqual({
      state: 'password-refused',
      since: day(2),
      message: 'TJ refused the password; it sent Set-Cookie: [redacted]',
    });
  });
});
