import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { ActivityBus } from '../core/events.js';
import { rootPath } from '../core/layout.js';
import { createLogger } from '../core/logger.js';
import type { UploadOutcome, UploadSummary } from '../core/outcomes.js';
import { CheckpointRepository } from '../store/checkpoint.repository.js';
import { CreativeRepository } from '../store/creative.repository.js';
import { StorageRepository } from '../store/storage.repository.js';
import { FakePlatform } from '../test/fake-platform.js';
import { tempRoot } from '../test/fixtures.js';
import { CampaignJobs } from './campaign-jobs.js';
import { Jobs, type PlatformServices, type Services } from './jobs.js';
import { dryRunList } from './pass-summary.js';

const log = createLogger({ level: 'silent', pretty: false });
const summary = (over: Partial<UploadSummary> = {}): UploadSummary => ({
  dryRun: false,
  outcomes: [],
  uploaded: 1,
  duplicates: 0,
  rejected: 0,
  pending: 0,
  loginRequired: false,
  ...over,
});
const planned: UploadOutcome = {
  key: 'c0',
  path: rootPath('uploaded/Image/a.png'),
  platform: 'tj',
  target: 'static-banner',
  status: 'dry_run',
  retries: 0,
  at: '',
};

/** The upload pass's services as fakes that count what they were asked to do. */
async function uploadPass(options: {
  dryRun: boolean;
  staged: boolean;
  loginPending?: boolean;
  result?: UploadSummary;
  runMs?: number;
  fails?: Error;
  logTo?: string[];
}) {
  const config = await loadConfig({ root: await tempRoot(), env: { DRY_RUN: String(options.dryRun) } });
  const storage = new StorageRepository();
  const calls = { opened: 0, paused: 0, archived: 0, statusFiles: 0, plansReported: 0, running: 0, mostAtOnce: 0 };
  const reported = new Set<string>();
  const events = new ActivityBus();
  const tj: PlatformServices = {
    uploads: {
      hasWork: async () => options.staged,
      plan: async () => (options.staged ? [planned] : []),
      run: async () => {
        calls.mostAtOnce = Math.max(calls.mostAtOnce, (calls.running += 1));
        await new Promise((resolve) => setTimeout(resolve, options.runMs ?? 0));
        calls.running -= 1;
        if (options.fails) throw options.fails;
        return options.result ?? summary();
      },
      retryFailed: async () => 0,
    },
    connection: {
      waitingFor: async () => (options.loginPending ? 'a login is needed' : undefined),
      use: async (work) => {
        calls.opened += 1;
        return work(new FakePlatform());
      },
      pauseForLogin: async () => void (calls.paused += 1),
      keepAlive: async () => undefined,
      close: async () => undefined,
    },
    librarySync: { syncStatuses: async () => [], refreshLibrary: async () => ({ found: 0, added: [], gone: [] }) },
    sessionStatus: { read: async () => undefined },
  };
  const idle: PlatformServices = {
    ...tj,
    uploads: { ...tj.uploads, hasWork: async () => false, plan: async () => [] },
  };
  const services: Services = {
    storage,
    creatives: await CreativeRepository.open(config.layout.db, storage),
    runState: {
      dryRunPlanChanged: async (paths) => {
        const changed = !reported.has(paths.join());
        reported.add(paths.join());
        return changed;
      },
    },
    ingest: {
      observe: () => undefined,
      submit: () => undefined,
      resumeUnfinished: () => 0,
      retryFailed: async () => 0,
      settled: async () => undefined,
      stop: async () => undefined,
      counts: { waiting: 0, queued: 0, running: 0, waitingForCore: 0, retrying: 0, waitingForDisk: 0 },
      paused: undefined,
    },
    archive: {
      run: async () => void (calls.archived += 1),
      openBatches: () => [],
      completed: async () => undefined,
      csvsWritten: async () => undefined,
    },
    tracking: {
      writeUploadStatus: async () => `${(calls.statusFiles += 1)}`,
      writeLibraryExport: async () => undefined,
      scheduleLibraryExport: () => undefined,
      writeCampaignCsvs: async () => ({ files: [], missing: [] }),
    },
    inventory: { scheduleWrite: () => undefined, writeNow: async () => undefined, flush: async () => undefined },
    reports: { write: async () => ({ report: {} as never, files: [] }), thumbnail: async () => Buffer.alloc(0) },
    results: {
      fetch: async () => [],
      table: async (from, to) => ({ from, to, creatives: [], tests: [], not_ours: {} }),
      statusLines: async () => [],
    },
    platforms: { tj, exoclick: idle },
    campaigns: new CampaignJobs(
      {
        storage,
        checkpoints: new CheckpointRepository(config.layout, storage),
        campaignAds: { run: async () => ({ checkpoint: 'none', results: [] }) },
        handsOff: {
          queueBatch: async () => 0,
          hasWork: async () => false,
          run: async () => ({ checkpoint: 'hands-off', results: [] }),
          forgetDone: async () => 0,
        },
        connections: { tj: tj.connection, exoclick: idle.connection },
        exoIdsByTjId: async () => new Map(),
        inventory: { scheduleWrite: () => undefined, writeNow: async () => undefined },
      },
      config,
      log,
    ),
    retention: { prune: async () => ({ screenshots: 0, temporary: 0, reports: 0 }) },
    events,
  };
  const logger = options.logTo
    ? createLogger({ level: 'info', destination: { write: (line: string) => void options.logTo?.push(line) } })
    : log;
  return { jobs: new Jobs(services, config, logger), calls, events };
}

