import type { Browser, BrowserContext } from 'playwright';
import type { ActivityBus } from '../../core/events.js';
import type { Layout } from '../../core/layout.js';
import type { Logger } from '../../core/logger.js';
import type { AdsRequest, CreateAdsOutcome, ListedCard, UploadTarget } from '../../core/platform.js';
import type { StorageRepository } from '../../store/storage.repository.js';
import type { LookUpResult, UploadFile, Uploader, UploadResult } from '../uploader.js';
import { launchBrowser } from './browser.js';
import { Dropzone, type PreviewOutcome } from './dropzone.js';
import { Evidence } from './evidence.js';
import { AWAY_LISTINGS, LISTINGS, TARGET_LISTINGS, TJ, TJ_HINTS } from './selectors.js';
import { TjCampaigns } from './tj-campaigns.js';
import { ListingWalk, TjLibrary, type ListedBefore } from './tj-library.js';
import { SessionGuard } from './session-guard.js';
import { SessionFile, signIn, type TjConnection } from './tj-session.js';
import { SessionEndedError, TjPage } from './tj-page.js';
import { documentToken, uploadRequests, uploadStatuses, watchPages } from './page-watch.js';

/** What the TJ adapter writes: its session, and evidence of failures, where the layout says. */
export interface TjAdapterDeps {
  readonly layout: Layout;
  readonly storage: StorageRepository;
  readonly log: Logger;
  /** Told of every failure that left a screenshot (the dashboard lists them). */
  readonly events?: Pick<ActivityBus, 'emit'>;
}

/** HTTP statuses of an upload that say nothing about the file: a fault, retried after a look at the library. */
const FAULT_STATUSES = new Set([0, 408, 429]);

/**
 * Where one batch's upload has got to, kept across sign-ins: once its files may have reached TJ,
 * a session that ends sends the work on to the read-back, never to a second send.
 */
interface BatchProgress {
  /** The ids the listing showed before the upload. */
  before?: ListedBefore;
  /** Set the moment the files may reach TJ: the HTTP status each file's upload got (none known when the step broke off). */
  sent?: {
    readonly statuses: ReadonlyMap<string, number>;
    readonly previews: ReadonlyMap<string, PreviewOutcome>;
    readonly signIns: number;
  };
}

/** TJ's Media Library through a headless browser: one page, one piece of work at a time. */
export class TjUploader implements Uploader {
  private readonly dropzone: Dropzone;
  private readonly library: TjLibrary;
  private readonly guard: SessionGuard;

  private constructor(
    private readonly browser: Browser,
    private readonly context: BrowserContext,
    private readonly tj: TjPage,
    private readonly connection: TjConnection,
    private readonly session: SessionFile,
    private readonly evidence: Evidence,
    private readonly deps: TjAdapterDeps,
    /** Whether closing the uploader closes the browser (not one lent to it). */
    private readonly ownsBrowser: boolean,
  ) {
    this.dropzone = new Dropzone(tj.page);
    this.guard = new SessionGuard((why) => this.signIn(why), deps.log);
    this.library = new TjLibrary(tj, {
      openSignedIn: (...args) => this.openSignedIn(...args),
      appUrl: connection.appUrl,
      log: deps.log,
      onPageRead: () => this.guard.progressed(),
      onWalkPage: (part, done, last) =>
        deps.events?.emit('progress', { work: 'walk', part, done, unit: 'pages', ...(last ? { total: done } : {}) }),
    });
  }

  /**
   * Starts a browser on the saved session; with none saved yet, signs in first. `browser`: one to
   * work in (a new context of it) instead of a browser of its own, which it then leaves open.
   */
  static async open(connection: TjConnection, deps: TjAdapterDeps, browser?: Browser): Promise<TjUploader> {
    const session = new SessionFile(deps.layout.sessionFile, deps.storage);
    const evidence = new Evidence(deps.layout, deps.storage, deps.log, deps.events);
    const age = await session.ageDays();
    if (connection.sessionMaxDays !== undefined && age > connection.sessionMaxDays) {
      deps.log.info(
        { days: Math.floor(age), max: connection.sessionMaxDays },
        'The saved TJ session is older than SESSION_MAX_DAYS: dropped, signing in afresh',
      );
      await session.drop();
    }
    const owned =
      browser ?? (await launchBrowser({ headless: true, chromiumPath: connection.chromiumPath, log: deps.log }));
    let context: BrowserContext | undefined;
    try {
      const saved = await session.exists();
      context = await owned.newContext(saved ? { storageState: session.file } : {});
      await watchPages(context);
      const page = await context.newPage();
      page.setDefaultTimeout(TJ.navigationMs);
      const uploader = new TjUploader(
        owned,
        context,
        new TjPage(page, evidence),
        connection,
        session,
        evidence,
        deps,
        browser === undefined,
      );
      if (!saved) await uploader.signIn('no session is saved yet');
      return uploader;
    } catch (error) {
      await context?.close().catch(() => undefined);
      if (!browser) await owned.close();
      throw error;
    }
  }

  get pagesRead(): number {
    return this.library.pagesRead;
  }

