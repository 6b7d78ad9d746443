import { createHash } from 'node:crypto';
import type { ActivityBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { CreativeFlowError } from '../core/errors.js';
import { platformName, type PlatformId, type SessionStatus } from '../core/platform.js';
import type { SessionStatusFile } from './session-status.js';
import { CredentialsRefusedError, LoginRequiredError, type Uploader } from './uploader.js';
import { Serial } from '../core/serial.js';
import { backoff } from '../core/retry.js';

/** When the saved session last changed: a new login shows as a new time. */
export interface SavedSession {
  savedAt(): Promise<number>;
}

export interface ConnectionDeps {
  readonly platform: PlatformId;
  /** Starts the uploader: TJ's browser (signing in when no session is saved), ExoClick's API session (logging in). */
  readonly open: () => Promise<Uploader>;
  readonly session: SavedSession;
  readonly status: Pick<SessionStatusFile, 'read' | 'write' | 'clear'>;
  /** {@link credentialsFingerprint} of the configured username and password. */
  readonly credentials: string;
  /** What the session is, as a sentence starts it: "The browser for TJ". `The <name> session` unless given. */
  readonly sessionName?: string;
  readonly events: ActivityBus;
  readonly log: Logger;
  /** After an uploader fails to start, the next try waits this long, doubling each time up to 5 min. */
  readonly reopenBackoffMs?: number;
}

/** The longest wait between two tries at starting the browser. */
const MAX_REOPEN_BACKOFF_MS = 5 * 60_000;

/** Tells two username–password pairs apart without keeping the password. */
export function credentialsFingerprint(username: string | undefined, password: string | undefined): string {
  return createHash('sha256')
    .update(`creative-flow\0${username ?? ''}\0${password ?? ''}`)
    .digest('hex');
}

/** The uploader (TJ's browser, ExoClick's API session) would not start, and is not tried again until its backoff has passed. */
export class SessionStartError extends CreativeFlowError {}

/** Work on a platform waits for a person: a login, or credentials it accepts. */
export class PlatformWaitsError extends CreativeFlowError {
  constructor(platform: PlatformId, message: string) {
    super(`Work on ${platformName(platform)} waits: ${message.replace(/\.$/, '')}`, {
      hint: 'Nothing was sent; run `creative-flow status` to see why.',
    });
  }
}

/**
 * One platform's session (TJ's browser, ExoClick's API session), and its only owner: upload
 * passes, status syncs, library walks and keep-alives wait their turn and run one at a time. The
 * uploader opens for the first piece of work that needs it and stays between passes (an idle
 * daemon holds no browser). When the platform asks for a person (TJ's captcha) or refuses the
 * credentials, work on it stops until `creative-flow login` saves a new session or the credentials
 * change: refused credentials are never tried twice, not even by a restart. Each platform has its
 * own, so one that waits for a person never holds back another.
 */
export class PlatformConnection {
  private uploader: Uploader | undefined;
  private lastUsed = 0;
  /** Starts of the browser that failed one after the other, and when the next may be tried. */
  private failedStarts = 0;
  private nextStartAt = 0;
  private readonly turns = new Serial();

  constructor(private readonly deps: ConnectionDeps) {}

  /**
   * Why work on the platform waits for a person, in plain words; undefined when it may go on. A
   * session saved since (a login) or other credentials end the wait, and the next piece of work
   * starts a fresh browser.
   */
  async waitingFor(): Promise<string | undefined> {
    const status = await this.deps.status.read();
    if (!status) return undefined;
    const loggedInSince = (await this.deps.session.savedAt()) > Date.parse(status.since);
    const otherCredentials = status.state === 'password-refused' && status.credentials !== this.deps.credentials;
    if (!loggedInSince && !otherCredentials) return status.message;
    const name = platformName(this.deps.platform);
    this.deps.log.info(
      { platform: this.deps.platform, was: status.state },
      loggedInSince
        ? `A new session was saved; work on ${name} resumes`
        : `The ${name} credentials changed; work on ${name} resumes`,
    );
    await this.deps.status.clear();
    await this.close();
    return undefined;
  }

  /** Runs work in the browser session once every earlier piece is done, opening the browser if need be. */
  use<T>(work: (uploader: Uploader) => Promise<T>): Promise<T> {
    return this.turns.run(() => this.runNow(work));
  }

  /** Stops work on the platform until a person signs in (`creative-flow login`). */
  async pauseForLogin(detail: string): Promise<void> {
    await this.stop({ state: 'login-required', since: new Date().toISOString(), message: detail });
  }

  /** Loads a page now and then while idle, as other tools do, so TJ does not end the session. */
  async keepAlive(everyMs = 5 * 60_000): Promise<void> {
    if (!this.uploader || Date.now() - this.lastUsed < everyMs) return;
    await this.use((uploader) => uploader.keepAlive()).catch((error: unknown) =>
      this.deps.log.warn(
        { err: error, platform: this.deps.platform },
        `Could not refresh the ${platformName(this.deps.platform)} session; the next upload signs in again if needed`,
      ),
    );
  }

  async close(): Promise<void> {
    const uploader = this.uploader;
    this.uploader = undefined;
    await uploader?.close();
  }

  private async runNow<T>(work: (uploader: Uploader) => Promise<T>): Promise<T> {
    const waiting = await this.waitingFor();
    if (waiting) throw new PlatformWaitsError(this.deps.platform, waiting);
    try {
      if (this.uploader && !this.uploader.alive) {
        // The browser crashed or was killed: the work goes on in a new one, not in a dead one for good.
        this.deps.log.warn({}, 'The browser went away; a new one is started for the work on TJ');
        await this.close().catch(() => undefined);
        this.deps.events.emit('browserRestarted');
      }
      this.uploader ??= await this.start();
      return await work(this.uploader);
    } catch (error) {
      if (error instanceof CredentialsRefusedError)
        await this.stop({
          state: 'password-refused',
          since: new Date().toISOString(),
          message: error.plain,
          credentials: this.deps.credentials,
        });
      else if (error instanceof LoginRequiredError) await this.pauseForLogin(error.plain);
      throw error;
    } finally {
      this.lastUsed = Date.now();
    }
  }

  /** Opens the browser; after one that would not start, not again before the backoff has passed. */
  private async start(): Promise<Uploader> {
    const waitMs = this.nextStartAt - Date.now();
    if (waitMs > 0) {
      const what = this.deps.sessionName ?? `The ${platformName(this.deps.platform)} session`;
      throw new SessionStartError(`${what} would not start; it is tried again in ${Math.ceil(waitMs / 1000)} s`, {
        hint: 'Check the machine with `creative-flow check`: Chromium installed, memory free, the platform reachable.',
      });
    }
    try {
      const uploader = await this.deps.open();
      this.failedStarts = 0;
      return uploader;
    } catch (error) {
      // A sign-in that needs a person is not a browser that would not start: the login wait covers it.
      if (!(error instanceof LoginRequiredError || error instanceof CredentialsRefusedError)) {
        this.failedStarts += 1;
        this.nextStartAt =
          Date.now() +
          backoff(this.failedStarts, { baseMs: this.deps.reopenBackoffMs ?? 5_000, maxMs: MAX_REOPEN_BACKOFF_MS });
      }
      throw error;
    }
  }

  private async stop(status: SessionStatus): Promise<void> {
    await this.deps.status.write(status);
    this.deps.log.error(
      { platform: this.deps.platform, state: status.state },
      `Work on ${platformName(this.deps.platform)} paused: ${status.message}`,
    );
    this.deps.events.emit('platform', this.deps.platform, status);
    await this.close();
  }
}