describe('the upload pass', () => {
  it('says what it counts: files sent to the platforms, not creatives', async () => {
    const lines: string[] = [];
    const { jobs } = await uploadPass({
      dryRun: false,
      staged: true,
      result: summary({ uploaded: 2, pending: 1 }),
      logTo: lines,
    });
    await jobs.uploadPass();
    expect(lines.join('')).toContain(
      'Upload pass done: 2 files uploaded, 0 already there, 0 refused, 1 still waiting (files sent to the platforms, a native pair being two)',
    );
  });

  it('starts no browser when nothing is staged, and still archives', async () => {
    const { jobs, calls } = await uploadPass({ dryRun: false, staged: false });
    expect(await jobs.uploadPass()).toEqual({ summary: undefined, archived: [], waitingFor: undefined });
    expect(calls).toMatchObject({ opened: 0, archived: 1 });
  });

  it('in a dry run, reports the plan once per change and never opens the browser', async () => {
    const { jobs, calls } = await uploadPass({ dryRun: true, staged: true });
    expect((await jobs.uploadPass()).summary).toMatchObject({ dryRun: true, pending: 1 });
    expect((await jobs.uploadPass()).summary).toBeUndefined();
    expect(calls).toMatchObject({ opened: 0, statusFiles: 1 });
  });

  it('waits for a login without touching the browser, and pauses when TJ asks for one', async () => {
    const waiting = await uploadPass({ dryRun: false, staged: true, loginPending: true });
    expect(await waiting.jobs.uploadPass()).toMatchObject({ summary: undefined, waitingFor: 'TJ: a login is needed' });
    expect(waiting.calls.opened).toBe(0);

    const refused = await uploadPass({
      dryRun: false,
      staged: true,
      result: summary({ uploaded: 0, pending: 1, loginRequired: true }),
    });
    await refused.jobs.uploadPass();
    expect(refused.calls).toMatchObject({ opened: 1, paused: 1 });
  });

  it('runs passes asked for at once (the schedule, the dashboard, a command) one after the other', async () => {
    const { jobs, calls } = await uploadPass({ dryRun: false, staged: true, runMs: 30 });
    const passes = await Promise.all([jobs.uploadPass(), jobs.uploadPass(), jobs.uploadPass()]);
    expect(passes.every((pass) => pass.summary?.uploaded === 1)).toBe(true);
    expect(calls).toMatchObject({ opened: 3, mostAtOnce: 1 });
  });

  it('still archives when the upload fails (a browser that died), fails the pass, and counts the failures in a row for the notice', async () => {
    const { jobs, calls, events } = await uploadPass({
      dryRun: false,
      staged: true,
      fails: new Error('Target page, context or browser has been closed'),
    });
    const said: [number, string][] = [];
    events.on('passFailed', (inARow, message) => void said.push([inARow, message]));
    for (const pass of [1, 2, 3])
      await expect(jobs.uploadPass(), `pass ${pass}`).rejects.toThrow(/browser has been closed/);
    expect(calls.archived).toBe(3);
    expect(said.map(([inARow]) => inARow)).toEqual([1, 2, 3]);
    expect(said[2]?.[1]).toMatch(/browser has been closed/);
  });
});

describe('the dry run', () => {
  it('names the files it would send: the first few, then how many more', () => {
    const outcomes = Array.from({ length: 7 }, (_, i): UploadOutcome => ({
      ...planned,
      key: `c${i}`,
      path: rootPath(`uploaded/Image/f${i}.png`),
      platform: i === 0 ? 'exoclick' : 'tj',
    }));
    expect(dryRunList(outcomes.slice(0, 2))).toBe('f0.png (ExoClick), f1.png (TJ)');
    expect(dryRunList(outcomes)).toBe(
      'f0.png (ExoClick), f1.png (TJ), f2.png (TJ), f3.png (TJ), f4.png (TJ) and 2 more',
    );
  });
});
