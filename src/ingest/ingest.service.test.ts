import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadInputError, SourceChangedError, TransientError } from '../core/errors.js';
import { ActivityBus } from '../core/events.js';
import { Layout, type SetAsideKind } from '../core/layout.js';
import { createLogger } from '../core/logger.js';
import type { CreativeRecord } from '../core/record.js';
import type { State } from '../core/state.js';
import { CreativeRepository } from '../store/creative.repository.js';
import { StorageRepository } from '../store/storage.repository.js';
import { tempRoot, waitFor } from '../test/fixtures.js';
import { findDuplicate } from './dedupe.js';
import { DiskPause } from './disk-pause.js';
import { IngestService, type IngestOptions } from './ingest.service.js';
import type { IngestSteps } from './steps.js';

/** The real filesystem, but a disk that is full on cue: writes checks fail while `full`. */
class DiskOnCue extends StorageRepository {
  full = false;

  override async diskState(dir: string, minFreeBytes?: number): Promise<'ok' | 'full' | 'refused'> {
    return this.full ? 'full' : super.diskState(dir, minFreeBytes);
  }
}

const storage = new DiskOnCue();
const log = createLogger({ level: 'silent', pretty: false });
type Step = 'probe' | 'name' | 'convert' | 'place';

/**
 * Steps that do no media work: the hash is the file's text, outputs are named, not written. Each
 * step can be told to fail, once or for good, and counts its calls per file.
 */
class FakeSteps implements IngestSteps {
  readonly calls = new Map<string, number>();
  readonly setAsides: { file: string; kind: SetAsideKind }[] = [];
  readonly removed: string[] = [];
  /** Errors a step throws, in order, for a file; an empty list lets it pass. */
  readonly failures = new Map<string, Error[]>();
  /** A step may wait on this before returning, to hold a file mid-step. */
  gate: Promise<void> | undefined;

  constructor(private readonly creatives: CreativeRepository) {}

  count(step: Step, file: string): number {
    return this.calls.get(`${step}:${file}`) ?? 0;
  }

  async probe(record: CreativeRecord): Promise<CreativeRecord> {
    await this.enter('probe', record);
    const text = await fs.readFile(path.join(this.root, record.source.path), 'utf8');
    return {
      ...record,
      state: 'probed',
      hash: text.padEnd(64, '0'),
      kind: 'image',
      media: { type: 'image', format: 'png', width: 1, height: 1 },
    };
  }

  async name(record: CreativeRecord): Promise<CreativeRecord> {
    await this.enter('name', record);
    const id = (record.hash ?? '').slice(0, 8).toUpperCase();
    return {
      ...record,
      state: 'named',
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
        },
        review: [],
      },
    };
  }

  findDuplicate(record: CreativeRecord): ReturnType<IngestSteps['findDuplicate']> {
    return findDuplicate(record, this.creatives);
  }

  async convert(record: CreativeRecord): Promise<CreativeRecord> {
    await this.enter('convert', record);
    await this.gate;
    if (this.disk?.full)
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
        code: 'ENOSPC',
        path: path.join(this.root, 'uploaded', 'Image', 'x.png'),
      });
    const outputPath = `uploaded/Image/x_ID-${record.naming?.id}.png` as CreativeRecord['source']['path'];
    return {
      ...record,
      state: 'converted',
      outputs: [{ role: 'creative', path: outputPath, bytes: 1, width: 1, height: 1, format: 'png', converted: true }],
    };
  }

  async place(record: CreativeRecord): Promise<CreativeRecord> {
    await this.enter('place', record);
    return { ...record, state: 'staged' };
  }

  async setAside(record: CreativeRecord, kind: SetAsideKind, reason: string): Promise<CreativeRecord> {
    this.setAsides.push({ file: record.source.path, kind });
    return { ...record, state: kind, reason };
  }

  /** Errors removing outputs throws, in order (a disk that fails). */
  readonly removeFailures: Error[] = [];

  async removeOutputs(record: CreativeRecord): Promise<void> {
    const error = this.removeFailures.shift();
    if (error) throw error;
    this.removed.push(record.source.path);
  }

  root = '';
  disk: DiskOnCue | undefined;

  /** Every step entered, in order, as `step:file`. */
  readonly entered: string[] = [];

  private async enter(step: Step, record: CreativeRecord): Promise<void> {
    const key = `${step}:${record.source.path}`;
    this.entered.push(key);
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    const error = this.failures.get(key)?.shift();
    if (error) throw error;
  }
}