  get alive(): boolean {
    return this.browser.isConnected();
  }

  async upload(target: UploadTarget, files: readonly UploadFile[]): Promise<Map<string, UploadResult>> {
    const batch: BatchProgress = {};
    return this.guard.run(`the upload of ${files.length} files to ${TARGET_LISTINGS[target].type}`, () =>
      this.send(target, files, batch),
    );
  }

  /**
   * One batch: the listing read before, the files sent, then each looked up by name. A session
   * that ends under it runs it again, signed in, from where `batch` says it was: files that may
   * have reached TJ are never sent again here. One that TJ did not keep comes back `failed` and
   * `checked` once its listing, read through since, shows it absent: the caller may send it again.
   */
  private async send(
    target: UploadTarget,
    files: readonly UploadFile[],
    batch: BatchProgress,
  ): Promise<Map<string, UploadResult>> {
    const listing = TARGET_LISTINGS[target];
    // The ids already listed, from the listing we upload into: only cards not among them can be ours.
    batch.before ??= await this.library.listedBefore(listing);
    const before = batch.before;
    if (!batch.sent) {
      // From here the files may reach TJ: whatever happens, the work goes on from the read-back.
      batch.sent = { statuses: new Map(), previews: new Map(), signIns: this.guard.signIns };
      batch.sent = await this.sendFiles(target, files, before, batch.sent.signIns);
      const signedOut = files.filter(
        (file) =>
          statusIn(batch.sent?.statuses, file.name) === 401 ||
          TJ_HINTS.sessionError.test(batch.sent?.previews.get(file.name)?.message ?? ''),
      );
      if (signedOut.length > 0)
        throw new SessionEndedError(
          `TJ refused the upload of ${signedOut.map((file) => file.name).join(', ')} as signed out`,
        );
    }
    const { statuses, previews, signIns } = batch.sent;
    const statusOf = (name: string): number | undefined => statusIn(statuses, name);

    // Every name is looked up before anything could be sent again; a name not seen at once is looked for on the listing loaded afresh, read through.
    const seen = await this.library.lookUpUploaded(
      listing,
      AWAY_LISTINGS[target],
      files.map((file) => file.name),
      before.ids,
    );
    const refusedFor = (name: string): string | undefined => {
      const status = statusOf(name);
      if (status === undefined || status < 400 || status >= 500 || FAULT_STATUSES.has(status)) return undefined;
      return previews.get(name)?.message || `TJ refused it (HTTP ${status})`;
    };
    // A dead session's calls fail too (the contract), and not always as 401: TJ's word is taken only from a session that lived through the upload.
    if (
      files.some((file) => !seen.found.has(file.name) && refusedFor(file.name) !== undefined) &&
      this.guard.signIns === signIns
    )
      await this.library.open();
    const sessionEnded = this.guard.signIns > signIns;

    const results = new Map<string, UploadResult>();
    for (const file of files) {
      const card = seen.found.get(file.name);
      const status = statusOf(file.name);
      const refusal = refusedFor(file.name);
      // A new card of its name is its own, whatever the answer said (TJ kept it before the connection dropped); an old one is what TJ already had.
      if (card)
        results.set(file.name, { status: card.fresh ? 'uploaded' : 'duplicate', creativeId: card.card.creativeId });
      else if (refusal !== undefined && !sessionEnded && status !== 401)
        results.set(file.name, { status: 'rejected', message: refusal });
      else
        results.set(file.name, {
          status: 'failed',
          message: failureOf(status, previews.get(file.name), sessionEnded),
          checked: seen.complete,
        });
    }
    if (seen.found.size > 0) this.guard.progressed();
    const failed = [...results].filter(([, result]) => result.status === 'failed');
    if (failed.length > 0)
      await this.evidence.capture(
        this.tj.page,
        `upload-${target}`,
        `Not on TJ after the upload to ${listing.type}: ${failed.map(([name, result]) => `${name} (${result.status === 'failed' ? result.message : ''})`).join('; ')}`,
      );
    return results;
  }

