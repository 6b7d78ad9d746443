import type { Logger } from '../core/logger.js';
import { LoginRequiredError, type Uploader } from './uploader.js';

/** When the saved session last changed: a new login shows as a new time. */
export interface SavedSession {
  savedAt(): Promise<number>;
}

/**
 * The platform's browser session, and its only owner: opened on the first piece of work that needs
 * it, kept between passes (an idle daemon holds none), and closed on shutdown. After TJ says a
 * person must sign in, work is refused until `creative-flow login` saves a new session.
 */
export class PlatformConnection {
  private uploader: Uploader | undefined;
  private lastUsed = 0;
  /** The session's save time when work paused for a login; undefined while not paused. */
  private pausedAt: number | undefined;

  constructor(
    private readonly open: () => Promise<Uploader>,
    private readonly session: SavedSession,
    private readonly log: Logger,
  ) {}

  /**
   * Whether work must wait for a person to sign in. A session saved since the pause lifts it, and
   * the next piece of work starts a new browser on it.
   */
  async loginPending(): Promise<boolean> {
    if (this.pausedAt === undefined) return false;
    if ((await this.session.savedAt()) === this.pausedAt) return true;
    this.log.info('A new session was saved; resuming work on TJ');
    this.pausedAt = undefined;
    await this.close();
    return false;
  }

  /** Runs work in the browser session, opening it if need be. A {@link LoginRequiredError} pauses the connection. */
  async use<T>(work: (uploader: Uploader) => Promise<T>): Promise<T> {
    this.uploader ??= await this.open();
    this.lastUsed = Date.now();
    try {
      return await work(this.uploader);
    } catch (error) {
      if (error instanceof LoginRequiredError) await this.pauseForLogin();
      throw error;
    } finally {
      this.lastUsed = Date.now();
    }
  }

  /** Stops work on the platform until a new session is saved. */
  async pauseForLogin(): Promise<void> {
    this.pausedAt = await this.session.savedAt();
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
}