interface Harness {
  readonly layout: Layout;
  readonly creatives: CreativeRepository;
  readonly steps: FakeSteps;
  readonly ingest: IngestService;
  readonly events: { state: State; file: string }[];
  readonly said: string[];
  drop(name: string, content?: string): Promise<string>;
  record(name: string): CreativeRecord | undefined;
}

async function harness(
  options: Partial<IngestOptions> = {},
  root?: string,
  disk: DiskOnCue = storage,
): Promise<Harness> {
  const layout = new Layout(root ?? (await tempRoot()));
  const storage = disk;
  const creatives = await CreativeRepository.open(layout.db, storage);
  const steps = new FakeSteps(creatives);
  steps.root = layout.root;
  const bus = new ActivityBus();
  const events: { state: State; file: string }[] = [];
  bus.on('creative', (record) => events.push({ state: record.state, file: record.source.path }));
  const said: string[] = [];
  bus.on('paused', (message) => said.push(`paused: ${message}`)).on('resumed', () => said.push('resumed'));
  steps.disk = disk;
  const pause = new DiskPause(storage, bus, log, {
    folders: [layout.uploaded],
    firstCheckMs: 20,
    maxCheckMs: 40,
    minFreeBytes: 0,
  });
  const ingest = new IngestService(
    { layout, storage, creatives, steps, events: bus, log, pause },
    { concurrency: 2, maxAttempts: 3, retryBaseMs: 5, stabilityMs: 5, ...options },
  );
  return {
    layout,
    creatives,
    steps,
    ingest,
    events,
    said,
    async drop(name, content = name) {
      const file = path.join(layout.inbox, name);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, content);
      ingest.observe(file);
      return `inbox/${name}`;
    },
    record(name) {
      const key = creatives.index.keyOfSource(layout.rel(path.join(layout.inbox, name)));
      const found = key === undefined ? undefined : creatives.get(key);
      return (
        found ??
        [...creatives.index.keys()]
          .map((candidate) => creatives.get(candidate))
          .find((candidate) => candidate?.source.path === `inbox/${name}`)
      );
    },
  };
}

