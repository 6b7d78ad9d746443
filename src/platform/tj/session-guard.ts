import { CreativeFlowError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { LoginRequiredError } from '../uploader.js';
import { SessionEndedError } from './tj-page.js';

/** Sign-ins one piece of work may make for sessions that ended under it, progress or not: past this, TJ ends them at one step every time. */
const MAX_SIGN_INS_PER_RUN = 3;

/** TJ ended the session at the same piece of work after every sign-in: not a person's login to do, a step that keeps failing. */
export class SessionKeepsEndingError extends CreativeFlowError {
  constructor(what: string, last: string) {
    super(
      `TJ ended the session ${MAX_SIGN_INS_PER_RUN + 1} times during ${what}, signing in again each time (last: ${last})`,
      {
        hint: 'It is tried again at the next pass; if it keeps happening, run `creative-flow check` and look at the screenshots in data/screenshots/.',
      },
    );
  }
}

/**
 * Keeps a piece of TJ work going through the end of its session. TJ ends a session after some
 * minutes, and a walk of 500 pages outlives one; its end may show at any request (a page sent to
 * sign-in, an upload or a grid refused). The work is then signed in again, headless, with the
 * saved credentials, and run again: each piece of work keeps its own state (the page a walk
 * reached, a batch already sent, ads already confirmed), so it goes on from where it was rather
 * than from the start.
 *
 * A person is asked only when signing in needs one (a captcha, a refused password: those errors
 * come from the sign-in itself) or when the session a sign-in gave ends again before the work made
 * any progress (no page read, no file confirmed): signing in over and over would not help. Both
 * counts are the piece of work's own, from its start.
 */
export class SessionGuard {
  /** Sign-ins made for the work under way since it last made progress. */
  private signInsSinceProgress = 0;
  private total = 0;

  constructor(
    private readonly signIn: (why: string) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** Sign-ins made for sessions that ended, so far: one made after a moment says the session ended since. */
  get signIns(): number {
    return this.total;
  }

  /** The work read a page or confirmed a file: a session that ends after this is signed in again. */
  progressed(): void {
    this.signInsSinceProgress = 0;
  }

  /** Runs `work`, signing in again and running it once more each time the session ends under it. */
  async run<T>(what: string, work: () => Promise<T>): Promise<T> {
    this.signInsSinceProgress = 0;
    for (let signIns = 0; ; signIns += 1) {
      try {
        return await work();
      } catch (error) {
        if (!(error instanceof SessionEndedError)) throw error;
        if (this.signInsSinceProgress > 0) {
          throw new LoginRequiredError(
            `the session TJ gave at sign-in ended again during ${what} before anything was read: ${error.message}`,
          );
        }
        if (signIns === MAX_SIGN_INS_PER_RUN) throw new SessionKeepsEndingError(what, error.message);
        this.log.warn(
          { what, reason: error.message },
          'TJ ended the session; signing in again to go on from where the work was',
        );
        this.signInsSinceProgress += 1;
        this.total += 1;
        await this.signIn(`${error.message} during ${what}`);
      }
    }
  }
}
