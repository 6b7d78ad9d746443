import type { Browser, BrowserContext } from 'playwright';
import type { ActivityBus } from '../../core/events.js';
import type { Layout } from '../../core/layout.js';
import type { Logger } from '../../core/logger.js';
import type { AdsRequest, CreateAdsOutcome, LibraryCard, ListedCard, UploadTarget } from '../../core/platform.js';
import type { StorageRepository } from '../../store/storage.repository.js';
import { LoginRequiredError, type UploadFile, type Uploader, type UploadResult } from '../uploader.js';
import { launchBrowser } from './browser.js';
import { Dropzone } from './dropzone.js';
import { Evidence } from './evidence.js';
import { AWAY_LISTINGS, LISTINGS, TARGET_LISTINGS, TJ, TJ_HINTS } from './selectors.js';
import { TjCampaigns } from './tj-campaigns.js';
import { TjLibrary } from './tj-library.js';
import { SessionFile, signIn, type TjConnection } from './tj-session.js';
import { TjPage } from './tj-page.js';
import { uploadRequests, uploadStatuses, watchPages } from './page-watch.js';

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

/** TJ's Media Library through a headless browser: one page, one piece of work at a time. */
export class TjUploader implements Uploader {
  private readonly dropzone: Dropzone;
  private readonly library: TjLibrary;
  /** Sign-ins this browser made: a check of the session that signed in again says it had died. */
  private signIns = 0;

  private constructor(
    private readonly browser: Browser,
    private readonly context: BrowserContext,
    private readonly tj: TjPage,
    private readonly connection: TjConnection,
    private readonly session: SessionFile,
    private readonly evidence: Evidence,
    private readonly deps: TjAdapterDeps,
  ) {
    this.dropzone = new Dropzone(tj.page);
    this.library = new TjLibrary(tj, (url, step, waitsFor, ready) => this.openSignedIn(url, step, waitsFor, ready), connection.appUrl, deps.log);
  }

