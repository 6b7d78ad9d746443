import { describe, expect, it } from 'vitest';
import { rootPath } from '../core/layout.js';
import type { CreativeRecord, OutputFile, PlatformUploads } from '../core/record.js';
import { settledState } from './settle.js';

const BOTH = ['tj', 'exoclick'] as const;

function record(...uploads: PlatformUploads[]): CreativeRecord {
  const outputs: OutputFile[] = [
    {
      role: 'original',
      path: rootPath('uploaded/Native/Video/ORG_a.mp4'),
      bytes: 1,
      width: 1,
      height: 1,
      format: 'mp4',
      converted: false,
    },
    ...uploads.map((each, i): OutputFile => ({
      role: i === 0 ? 'video' : 'image',
      path: rootPath(`uploaded/Native/x${i}.mp4`),
      bytes: 1,
      width: 1,
      height: 1,
      format: 'mp4',
      converted: true,
      uploads: each,
    })),
  ];
  return {
    key: 'c1',
    state: 'staged',
    source: { path: rootPath('inbox/a.mp4'), size: 1, mtimeMs: 1 },
    kind: 'native',
    outputs,
    attempts: 0,
    times: {},
  };
}

const up = (creativeId = '1') => ({ status: 'uploaded' as const, creativeId, batch: 1, at: '2026-12-01T00:00:00Z' });
const refused = { status: 'rejected' as const, message: 'content guidelines', batch: 1, at: '' };
const failed = (failedPasses: number) => ({
  status: 'failed' as const,
  message: 'HTTP 500',
  failedPasses,
  batch: 1,
  at: '',
});
const unfit = { status: 'unfit' as const, message: '240 KB is over 150 KB', batch: 0, at: '' };

describe('a creative sent to several platforms', () => {
  it('waits while any enabled platform still owes an answer: one waiting for a person holds back the archive, not the other platform', () => {
    expect(settledState(record({ exoclick: up() }, { exoclick: up() }), BOTH, 3).state).toBe('staged');
    expect(settledState(record({ tj: up(), exoclick: failed(1) }, { tj: up(), exoclick: up() }), BOTH, 3).state).toBe(
      'staged',
    );
  });

  it('is uploaded (and archived) once every platform has it or has given up on it, each reason kept', () => {
    expect(settledState(record({ tj: up(), exoclick: up() }, { tj: up(), exoclick: up() }), BOTH, 3)).toEqual({
      state: 'uploaded',
      reason: undefined,
    });
    const oneRefused = settledState(record({ tj: up(), exoclick: unfit }, { tj: up(), exoclick: up() }), BOTH, 3);
    expect(oneRefused.state).toBe('uploaded');
    expect(oneRefused.reason).toMatch(/^Not sent to ExoClick: 240 KB/);
    const gaveUp = settledState(record({ tj: failed(3), exoclick: up() }, { tj: up(), exoclick: up() }), BOTH, 3);
    expect(gaveUp.state).toBe('uploaded');
    expect(gaveUp.reason).toMatch(/to TJ failed in 3 passes/);
    // Archived with ExoClick's copy: no retry is promised for what is no longer in uploaded/.
    expect(gaveUp.reason).not.toContain('--retry-failed');
  });

  it("is rejected when no platform has it, failed when one gave up for reasons not the file's", () => {
    expect(settledState(record({ tj: refused, exoclick: unfit }, { tj: up(), exoclick: unfit }), BOTH, 3).state).toBe(
      'rejected',
    );
    expect(
      settledState(record({ tj: failed(3), exoclick: refused }, { tj: up(), exoclick: up() }), BOTH, 3).state,
    ).toBe('failed');
  });

  it('with TJ alone, behaves as before: a refused half rejects the pair, a half that failed every pass fails it', () => {
    expect(settledState(record({ tj: refused }, { tj: up() }), ['tj'], 3)).toMatchObject({
      state: 'rejected',
      reason: 'TJ refused x0.mp4: content guidelines',
    });
    const failedForGood = settledState(record({ tj: failed(3) }, { tj: up() }), ['tj'], 3);
    expect(failedForGood.state).toBe('failed');
    expect(failedForGood.reason).toMatch(/--retry-failed` tries again\.$/);
    expect(settledState(record({ tj: failed(2) }, { tj: up() }), ['tj'], 3).state).toBe('staged');
    // A half still unsent, or in flight, may yet be kept: not given up before it answers.
    expect(settledState(record({ tj: failed(3) }, {}), ['tj'], 3).state).toBe('staged');
    expect(
      settledState(record({ tj: failed(3) }, { tj: { status: 'in_flight', batch: 2, at: '' } }), ['tj'], 3).state,
    ).toBe('staged');
    // What ExoClick did is not asked when it is not enabled.
    expect(settledState(record({ tj: up() }, { tj: up() }), ['tj'], 3).state).toBe('uploaded');
  });
});
