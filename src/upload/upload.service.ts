import PQueue from 'p-queue';
import type { ActivityBus } from '../core/events.js';
import { baseName, extensionOf } from '../core/files.js';
import type { Layout } from '../core/layout.js';
import type { Logger } from '../core/logger.js';
import type { UploadOutcome, UploadSummary } from '../core/outcomes.js';
import { platformName, type PlatformId, type UploadTarget } from '../core/platform.js';
import type { CreativeRecord, OutputFile, PlatformUpload } from '../core/record.js';
import { backoff, sleep } from '../core/retry.js';
import { describeError } from '../core/errors.js';
import {
  CredentialsRefusedError,
  LoginRequiredError,
  type UploadFile,
  type Uploader,
  type UploadResult,
} from '../platform/uploader.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import type { LibraryRepository } from '../store/library.repository.js';
import { SendLedger } from './send-ledger.js';
import { batches, READ_THROUGH_PAGES, sentBefore, targetOf, type Item } from './upload-items.js';
import { SETTLED, settledState, verdictOf } from './settle.js';

export interface UploadOptions {
  /** The platform this service sends to. */
  readonly platform: PlatformId;
  /** Every enabled platform: a creative is settled once each of them has answered. */
  readonly platforms: readonly PlatformId[];
  /** Why an output does not fit this platform's limits (it is then not sent to it), or undefined. */
  readonly unfit?: (output: OutputFile, target: UploadTarget) => string | undefined;
  /** Files per batch (TJ: at most 10). */
  readonly batchSize: number;
  /** Pause between batches. */
  readonly paceMs: number;
  /** Tries of a batch's transient failures after the first, waiting `retryBaseMs`, 2×, 4×… before each. */
  readonly retries: number;
  readonly retryBaseMs: number;
  /** Pages of the platform's listing read to find a name before a retry or on resume. */
  readonly lookupPages: number;
  /** Passes a file may end failed (for reasons not its own) before it is marked `failed` for a person. */
  readonly maxFailedPasses: number;
}

/** What uploading to one platform is made from: the records, that platform's library cache, the layout, the bus and the log, and the options. */
export interface UploadDeps {
  readonly creatives: CreativeRepository;
  readonly library: LibraryRepository;
  readonly layout: Layout;
  readonly events: ActivityBus;
  readonly log: Logger;
  readonly options: UploadOptions;
}

/**
 * Sends staged creatives to one platform. Each batch is recorded as in flight before it is sent,
 * so after a crash its files are looked up before anything is sent again; every id comes from a
 * card with the file's own name. Each platform has its own service, and a creative's state moves
 * on once every enabled platform has answered.
 */
export class UploadService {
  /** Every send goes through it (see {@link cleared}): tests read its counts. */
  readonly ledger = new SendLedger();
  /** Groups sent in this run, numbered from 1. */
  private batchNumber = 0;
  private tally = { uploaded: 0, duplicates: 0, rejected: 0 };
  private outcomes: UploadOutcome[] = [];
  /** Files this run owes an answer for, for its progress. */
  private planned = 0;
  /** Outputs (key and path) whose absence this run could not prove: not sent again before the next pass. */
  private held = new Set<string>();

  constructor(private readonly deps: UploadDeps) {}

  get platform(): PlatformId {
    return this.deps.options.platform;
  }

  /**
   * Whether this platform owes an answer for anything staged (in-flight batches included): free
   * from the index when nothing is staged; otherwise the staged records, which are in memory, are
   * asked, so a platform is not opened for what only another still owes.
   */
  async hasWork(): Promise<boolean> {
    if ((this.deps.creatives.index.countsByState().get('staged') ?? 0) === 0) return false;
    return (await this.pendingItems()).length > 0;
  }

  /** What a dry run would send: one `dry_run` outcome per file. */
  async plan(): Promise<UploadOutcome[]> {
    const at = new Date().toISOString();
    return (await this.pendingItems()).map((item) => ({
      key: item.key,
      path: item.output.path,
      platform: this.deps.options.platform,
      target: item.target,
      status: 'dry_run',
      retries: 0,
      at,
    }));
  }