  /** Sets the files on Dropzone and waits for every preview: what each file's upload answered, by the name it was sent under. */
  private async sendFiles(
    target: UploadTarget,
    files: readonly UploadFile[],
    before: ListedBefore,
    signIns: number,
  ): Promise<NonNullable<BatchProgress['sent']>> {
    const listing = TARGET_LISTINGS[target];
    const sentBefore = (await uploadRequests(this.tj.page)).length;
    const doc = await documentToken(this.tj.page);
    const m = TJ.mediaLibrary;
    let previews = new Map<string, PreviewOutcome>();
    try {
      previews = await this.tj.step(
        `upload ${files.length} files to ${listing.type}`,
        `${m.newCreatives}, then ${m.fileInput} and a ${m.preview} per file`,
        async () => {
          return this.dropzone.send(files, () => this.tj.click(this.tj.page.locator(m.newCreatives).first()));
        },
      );
    } catch (error) {
      // A step that failed before any file went (the upload button never showed, on the same page) is said as it is.
      const went = await uploadRequests(this.tj.page).then(
        (requests) => requests.length,
        () => undefined,
      );
      const samePage = (await documentToken(this.tj.page)) === doc;
      if (error instanceof SessionEndedError || (samePage && went === sentBefore)) throw error;
      // Some may have gone: what TJ kept is told by the read-back, never by a second send.
      this.deps.log.warn(
        { err: error, listing: listing.type },
        'The upload step failed after files were sent; they are looked up before anything is sent again',
      );
      return { statuses: new Map(), previews, signIns };
    }
    const requests = (await uploadRequests(this.tj.page)).slice(sentBefore);
    if (before.reused) {
      // Dropzone sent nothing for a file from a page it had sent a batch from: this build takes a batch a page. The file is looked up like any other.
      const unsent = files.filter(
        (file) => !requests.some((request) => request.names.some((sent) => sentAs(sent, file.name))),
      );
      if (unsent.length > 0)
        this.library.stopReusingPages(`Dropzone sent no request for ${unsent.map((file) => file.name).join(', ')}`);
    }
    return { statuses: uploadStatuses(requests), previews, signIns };
  }

  /** TJ keeps one creative per name in a listing, so the name alone tells. */
  async find(target: UploadTarget, files: readonly UploadFile[], maxPages: number): Promise<LookUpResult> {
    const listing = TARGET_LISTINGS[target];
    const { found, complete } = await this.guard.run(`a look-up in ${listing.type}`, () =>
      this.library.find(
        listing,
        files.map((file) => file.name),
        maxPages,
      ),
    );
    return { found: new Map([...found].map(([name, { card }]) => [name, card])), complete };
  }

  /** TJ lists newest first (the contract), so a page all older than `olderThan` ends its listing. A session that ends mid-walk is signed in again and the walk goes on from its page. */
  async listAll(maxPages: number, olderThan?: string, signal?: AbortSignal): Promise<ListedCard[]> {
    const cards: ListedCard[] = [];
    for (const listing of LISTINGS) {
      if (signal?.aborted) break;
      const walk = new ListingWalk();
      cards.push(
        ...(await this.guard.run(`the walk of the ${listing.type} listing`, () =>
          this.library.list(listing, maxPages, olderThan, walk, signal),
        )),
      );
    }
    return cards;
  }

  /** A session that ends under it runs it again from the campaign's page: the ads its table shows by then are not sent again. */
  async createAds(campaignId: string, ads: AdsRequest): Promise<CreateAdsOutcome> {
    const campaigns = new TjCampaigns(this.tj, {
      openSignedIn: (...args) => this.openSignedIn(...args),
      appUrl: this.connection.appUrl,
      layout: this.deps.layout,
      storage: this.deps.storage,
      onPageRead: () => this.guard.progressed(),
    });
    const confirmed = new Set<string>();
    return this.guard.run(`the ads of campaign ${campaignId}`, () => campaigns.createAds(campaignId, ads, confirmed));
  }

  async keepAlive(): Promise<void> {
    await this.guard.run('a keep-alive', () => this.library.open());
    await this.session.save(this.context);
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    if (this.ownsBrowser) await this.browser.close();
  }

  private async signIn(why: string): Promise<void> {
    this.deps.log.info({ why }, 'Signing in to TJ');
    // Headless: this only works where no captcha stands in the way; otherwise a person runs `creative-flow login`.
    await signIn(this.context, this.connection, this.session, this.evidence, 10_000);
  }

  /** A page of the app, signed in, once `ready` says it is drawn; a session that ended is said so, for the guard to sign in again. */
  private async openSignedIn(
    url: string,
    step: string,
    waitsFor: string,
    ready: () => Promise<void>,
    pageTexts: readonly string[] = [],
  ): Promise<void> {
    await this.tj.step(
      step,
      `${waitsFor} or a signed-out page`,
      async () => {
        if ((await this.tj.open(url, pageTexts)) === 'out')
          throw new SessionEndedError(`signed out at ${new URL(url).pathname}`);
        await ready();
      },
      { pageTexts },
    );
  }
}

/** The HTTP status the upload of `name` got, whatever extension it was sent with. */
function statusIn(statuses: ReadonlyMap<string, number> | undefined, name: string): number | undefined {
  for (const [sent, status] of statuses ?? []) if (sentAs(sent, name)) return status;
  return undefined;
}

/** Whether a file sent as `sent` (with its extension) is the one TJ shows as `name`. */
function sentAs(sent: string, name: string): boolean {
  return sent === name || sent.startsWith(`${name}.`);
}

/** Why a file is not on TJ after its upload, in plain words. */
function failureOf(status: number | undefined, preview: PreviewOutcome | undefined, sessionEnded: boolean): string {
  if (sessionEnded)
    return `TJ's session ended around the upload${status === undefined ? '' : ` (HTTP ${status})`}, and the file is not in its listing`;
  if (status !== undefined && status >= 200 && status < 300)
    return 'TJ accepted the file but no card with its name appeared';
  return preview?.message || (status === undefined ? 'No answer came for this file' : `HTTP ${status}`);
}
