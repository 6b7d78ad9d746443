import type { Browser, BrowserContext } from 'playwright';
import type { ActivityBus } from '../../core/events.js';
import type { Layout } from '../../core/layout.js';
import type { Logger } from '../../core/logger.js';
import { compareCreativeIds, type AdsRequest, type CreateAdsOutcome, type LibraryCard, type ListedCard, type UploadTarget } from '../../core/platform.js';
import type { StorageRepository } from '../../store/storage.repository.js';
import { LoginRequiredError, type UploadFile, type Uploader, type UploadResult } from '../uploader.js';
import { launchBrowser } from './browser.js';
import { Dropzone } from './dropzone.js';
import { Evidence } from './evidence.js';
import { LIBRARY_CARDS, LISTINGS, TARGET_LISTINGS, TJ, TJ_HINTS, type Listing } from './selectors.js';
import { TjCampaigns } from './tj-campaigns.js';
import { SessionFile, signIn, type TjConnection } from './tj-session.js';
import { TjPage } from './tj-page.js';
import { uploadStatuses, watchPages } from './page-watch.js';

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
  private pages = 0;
  private readonly dropzone: Dropzone;

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
    return this.pages;
  }

  get alive(): boolean {
    return this.browser.isConnected();
  }

  async upload(target: UploadTarget, files: readonly UploadFile[]): Promise<Map<string, UploadResult>> {
    const listing = TARGET_LISTINGS[target];
    await this.openListing(listing);
    // The ids already listed, from the listing we upload into: only cards not among them can be ours.
    const before = new Set((await this.read()).map((card) => card.creativeId));
    const m = TJ.mediaLibrary;
    const previews = await this.tj.step(`upload ${files.length} files to ${listing.type}`, `${m.newCreatives}, then ${m.fileInput} and a ${m.preview} per file`, async () => {
      return this.dropzone.send(files, () => this.tj.click(this.tj.page.locator(m.newCreatives).first()));
    });
    const statuses = await uploadStatuses(this.tj.page);

    const statusOf = (name: string): number | undefined => [...statuses].find(([sent]) => sent === name || sent.startsWith(`${name}.`))?.[1];
    const refused = (status: number | undefined): boolean => status !== undefined && status >= 400 && status < 500 && !FAULT_STATUSES.has(status);

    // The listing reloaded, read through: every name TJ did not refuse is looked up before anything could be sent again.
    await this.openListing(listing);
    const seen = await this.lookUp(listing, files.map((file) => file.name).filter((name) => !refused(statusOf(name))), TJ.maxPages, before);
    const results = new Map<string, UploadResult>();
    for (const file of files) {
      const card = seen.found.get(file.name);
      const preview = previews.get(file.name);
      const status = statusOf(file.name);
      // A new card of its name is its own, whatever the answer said (TJ kept it before the connection dropped); an old one is what TJ already had.
      if (card) results.set(file.name, { status: card.fresh ? 'uploaded' : 'duplicate', creativeId: card.card.creativeId });
      else if (status === 401 || (preview && !preview.ok && TJ_HINTS.sessionError.test(preview.message))) throw new LoginRequiredError(preview?.message || 'an upload was refused for a dead session');
      else if (refused(status)) results.set(file.name, { status: 'rejected', message: preview?.message || `TJ refused it (HTTP ${status})` });
      else {
        const accepted = status !== undefined && status >= 200 && status < 300;
        const message = accepted ? 'TJ accepted the file but no card with its name appeared' : preview?.message || (status === undefined ? 'No answer came for this file' : `HTTP ${status}`);
        results.set(file.name, { status: 'failed', message, checked: seen.complete });
      }
    }
    if ([...results.values()].some((result) => result.status === 'failed')) await this.evidence.capture(this.tj.page, `upload-${target}`);
    return results;
  }

  /** TJ keeps one creative per name in a listing, so the name alone tells. */
  async find(target: UploadTarget, files: readonly UploadFile[], maxPages: number): Promise<Map<string, LibraryCard>> {
    const listing = TARGET_LISTINGS[target];
    await this.openListing(listing);
    const { found } = await this.lookUp(listing, files.map((file) => file.name), maxPages, new Set());
    return new Map([...found].map(([name, { card }]) => [name, card]));
  }

  /** TJ lists newest first (the contract), so a page all older than `olderThan` ends its listing. */
  async listAll(maxPages: number, olderThan?: string): Promise<ListedCard[]> {
    const cards: ListedCard[] = [];
    for (const listing of LISTINGS) {
      await this.openListing(listing);
      await this.tj.step(`read the ${listing.type} listing`, `the next page of the ${listing.type} listing`, async () => {
        for (let page = 1; page <= maxPages; page += 1) {
          const onPage = await this.read();
          for (const card of onPage) cards.push({ ...card, creativeType: listing.type });
          if (olderThan !== undefined && onPage.every((card) => compareCreativeIds(card.creativeId, olderThan) < 0)) break;
          if (page === maxPages) this.deps.log.warn({ listing: listing.type, maxPages }, 'Stopped at the page limit; raise LIBRARY_MAX_PAGES to read further');
          if (!(await this.tj.nextPage(LIBRARY_CARDS, `the ${listing.type} listing`))) break;
        }
      });
    }
    return cards;
  }

  async createAds(campaignId: string, ads: AdsRequest): Promise<CreateAdsOutcome> {
    const campaigns = new TjCampaigns(this.tj, (url, step, waitsFor, ready) => this.openSignedIn(url, step, waitsFor, ready), this.connection.appUrl, this.deps.layout, this.deps.storage);
    return campaigns.createAds(campaignId, ads);
  }

  async keepAlive(): Promise<void> {
    await this.openLibrary();
    await this.session.save(this.context);
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await this.browser.close();
  }

  private async signIn(why: string): Promise<void> {
    this.deps.log.info({ why }, 'Signing in to TJ');
    // Headless: this only works where no captcha stands in the way; otherwise a person runs `creative-flow login`.
    await signIn(this.context, this.connection, this.session, this.evidence, 10_000);
  }

  /** The Media Library, signed in (again, if the session died), its first listing drawn (whichever it is). */
  private async openLibrary(): Promise<void> {
    const m = TJ.mediaLibrary;
    await this.openSignedIn(new URL(m.path, this.connection.appUrl).href, 'open the Media Library', `"${m.loadedText}" and its first listing`, async () => {
      await this.tj.settle(LIBRARY_CARDS, undefined, `the Media Library's first listing`);
    });
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

  /**
   * The library on a listing's tab and, for Native, its sub-type. Which tab shows at open is not
   * known: the tab is clicked unless it is marked as shown, and each click is followed by the new
   * listing, never a sleep.
   */
  private async openListing(listing: Listing): Promise<void> {
    await this.openLibrary();
    const tabSays = [...listing.tab.selectors, `a link "${listing.tab.text}"`].join(' | ');
    await this.tj.step(`open the ${listing.type} listing`, listing.subType ? `${tabSays}, then label:has(${listing.subType})` : tabSays, async () => {
      const tab = await this.tj.tab(listing.tab);
      if (!tab) throw new Error(`no tab for ${listing.type} is on screen`);
      if (!(await this.tj.marked(tab))) await this.tj.changeListing(() => this.tj.click(tab), LIBRARY_CARDS, `the ${listing.type} listing`);
      if (listing.subType) {
        const radio = this.tj.page.locator(listing.subType).first();
        if (!(await radio.isChecked())) await this.tj.changeListing(() => this.tj.click(this.tj.page.locator(`label:has(${listing.subType})`).first()), LIBRARY_CARDS, `the ${listing.type} listing`);
      }
    });
  }

  /** The cards of the grid on screen: one page of the library read. */
  private async read(): Promise<LibraryCard[]> {
    this.pages += 1;
    return this.tj.readCards();
  }

  /**
   * The listing on screen read newest first for `names`, a card per name, paging on while a name
   * is not found (at most `maxPages`): `complete` says it got to the last page. `fresh` says the
   * card came before any card of `before` (the ids listed before an upload): new cards come first.
   */
  private async lookUp(listing: Listing, names: readonly string[], maxPages: number, before: ReadonlySet<string>): Promise<{ found: Map<string, { card: LibraryCard; fresh: boolean }>; complete: boolean }> {
    const wanted = new Set(names);
    const found = new Map<string, { card: LibraryCard; fresh: boolean }>();
    let fresh = true;
    let complete = false;
    await this.tj.step(`look up ${names.length} names in ${listing.type}`, `the next page of the ${listing.type} listing`, async () => {
      for (let page = 1; page <= maxPages && wanted.size > 0; page += 1) {
        for (const card of await this.read()) {
          if (before.has(card.creativeId)) fresh = false;
          if (wanted.delete(card.name)) found.set(card.name, { card, fresh });
        }
        if (wanted.size > 0 && !(await this.tj.nextPage(LIBRARY_CARDS, `the ${listing.type} listing`))) complete = true;
        if (complete) break;
      }
    });
    return { found, complete };
  }
}