  /** Sends every staged file; `force` sends names the library cache already knows. */
  async run(uploader: Uploader, options: { force?: boolean; signal?: AbortSignal } = {}): Promise<UploadSummary> {
    const { signal } = options;
    this.tally = { uploaded: 0, duplicates: 0, rejected: 0 };
    this.outcomes = [];
    this.batchNumber = 0;
    this.held = new Set();
    try {
      const toSend: Item[] = [];
      const pending = await this.pendingItems();
      this.planned = pending.length;
      for (const item of pending) {
        const unfit = this.deps.options.unfit?.(item.output, item.target);
        if (unfit) {
          await this.setAside(item, unfit);
          continue;
        }
        // One sent before without an answer (a crash, a pass that failed) is looked up in its listing first, by the send rule.
        const known =
          options.force || sentBefore(this.uploadOf(item.output)) ? undefined : this.deps.library.get(item.name);
        if (known) await this.record(item, { status: 'duplicate', creativeId: known.creativeId }, 0);
        else toSend.push(item);
      }
      // Sent before without an answer (a crash, a pass that failed): looked up before any new batch of their listing pushes their cards further down.
      const resumed = toSend.filter((item) => sentBefore(this.uploadOf(item.output)));
      const cleared = new Set<Item>();
      for (const target of new Set(resumed.map((item) => item.target)))
        for (const item of await this.cleared(
          uploader,
          resumed.filter((each) => each.target === target),
          0,
        ))
          cleared.add(item);
      const owed = toSend.filter((item) => !resumed.includes(item) || cleared.has(item));
      // One batch at a time, at most one started per `paceMs`: TJ sees one calm browser.
      const queue = new PQueue({ concurrency: 1, intervalCap: 1, interval: Math.max(1, this.deps.options.paceMs) });
      await Promise.all(
        batches(owed, this.deps.options.batchSize).map((batch) =>
          queue
            .add(() => this.sendBatch(uploader, batch), signal ? { signal } : {})
            .catch((error: unknown) => {
              queue.clear();
              throw error;
            }),
        ),
      );
    } catch (error) {
      // Stopped for shutdown: the batch under way finished; the rest wait for the next start.
      if (signal?.aborted) return { ...(await this.count()), loginRequired: false };
      if (!(error instanceof LoginRequiredError)) throw error;
      this.deps.log.error({}, `Uploads paused: ${error.plain}`);
      return { ...(await this.count()), loginRequired: true, loginMessage: error.plain };
    } finally {
      await this.deps.library.save();
    }
    return { ...(await this.count()), loginRequired: false };
  }

  private async sendBatch(uploader: Uploader, batch: readonly Item[]): Promise<void> {
    let remaining = [...batch];
    for (let attempt = 0; ; attempt += 1) {
      remaining = await this.cleared(uploader, remaining, attempt);
      const [first] = remaining;
      if (!first) return;
      const number = (this.batchNumber += 1);
      await Promise.all(
        remaining.map((item) => this.mark(item, { status: 'in_flight', batch: number, at: new Date().toISOString() })),
      );
      await this.deps.creatives.flush();
      this.ledger.sent(remaining.map((item) => item.name));
      this.deps.events.emit('upload', {
        target: first.target,
        files: remaining.map((item) => item.name),
        since: new Date().toISOString(),
      });
      const results = await uploader
        .upload(
          first.target,
          remaining.map((item) => this.fileOf(item)),
        )
        .catch((error: unknown) => {
          // A browser step that failed (a page that never loaded) is every file's failure, not a reason to stop.
          if (error instanceof LoginRequiredError || error instanceof CredentialsRefusedError) throw error;
          return new Map<string, UploadResult>(
            remaining.map((item) => [item.name, { status: 'failed', message: describeError(error) }]),
          );
        })
        .finally(() => this.deps.events.emit('upload', undefined));
      const failed: { item: Item; message: string }[] = [];
      for (const item of remaining) {
        const result = results.get(item.name) ?? { status: 'failed', message: 'No result for this file' };
        if (result.status !== 'failed') await this.record(item, result, number, attempt);
        else {
          failed.push({ item, message: result.message });
          // The uploader read the listing through after the send: the name is not there.
          if (result.checked) this.ledger.shownAbsent(item.name);
        }
      }
      if (failed.length === 0) return;
      const reasons = Object.fromEntries(failed.map(({ item, message }) => [item.name, message]));
      if (attempt >= this.deps.options.retries) {
        this.deps.log.warn(
          { platform: this.deps.options.platform, reasons },
          'Upload still failing after every retry; the next pass looks for it first and tries again',
        );
        for (const { item, message } of failed) await this.passFailed(item, message, number, attempt);
        return;
      }
      this.deps.log.warn(
        { platform: this.deps.options.platform, retry: attempt + 1, reasons },
        'Retrying the files of a batch that failed for no reason of their own',
      );
      await sleep(backoff(attempt + 1, { baseMs: this.deps.options.retryBaseMs }));
      remaining = failed.map(({ item }) => item);
    }
  }