  /** Starts a browser on the saved session; with none saved yet, signs in first. */
  static async open(connection: TjConnection, deps: TjAdapterDeps): Promise<TjUploader> {
    const session = new SessionFile(deps.layout.sessionFile, deps.storage);
    const evidence = new Evidence(deps.layout, deps.storage, deps.log, deps.events);
    const age = await session.ageDays();
    if (connection.sessionMaxDays !== undefined && age > connection.sessionMaxDays) {
      deps.log.info({ days: Math.floor(age), max: connection.sessionMaxDays }, 'The saved TJ session is older than SESSION_MAX_DAYS: dropped, signing in afresh');
      await session.drop();
    }
    const browser = await launchBrowser({ headless: true, chromiumPath: connection.chromiumPath });
    try {
      const saved = await session.exists();
      const context = await browser.newContext(saved ? { storageState: session.file } : {});
      await watchPages(context);
      const page = await context.newPage();
      page.setDefaultTimeout(TJ.navigationMs);
      const uploader = new TjUploader(browser, context, new TjPage(page, evidence), connection, session, evidence, deps);
      if (!saved) await uploader.signIn('no session is saved yet');
      return uploader;
    } catch (error) {
      await browser.close();
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
    return this.send(target, files, false);
  }

  /** One batch; `sessionChecked` once a refusal made us check the session again (so it goes again at most once). */
  private async send(target: UploadTarget, files: readonly UploadFile[], sessionChecked: boolean): Promise<Map<string, UploadResult>> {
    const listing = TARGET_LISTINGS[target];
    // The ids already listed, from the listing we upload into: only cards not among them can be ours.
    const before = await this.library.listedBefore(listing);
    const sentBefore = (await uploadRequests(this.tj.page)).length;
    const m = TJ.mediaLibrary;
    const previews = await this.tj.step(`upload ${files.length} files to ${listing.type}`, `${m.newCreatives}, then ${m.fileInput} and a ${m.preview} per file`, async () => {
      return this.dropzone.send(files, () => this.tj.click(this.tj.page.locator(m.newCreatives).first()));
    });
    const requests = (await uploadRequests(this.tj.page)).slice(sentBefore);
    const statuses = uploadStatuses(requests);

    const matches = (sent: string, name: string): boolean => sent === name || sent.startsWith(`${name}.`);
    const statusOf = (name: string): number | undefined => [...statuses].find(([sent]) => matches(sent, name))?.[1];
    const refused = (status: number | undefined): boolean => status !== undefined && status >= 400 && status < 500 && !FAULT_STATUSES.has(status);
    if (before.reused) {
      // The page was not loaded for this batch and TJ refused every file as signed out: the session died since the last one. TJ kept none of them (a 401 is a refusal, not a fault), so they go again, the page loaded afresh and signed in again.
      if (files.every((file) => statusOf(file.name) === 401)) return this.send(target, files, sessionChecked);
      // Dropzone sent nothing for a file from a page it had sent a batch from: this build takes a batch a page. The file is looked up like any other below.
      const unsent = files.filter((file) => !requests.some((request) => request.names.some((sent) => matches(sent, file.name))));
      if (unsent.length > 0) this.library.stopReusingPages(`Dropzone sent no request for ${unsent.map((file) => file.name).join(', ')}`);
    }

    // Every name TJ did not refuse is looked up before anything could be sent again; a name not seen at once is looked for on the listing loaded afresh, read through.
    const seen = await this.library.lookUpUploaded(listing, AWAY_LISTINGS[target], files.map((file) => file.name).filter((name) => !refused(statusOf(name))), before.ids);
    const results = new Map<string, UploadResult>();
    /** Files refused as signed out (a 401, or the preview says so), with what was said. */
    const signedOut = new Map<string, string>();
    for (const file of files) {
      const card = seen.found.get(file.name);
      const preview = previews.get(file.name);
      const status = statusOf(file.name);
      // A new card of its name is its own, whatever the answer said (TJ kept it before the connection dropped); an old one is what TJ already had.
      if (card) results.set(file.name, { status: card.fresh ? 'uploaded' : 'duplicate', creativeId: card.card.creativeId });
      else if (status === 401 || (preview && !preview.ok && TJ_HINTS.sessionError.test(preview.message))) signedOut.set(file.name, preview?.message || 'an upload was refused for a dead session');
      else if (refused(status)) results.set(file.name, { status: 'rejected', message: preview?.message || `TJ refused it (HTTP ${status})` });
      else {
        const accepted = status !== undefined && status >= 200 && status < 300;
        const message = accepted ? 'TJ accepted the file but no card with its name appeared' : preview?.message || (status === undefined ? 'No answer came for this file' : `HTTP ${status}`);
        results.set(file.name, { status: 'failed', message, checked: seen.complete });
      }
    }
    const refusals = files.filter((file) => signedOut.has(file.name) || results.get(file.name)?.status === 'rejected');
    if (!sessionChecked && refusals.length > 0) {
      // A dead session's calls fail too (the contract), and not always as 401: before TJ's word is
      // taken, the session is checked again (signing in again when it can). If it had died, the
      // files it refused go again, once, signed in; TJ kept none of them.
      const signIns = this.signIns;
      await this.library.open();
      if (this.signIns > signIns) {
        for (const [name, result] of await this.send(target, refusals, true)) results.set(name, result);
        signedOut.clear();
      }
    }
    const [outMessage] = signedOut.values();
    if (outMessage !== undefined) throw new LoginRequiredError(outMessage);
    if ([...results.values()].some((result) => result.status === 'failed')) await this.evidence.capture(this.tj.page, `upload-${target}`);
    return results;
  }

  /** TJ keeps one creative per name in a listing, so the name alone tells. */
  async find(target: UploadTarget, files: readonly UploadFile[], maxPages: number): Promise<Map<string, LibraryCard>> {
    const found = await this.library.find(TARGET_LISTINGS[target], files.map((file) => file.name), maxPages);
    return new Map([...found].map(([name, { card }]) => [name, card]));
  }

  /** TJ lists newest first (the contract), so a page all older than `olderThan` ends its listing. */
  async listAll(maxPages: number, olderThan?: string): Promise<ListedCard[]> {
    const cards: ListedCard[] = [];
    for (const listing of LISTINGS) cards.push(...(await this.library.list(listing, maxPages, olderThan)));
    return cards;
  }

  async createAds(campaignId: string, ads: AdsRequest): Promise<CreateAdsOutcome> {
    const campaigns = new TjCampaigns(this.tj, (url, step, waitsFor, ready) => this.openSignedIn(url, step, waitsFor, ready), this.connection.appUrl, this.deps.layout, this.deps.storage);
    return campaigns.createAds(campaignId, ads);
  }

  async keepAlive(): Promise<void> {
    await this.library.open();
    await this.session.save(this.context);
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await this.browser.close();
  }

  private async signIn(why: string): Promise<void> {
    this.signIns += 1;
    this.deps.log.info({ why }, 'Signing in to TJ');
    // Headless: this only works where no captcha stands in the way; otherwise a person runs `creative-flow login`.
    await signIn(this.context, this.connection, this.session, this.evidence, 10_000);
  }

  /** A page of the app, signed in (again, if the session died), once `ready` says it is drawn. */
  private async openSignedIn(url: string, step: string, waitsFor: string, ready: () => Promise<void>): Promise<void> {
    await this.tj.step(step, `${waitsFor} or a signed-out page`, async () => {
      if ((await this.tj.open(url)) === 'out') {
        await this.signIn('the session is dead');
        if ((await this.tj.open(url)) === 'out') throw new LoginRequiredError('still signed out after signing in');
      }
      await ready();
    });
  }
}