describe('IngestService (fake steps)', () => {
  it('takes a stable file through every step in order, committing each and announcing every change', async () => {
    const h = await harness();
    const file = await h.drop('a.png');
    await h.ingest.settled();
    expect(h.record('a.png')?.state).toBe('staged');
    expect(h.events.filter((event) => event.file === file).map((event) => event.state)).toEqual([
      'discovered',
      'probed',
      'named',
      'converted',
      'staged',
    ]);
    expect((['probe', 'name', 'convert', 'place'] as const).map((step) => h.steps.count(step, file))).toEqual([
      1, 1, 1, 1,
    ]);
    await h.creatives.close();
    const reopened = await CreativeRepository.open(h.layout.db, storage);
    expect(reopened.get([...reopened.index.keys()][0] ?? '')?.state).toBe('staged');
  });

  it('retries a transient failure after a delay and goes on; the attempt count starts over', async () => {
    const h = await harness();
    h.steps.failures.set('convert:inbox/b.png', [new TransientError('disk busy', {})]);
    const file = await h.drop('b.png');
    await h.ingest.settled();
    expect(h.record('b.png')).toMatchObject({ state: 'staged', attempts: 0 });
    expect(h.steps.count('convert', file)).toBe(2);
  });

  it('marks a file failed after the last attempt, removes what was converted, and tries it again when asked', async () => {
    const h = await harness({ maxAttempts: 3 });
    const always = Array.from({ length: 3 }, () => new TransientError('ffmpeg crashed', {}));
    h.steps.failures.set('place:inbox/c.png', always);
    const file = await h.drop('c.png');
    await h.ingest.settled();
    expect(h.record('c.png')).toMatchObject({
      state: 'failed',
      attempts: 3,
      reason: expect.stringMatching(/ffmpeg crashed/),
    });
    expect(h.record('c.png')?.outputs).toBeUndefined();
    expect(h.steps.count('place', file)).toBe(3);
    expect(h.steps.removed).toEqual([file]);

    expect(await h.ingest.retryFailed()).toBe(1);
    await h.ingest.settled();
    expect(h.record('c.png')?.state).toBe('staged');
  });

  it('sets bad input aside as rejected, and a second copy of the same content as its duplicate', async () => {
    const h = await harness();
    h.steps.failures.set('probe:inbox/bad.mp4', [new BadInputError('not a video', 'inbox/bad.mp4')]);
    await h.drop('bad.mp4');
    await h.drop('one.png', 'same bytes');
    await h.ingest.settled();
    await h.drop('two.png', 'same bytes');
    await h.ingest.settled();
    expect(h.record('bad.mp4')).toMatchObject({ state: 'rejected', reason: expect.stringMatching(/not a video/) });
    expect(h.record('one.png')?.state).toBe('staged');
    expect(h.record('two.png')).toMatchObject({ state: 'duplicate', duplicateOf: h.record('one.png')?.key });
    expect(h.steps.setAsides).toEqual([
      { file: 'inbox/bad.mp4', kind: 'rejected' },
      { file: 'inbox/two.png', kind: 'duplicate' },
    ]);
    expect(h.steps.count('convert', 'inbox/two.png')).toBe(0);
  });

  it('resumes after a crash from the last committed step, without doing the earlier steps again', async () => {
    const first = await harness();
    const file = await first.drop('d.png');
    first.steps.gate = new Promise(() => undefined);
    // Held in conversion: the record's last committed state is `named` (flushed lazily, so force it).
    await waitFor(() => first.steps.count('convert', file) > 0, 10_000, 'the first conversion', 5);
    await first.creatives.flush();

    const second = await harness({}, first.layout.root);
    expect(second.record('d.png')?.state).toBe('named');
    expect(second.ingest.resumeUnfinished()).toBe(1);
    await second.ingest.settled();
    expect(second.record('d.png')?.state).toBe('staged');
    expect([
      second.steps.count('probe', file),
      second.steps.count('name', file),
      second.steps.count('convert', file),
    ]).toEqual([0, 0, 1]);
  });

  it('starts over when the source changed under a step: old outputs removed, the new content taken once stable', async () => {
    const h = await harness();
    h.steps.failures.set('place:inbox/e.png', [
      new SourceChangedError('The file changed after it was converted', 'inbox/e.png'),
    ]);
    const file = await h.drop('e.png', 'version one');
    await h.ingest.settled();
    expect(h.steps.removed).toEqual([file]);
    expect(h.record('e.png')?.state).toBe('staged');
    expect(h.steps.count('probe', file)).toBe(2);
  });

  it('on stop, lets the conversion under way finish and starts no other', async () => {
    const h = await harness({ concurrency: 1 });
    let release: () => void = () => undefined;
    h.steps.gate = new Promise((resolve) => (release = resolve));
    const files = [await h.drop('f1.png'), await h.drop('f2.png'), await h.drop('f3.png')];
    // Every file found (a busy machine may hold the last in the stability gate), and one converting.
    const found = (): boolean => files.every((file) => h.record(file.slice('inbox/'.length)) !== undefined);
    await waitFor(
      () => found() && files.some((file) => h.steps.count('convert', file) > 0),
      10_000,
      'a conversion under way',
      5,
    );
    const stopped = h.ingest.stop(5_000);
    release();
    await stopped;
    const states = files.map((file) => h.record(file.slice('inbox/'.length))?.state);
    expect(states.filter((state) => state === 'staged')).toHaveLength(1);
    // The others stopped before conversion, at a step they resume from on the next start.
    expect(states.filter((state) => state === 'discovered' || state === 'probed' || state === 'named')).toHaveLength(2);
    expect(files.reduce((sum, file) => sum + h.steps.count('convert', file), 0)).toBe(1);
  });

  it('lets a file wait out its retry delay: a reconcile pass does not start it early', async () => {
    const h = await harness({ retryBaseMs: 60_000 });
    h.steps.failures.set('convert:inbox/g.png', [new TransientError('disk busy', {})]);
    const file = await h.drop('g.png');
    // Idle, waiting out its delay: no longer running, not queued.
    await waitFor(
      () => h.ingest.counts.retrying === 1 && h.ingest.counts.running === 0,
      10_000,
      'the file waiting out its retry delay',
      5,
    );
    expect(h.ingest.resumeUnfinished()).toBe(0);
    // A pass queues what it resumes before it returns: nothing is queued or running, and the file still waits on its timer.
    expect(h.ingest.counts).toMatchObject({ queued: 0, running: 0, retrying: 1 });
    expect(h.steps.count('convert', file)).toBe(1);
    await h.ingest.stop(0);
  });

  it('retries a start-over that failed on the disk, instead of leaving the file stuck', async () => {
    const h = await harness({ maxAttempts: 2 });
    h.steps.failures.set('place:inbox/h.png', [new TransientError('busy', {}), new TransientError('busy', {})]);
    const file = await h.drop('h.png');
    await h.ingest.settled();
    expect(h.record('h.png')?.state).toBe('failed');
    h.steps.removeFailures.push(Object.assign(new Error('EIO: i/o error, unlink'), { code: 'EIO' }));
    expect(await h.ingest.retryFailed()).toBe(1);
    await h.ingest.settled();
    expect(h.record('h.png')).toMatchObject({ state: 'staged', attempts: 0 });
    expect(h.steps.count('probe', file)).toBe(2);
  });

  it('pauses on a full disk without charging the files, says so once, and goes on when space is back', async () => {
    const disk = new DiskOnCue();
    const h = await harness({ concurrency: 1, filesInFlight: 2 }, undefined, disk);
    disk.full = true;
    const files = await Promise.all(['i1.png', 'i2.png', 'i3.png', 'i4.png'].map((name) => h.drop(name)));
    await h.ingest.settled();
    expect(h.ingest.paused).toMatch(/^The disk holding .*uploaded\/Image is full\. Free some space there/);
    expect(h.said).toEqual([expect.stringMatching(/^paused: The disk holding/)]);
    for (const file of files) {
      const record = h.record(file.slice('inbox/'.length));
      expect(record?.state, file).not.toMatch(/failed|rejected|staged/);
      expect(record?.attempts, file).toBe(0);
      expect(await fs.readFile(path.join(h.layout.root, file), 'utf8')).toBe(file.slice('inbox/'.length));
    }
    // Nothing new starts while the disk is full: only the files already under way tried to convert.
    expect(files.reduce((sum, file) => sum + h.steps.count('convert', file), 0)).toBeLessThanOrEqual(2);

    disk.full = false;
    await waitFor(() => h.said.includes('resumed'), 10_000, 'the ingest resumed', 10);
    await h.ingest.settled();
    expect(files.map((file) => h.record(file.slice('inbox/'.length))?.state)).toEqual(Array(4).fill('staged'));
    expect(h.ingest.paused).toBeUndefined();
  });

  it('charges a fault the disk does not show (its folder takes writes) to the file, as before', async () => {
    const h = await harness({ maxAttempts: 2 });
    h.steps.failures.set(
      'place:inbox/j.png',
      [1, 2].map(() =>
        Object.assign(new Error('EACCES: permission denied, open'), {
          code: 'EACCES',
          path: path.join(h.layout.root, 'inbox', 'j.png'),
        }),
      ),
    );
    await h.drop('j.png');
    await h.ingest.settled();
    expect(h.record('j.png')).toMatchObject({
      state: 'failed',
      attempts: 2,
      reason: expect.stringMatching(/permission denied/),
    });
    expect(h.said).toEqual([]);
  });

  it.each([
    ['files in flight', 1],
    ['conversions', 8],
  ])(
    'takes the bigger files of a backlog first, so a long conversion does not finish alone at the end (queue of %s)',
    async (_queue, filesInFlight) => {
      const h = await harness({ concurrency: 1, filesInFlight });
      let release = (): void => undefined;
      h.steps.gate = new Promise((resolve) => (release = resolve));
      await h.drop('first.png', 'a');
      await waitFor(() => h.steps.count('convert', 'inbox/first.png') === 1, 10_000, 'the first conversion', 5);
      await h.drop('small.png', 'b');
      await h.drop('big.png', 'c'.repeat(300));
      await h.drop('medium.png', 'd'.repeat(100));
      // With one file in flight the others wait in the files' queue; with eight, for the core.
      const waiting = (): number => (filesInFlight === 1 ? h.ingest.counts.queued : h.ingest.counts.waitingForCore);
      await waitFor(() => h.ingest.counts.waiting === 0 && waiting() === 3, 10_000, 'three files queued', 5);
      release();
      await h.ingest.settled();
      const converted = h.steps.entered.filter((step) => step.startsWith('convert:'));
      expect(converted).toEqual([
        'convert:inbox/first.png',
        'convert:inbox/big.png',
        'convert:inbox/medium.png',
        'convert:inbox/small.png',
      ]);
    },
  );
});
