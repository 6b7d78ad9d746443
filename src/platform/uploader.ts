import { CreativeFlowError } from '../core/errors.js';
import type { AdsRequest, CreateAdsOutcome, LibraryCard, ListedCard, UploadTarget } from '../core/platform.js';

/**
 * The one interface every platform's uploader implements: TJ through a browser, ExoClick through
 * its HTTP API. Platform details stay behind it.
 */

export interface UploadFile {
  /** Absolute path of the file to send. */
  readonly path: string;
  /** The name the platform shows: the file name without its extension. */
  readonly name: string;
}

/** What became of one file. */
export type UploadResult =
  | { readonly status: 'uploaded'; readonly creativeId: string }
  /** The platform already had this name and kept the old creative: its id. */
  | { readonly status: 'duplicate'; readonly creativeId: string }
  /** The platform refused the file, with its message. Not retried. */
  | { readonly status: 'rejected'; readonly message: string }
  /**
   * Not on the platform after a fault (a 500, a dropped connection), or nothing known: retried.
   * `checked`: the listing it was sent to was read through after the fault, and does not have it,
   * so it may be sent again without another look; otherwise the library is looked at first.
   */
  | { readonly status: 'failed'; readonly message: string; readonly checked?: boolean };

/** What a look-up found, by name; `complete`: it read the listing to its end, so a name it did not find is not there. */
export interface LookUpResult {
  readonly found: Map<string, LibraryCard>;
  readonly complete: boolean;
}

export interface Uploader {
  /** Uploads files of one target together; the results are keyed by name. */
  upload(target: UploadTarget, files: readonly UploadFile[]): Promise<Map<string, UploadResult>>;
  /**
   * Looks files up on the target's listing, reading at most `maxPages` pages, keyed by name. A
   * platform that shows names (TJ) goes by the name; one that keeps a second copy of the same
   * bytes (ExoClick) also matches the file's hash.
   */
  find(target: UploadTarget, files: readonly UploadFile[], maxPages: number): Promise<LookUpResult>;
  /** Pages of the platform's library read so far (for the benchmark: it must not grow with the library). */
  readonly pagesRead: number;
  /** False once the uploader cannot work any more (its browser crashed or was killed): a new one is opened. */
  readonly alive: boolean;
  /** Keeps an idle session alive (TJ ends it after some minutes without a request). */
  keepAlive(): Promise<void>;
  /**
   * Every creative of every listing, reading at most `maxPages` pages a listing. With `olderThan`,
   * a platform that lists newest first (TJ) stops a listing after the first page whose cards are
   * all older than that id (ids grow over time): a status sync need not read what it knows. Once
   * `signal` is aborted (the daemon stopping), it stops before its next page and returns what it
   * read: the caller, which asked for all, knows the list is short.
   */
  listAll(maxPages: number, olderThan?: string, signal?: AbortSignal): Promise<ListedCard[]>;
  /**
   * Creates ads in a campaign: the ads its table already shows are not sent again, the others are
   * sent, and its table is read afterwards to tell, by name, which were created.
   */
  createAds(campaignId: string, ads: AdsRequest): Promise<CreateAdsOutcome>;
  close(): Promise<void>;
}

/** The platform session is dead and a person must sign in again (`creative-flow login`). */
export class LoginRequiredError extends CreativeFlowError {
  constructor(detail: string) {
    super(`Signed out of the platform (${detail})`, {
      hint: 'Run `creative-flow login`, solve the captcha, and uploads resume on their own.',
    });
  }
}

/**
 * The platform refused our credentials (TJ's username and password, ExoClick's API token): trying
 * again with the same ones would only lock the account, so nothing is, until they change.
 */
export class CredentialsRefusedError extends CreativeFlowError {
  constructor(message: string, hint: string) {
    super(message, { hint });
  }

  static tj(username: string | undefined): CredentialsRefusedError {
    return new CredentialsRefusedError(
      `TJ does not recognize the username${username ? ` "${username}"` : ''} and password`,
      'Set the right TJ_USERNAME and TJ_PASSWORD in .env, or run `creative-flow login`; until then uploads wait (nothing is tried again with these) and ingest goes on.',
    );
  }
}