  /**
   * The send rule's one gate (see {@link SendLedger}): of `items` (of one target), those that may
   * be sent now. A file sent before (this pass, or one a crash or a failure ended) whose name no
   * read has shown absent since is looked up first: found, it is recorded with its card's id and
   * not sent; shown absent by a read to the listing's end, it may go. A short look-up proves
   * nothing of a name it did not find, so the listing is then read to its end for those; a name
   * that even that cannot settle is held back (still in flight) for the next pass.
   */
  private async cleared(uploader: Uploader, items: readonly Item[], retries: number): Promise<Item[]> {
    const unproven: Item[] = [];
    for (const item of items) {
      const current = (await this.deps.creatives.load(item.key))?.outputs?.find(
        (output) => output.path === item.output.path,
      );
      if (sentBefore(current && this.uploadOf(current)) && !this.ledger.mayResend(item.name)) unproven.push(item);
    }
    const [first] = unproven;
    if (!first) return items.filter((item) => !this.held.has(item.key + item.output.path));
    const quick = await uploader.find(
      first.target,
      unproven.map((item) => this.fileOf(item)),
      this.deps.options.lookupPages,
    );
    const found = new Map(quick.found);
    let complete = quick.complete;
    const notFound = unproven.filter((item) => !found.has(item.name));
    if (!complete && notFound.length > 0) {
      const through = await uploader.find(
        first.target,
        notFound.map((item) => this.fileOf(item)),
        READ_THROUGH_PAGES,
      );
      for (const [name, card] of through.found) found.set(name, card);
      complete = through.complete;
    }
    for (const item of unproven) {
      const card = found.get(item.name);
      if (card)
        await this.record(
          item,
          { status: 'uploaded', creativeId: card.creativeId },
          this.uploadOf(item.output)?.batch ?? 0,
          retries,
        );
      else if (complete) this.ledger.shownAbsent(item.name);
      else this.held.add(item.key + item.output.path);
    }
    const held = unproven.filter((item) => !found.has(item.name) && !complete);
    if (held.length > 0)
      this.deps.log.warn(
        { platform: this.deps.options.platform, files: held.map((item) => item.name) },
        'Not sent again: their listing could not be read to its end to show them absent; the next pass looks again',
      );
    const foundCount = unproven.filter((item) => found.has(item.name)).length;
    this.deps.log.info(
      {
        platform: this.deps.options.platform,
        target: first.target,
        found: foundCount,
        toSend: complete ? unproven.length - foundCount : 0,
      },
      'Looked up files sent before without an answer',
    );
    return items.filter((item) => !found.has(item.name) && !this.held.has(item.key + item.output.path));
  }

  /** Stages again the creatives whose upload failed for good, their passes on every platform counted from zero; returns how many. */
  async retryFailed(): Promise<number> {
    let staged = 0;
    for (const key of this.deps.creatives.index.keysInState('failed')) {
      if (!this.deps.creatives.index.entry(key)?.inUploaded) continue;
      const record = await this.deps.creatives.load(key);
      if (!record) continue;
      const outputs = (record.outputs ?? []).map((output): OutputFile => {
        const uploads = Object.fromEntries(
          Object.entries(output.uploads ?? {}).map(([platform, upload]) => [
            platform,
            upload.status === 'failed' ? { ...upload, failedPasses: 0 } : upload,
          ]),
        );
        return output.uploads ? { ...output, uploads } : output;
      });
      const { reason: _reason, ...rest } = record;
      this.deps.creatives.put({ ...rest, outputs, state: 'staged' });
      staged += 1;
    }
    await this.deps.creatives.flush();
    if (staged > 0) this.deps.log.info({ staged }, 'Uploads that had failed are tried again');
    return staged;
  }

  /** A pass ends with the file failed: counted, and after the set number of passes the creative is `failed`. */
  private async passFailed(item: Item, message: string, batch: number, retries: number): Promise<void> {
    const at = new Date().toISOString();
    const current = (await this.deps.creatives.load(item.key))?.outputs?.find(
      (output) => output.path === item.output.path,
    );
    const failedPasses = ((current && this.uploadOf(current)?.failedPasses) ?? 0) + 1;
    this.outcomes.push({
      key: item.key,
      path: item.output.path,
      platform: this.deps.options.platform,
      target: item.target,
      status: 'failed',
      message,
      batch,
      retries,
      at,
    });
    this.progressed();
    await this.mark(item, { status: 'failed', message, failedPasses, batch, at });
  }

