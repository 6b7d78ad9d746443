import fs from 'node:fs/promises';
import type { Logger } from '../logger.js';
import type { RunStateRepository } from '../store/run-state.repository.js';
import type { Uploader } from '../platform/uploader.js';
import type { UploadService, UploadSummary } from './upload.service.js';

/**
 * Runs upload passes for the daemon and `process --once`: a dry run only reports; a live run keeps
 * one browser open between passes, and after a "login required" waits for `creative-flow login`
 * to write a new session instead of failing every pass.
 */
export class UploadRunner {
  private uploader: Uploader | undefined;
  private lastUsed = 0;
  /** The session file's mtime when uploads paused; undefined while not paused. */
  private pausedAt: number | undefined;

  constructor(
    private readonly uploads: Pick<UploadService, 'hasWork' | 'plan' | 'run'>,
    private readonly openUploader: () => Promise<Uploader>,
    private readonly sessionFile: string,
    private readonly dryRun: boolean,
    private readonly runState: Pick<RunStateRepository, 'dryRunPlanChanged'>,
    private readonly log: Logger,
  ) {}

  async pass(signal?: AbortSignal): Promise<UploadSummary | undefined> {
    if (this.dryRun) {
      const outcomes = await this.uploads.plan();
      // Reported once per plan, not every pass, and not again by the next `process --once`.
      if (!(await this.runState.dryRunPlanChanged(outcomes.map((outcome) => outcome.path))) || outcomes.length === 0) return undefined;
      this.log.info({ files: outcomes.length }, 'Dry run: these staged files would be uploaded (use --live or DRY_RUN=false)');
      return { dryRun: true, outcomes, uploaded: 0, duplicates: 0, rejected: 0, pending: outcomes.length, loginRequired: false };
    }
    // No browser is started, or kept busy, for a pass with nothing to send.
    if (!this.uploads.hasWork()) return undefined;
    if (this.pausedAt !== undefined) {
      if ((await this.sessionMtime()) === this.pausedAt) return undefined;
      this.log.info('A new session was saved; resuming uploads');
      await this.close();
    }
    this.uploader ??= await this.openUploader();
    const summary = await this.uploads.run(this.uploader, signal);
    this.lastUsed = Date.now();
    this.pausedAt = summary.loginRequired ? await this.sessionMtime() : undefined;
    const { outcomes: _outcomes, ...counts } = summary;
    if (summary.uploaded + summary.duplicates + summary.rejected > 0 || summary.pending > 0) this.log.info(counts, 'Upload pass done');
    return summary;
  }

  /** Runs other work in the same browser session (a library walk), opening it if need be. */
  async withUploader<T>(work: (uploader: Uploader) => Promise<T>): Promise<T> {
    this.uploader ??= await this.openUploader();
    this.lastUsed = Date.now();
    return work(this.uploader);
  }

  /** Loads a page now and then while idle, as other tools do, so TJ does not end the session. */
  async keepAlive(everyMs = 5 * 60_000): Promise<void> {
    if (!this.uploader || this.pausedAt !== undefined || Date.now() - this.lastUsed < everyMs) return;
    this.lastUsed = Date.now();
    await this.uploader.keepAlive().catch((error: unknown) => this.log.warn({ err: error }, 'Could not refresh the TJ session; the next upload signs in again if needed'));
  }

  async close(): Promise<void> {
    const uploader = this.uploader;
    this.uploader = undefined;
    await uploader?.close();
  }

  private async sessionMtime(): Promise<number> {
    return (await fs.stat(this.sessionFile).catch(() => ({ mtimeMs: 0 }))).mtimeMs;
  }
}