  private async record(
    item: Item,
    result: Exclude<UploadResult, { status: 'failed' }>,
    batch: number,
    retries = 0,
  ): Promise<void> {
    const at = new Date().toISOString();
    this.outcomes.push({
      key: item.key,
      path: item.output.path,
      platform: this.deps.options.platform,
      target: item.target,
      status: result.status === 'uploaded' ? 'success' : result.status,
      ...(result.status === 'rejected' ? { message: result.message } : { creativeId: result.creativeId }),
      batch,
      retries,
      at,
    });
    this.progressed();
    const upload: PlatformUpload =
      result.status === 'rejected'
        ? { status: 'rejected', message: result.message, batch, at }
        : { status: result.status, creativeId: result.creativeId, batch, at };
    await this.mark(item, upload);
    if (result.status === 'uploaded') this.tally.uploaded += 1;
    else if (result.status === 'duplicate') this.tally.duplicates += 1;
    else this.tally.rejected += 1;
    if (result.status !== 'rejected') {
      const existing = this.deps.library.get(item.name);
      this.deps.library.set(item.name, {
        creativeId: result.creativeId,
        dimensions: existing?.dimensions ?? `${item.output.width}x${item.output.height}`,
        fileType: existing?.fileType ?? extensionOf(item.output.path),
        reviewStatus: existing?.reviewStatus ?? 'pending',
        creativeType: existing?.creativeType ?? item.target,
        uploadDate: existing?.uploadDate ?? at.slice(0, 10),
      });
    }
    this.deps.log.info(
      {
        file: item.output.path,
        platform: this.deps.options.platform,
        status: upload.status,
        creativeId: upload.creativeId,
        message: upload.message,
      },
      'Upload result',
    );
  }

  /** Outside this platform's limits: never sent to it, with the reason; the other platforms go on. */
  private async setAside(item: Item, reason: string): Promise<void> {
    const at = new Date().toISOString();
    this.outcomes.push({
      key: item.key,
      path: item.output.path,
      platform: this.deps.options.platform,
      target: item.target,
      status: 'unfit',
      message: reason,
      retries: 0,
      at,
    });
    this.progressed();
    await this.mark(item, { status: 'unfit', message: reason, batch: 0, at });
    this.deps.log.warn(
      { file: item.output.path, platform: this.deps.options.platform },
      `Not sent to ${platformName(this.deps.options.platform)}: ${reason}`,
    );
  }

  /** Sets one output's answer from this platform and, once every enabled platform has answered, the record's state. */
  private async mark(item: Item, upload: PlatformUpload): Promise<void> {
    if (!(await this.deps.creatives.load(item.key))) return;
    // Read again with no await before the write: the other platforms' services change the same records.
    const record = this.deps.creatives.get(item.key);
    if (!record) return;
    const { platform } = this.deps.options;
    const outputs = (record.outputs ?? []).map((output): OutputFile => {
      if (output.path !== item.output.path) return output;
      const previous = this.uploadOf(output);
      // Failed passes are counted until the output settles: sending it again does not reset them.
      const failedPasses = upload.failedPasses ?? (SETTLED.has(upload.status) ? undefined : previous?.failedPasses);
      return {
        ...output,
        uploads: { ...output.uploads, [platform]: failedPasses === undefined ? upload : { ...upload, failedPasses } },
      };
    });
    const { state, reason } = settledState(
      { ...record, outputs },
      this.deps.options.platforms,
      this.deps.options.maxFailedPasses,
    );
    const next: CreativeRecord = {
      ...record,
      outputs,
      state,
      ...(reason ? { reason } : {}),
      times: record.times[state] ? record.times : { ...record.times, [state]: new Date().toISOString() },
    };
    this.deps.creatives.put(next);
    if (upload.status !== 'in_flight')
      this.deps.events.emit(
        'creative',
        next,
        state === 'failed' ? (reason ?? 'upload failed') : `${platformName(platform)} upload ${upload.status}`,
      );
  }

  private uploadOf(output: OutputFile): PlatformUpload | undefined {
    return output.uploads?.[this.deps.options.platform];
  }

  private fileOf(item: Item): UploadFile {
    return { path: this.deps.layout.abs(item.output.path), name: item.name };
  }

  /** Outputs of staged creatives this platform still owes an answer (one it gave up on waits for the others). */
  private async pendingItems(): Promise<Item[]> {
    const items: Item[] = [];
    for (const key of this.deps.creatives.index.keysInState('staged')) {
      const record = await this.deps.creatives.load(key);
      if (
        !record ||
        verdictOf(record, this.deps.options.platform, this.deps.options.maxFailedPasses).kind !== 'pending'
      )
        continue;
      for (const output of record.outputs ?? []) {
        const target = targetOf(record, output);
        const upload = this.uploadOf(output);
        if (!target || (upload && SETTLED.has(upload.status))) continue;
        items.push({ key, output, target, name: baseName(output.path) });
      }
    }
    return items;
  }

  /** An outcome was added: how far this run has got, for a progress display. */
  private progressed(): void {
    this.deps.events.emit('progress', {
      work: 'upload',
      part: platformName(this.deps.options.platform),
      done: this.outcomes.length,
      total: Math.max(this.planned, this.outcomes.length),
      unit: 'files',
    });
  }

  private async count(): Promise<Omit<UploadSummary, 'loginRequired'>> {
    await this.deps.creatives.flush();
    return { ...this.tally, dryRun: false, outcomes: this.outcomes, pending: (await this.pendingItems()).length };
  }
}
