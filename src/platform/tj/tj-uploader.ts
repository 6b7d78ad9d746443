import type { Browser, BrowserContext } from 'playwright';
import type { ActivityBus } from '../../core/events.js';
import type { Layout } from '../../core/layout.js';
import type { Logger } from '../../core/logger.js';
import type { AdsRequest, CreateAdsOutcome, LibraryCard, ListedCard, UploadTarget } from '../../core/platform.js';
import type { StorageRepository } from '../../store/storage.repository.js';
import { LoginRequiredError, type UploadFile, type Uploader, type UploadResult } from '../uploader.js';
import { launchBrowser } from './browser.js';
import { Evidence } from './evidence.js';
import { LISTINGS, TARGET_LISTINGS, TJ, type Listing } from './selectors.js';
import { TjCampaigns } from './tj-campaigns.js';
import { SessionFile, signIn, type TjConnection } from './tj-session.js';
import { TjPage } from './tj-page.js';
import { uploadStatuses, watchUploads } from './upload-watch.js';

/** What the TJ adapter writes: its session, and evidence of failures, where the layout says. */
export interface TjAdapterDeps {
  readonly layout: Layout;
  readonly storage: StorageRepository;
  readonly log: Logger;
  /** Told of every failure that left a screenshot (the dashboard lists them). */
  readonly events?: Pick<ActivityBus, 'emit'>;
}

interface PreviewOutcome {
  readonly name: string;
  readonly ok: boolean;
  readonly message: string;
}

/** HTTP statuses of an upload that say nothing about the file: a fault, retried after a look at the library. */
const FAULT_STATUSES = new Set([0, 408, 429]);

/** TJ's Media Library through a headless browser: one page, one piece of work at a time. */
export class TjUploader implements Uploader {
  private pages = 0;

  private constructor(
    private readonly browser: Browser,
    private readonly context: BrowserContext,
    private readonly tj: TjPage,
    private readonly connection: TjConnection,
    private readonly session: SessionFile,
    private readonly evidence: Evidence,
    private readonly deps: TjAdapterDeps,
  ) {}

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
      await watchUploads(context);
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

  async upload(target: UploadTarget, files: readonly UploadFile[]): Promise<Map<string, UploadResult>> {
    const listing = TARGET_LISTINGS[target];
    await this.openListing(listing);
    // The ids already listed, from the listing we upload into: only cards not among them can be ours.
    const before = new Set((await this.read()).map((card) => card.creativeId));
    const previews = await this.tj.step(`upload ${files.length} files to ${listing.type}`, `${TJ.mediaLibrary.newCreatives}, ${TJ.mediaLibrary.fileInput} and the previews`, async () => {
      await this.tj.click(this.tj.page.locator(TJ.mediaLibrary.newCreatives));
      await this.tj.page.setInputFiles(TJ.mediaLibrary.fileInput, files.map((file) => file.path));
      return this.waitForPreviews(files.length);
    });
    const statuses = await uploadStatuses(this.tj.page);

    await this.openListing(listing);
    const fresh = await this.newCards(before);
    const results = new Map<string, UploadResult>();
    const silent: string[] = [];
    for (const file of files) {
      const card = fresh.get(file.name);
      const preview = previews.find((candidate) => candidate.name === file.name || candidate.name.startsWith(`${file.name}.`));
      const status = [...statuses].find(([sent]) => sent === file.name || sent.startsWith(`${file.name}.`))?.[1];
      if (card) results.set(file.name, { status: 'uploaded', creativeId: card.creativeId });
      else if (status === 401 || (preview && !preview.ok && TJ.sessionError.test(preview.message))) throw new LoginRequiredError(preview?.message || 'an upload was refused for a dead session');
      else if (status !== undefined && status >= 200 && status < 300) silent.push(file.name);
      else if (status !== undefined && status >= 400 && status < 500 && !FAULT_STATUSES.has(status)) results.set(file.name, { status: 'rejected', message: preview?.message || `TJ refused it (HTTP ${status})` });
      else results.set(file.name, { status: 'failed', message: preview?.message || (status === undefined ? 'No answer came for this file' : `HTTP ${status}`) });
    }
    // Accepted without a new card: TJ silently refused a name it already has. Its id is the old card's.
    if (silent.length > 0) {
      const existing = await this.findByName(target, silent, TJ.maxPages);
      for (const name of silent) {
        const card = existing.get(name);
        results.set(name, card ? { status: 'duplicate', creativeId: card.creativeId } : { status: 'failed', message: 'TJ accepted the file but no card with its name appeared' });
      }
    }
    if ([...results.values()].some((result) => result.status === 'failed')) await this.evidence.capture(this.tj.page, `upload-${target}`);
    return results;
  }

  async findByName(target: UploadTarget, names: readonly string[], maxPages: number): Promise<Map<string, LibraryCard>> {
    const listing = TARGET_LISTINGS[target];
    await this.openListing(listing);
    const wanted = new Set(names);
    const found = new Map<string, LibraryCard>();
    await this.tj.step(`look up ${names.length} names in ${listing.type}`, 'the next page of the grid', async () => {
      for (let page = 1; page <= maxPages && wanted.size > 0; page += 1) {
        for (const card of await this.read()) if (wanted.delete(card.name)) found.set(card.name, card);
        if (wanted.size === 0 || !(await this.tj.nextPage())) break;
      }
    });
    return found;
  }

  async listAll(maxPages: number): Promise<ListedCard[]> {
    const cards: ListedCard[] = [];
    for (const listing of LISTINGS) {
      await this.openListing(listing);
      await this.tj.step(`read the ${listing.type} listing`, 'the next page of the grid', async () => {
        for (let page = 1; page <= maxPages; page += 1) {
          for (const card of await this.read()) cards.push({ ...card, creativeType: listing.type });
          if (page === maxPages) this.deps.log.warn({ listing: listing.type, maxPages }, 'Stopped at the page limit; raise LIBRARY_MAX_PAGES to read further');
          if (!(await this.tj.nextPage())) break;
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

  /** The Media Library, signed in (again, if the session died), its grid drawn. */
  private async openLibrary(): Promise<void> {
    await this.openSignedIn(new URL(TJ.mediaLibrary.path, this.connection.appUrl).href, 'open the Media Library', `"${TJ.mediaLibrary.loadedText}"`, () => this.tj.gridDrawn());
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

  /** The library on a listing's tab and, for Native, its sub-type: each click is followed by the new grid, never a sleep. */
  private async openListing(listing: Listing): Promise<void> {
    await this.openLibrary();
    await this.tj.step(`open the ${listing.type} listing`, [...listing.tab, listing.subType ?? ''].filter(Boolean).join(' | '), async () => {
      const tab = await this.tj.first(listing.tab);
      const active = await tab.evaluate((node) => `${node.className} ${node.parentElement?.className ?? ''}`.includes('active'));
      if (!active) await this.tj.reloadGrid(() => this.tj.click(tab));
      if (listing.subType) {
        const label = this.tj.page.locator(listing.subType);
        if (!(await label.locator('input').isChecked())) await this.tj.reloadGrid(() => this.tj.click(label));
      }
    });
  }

  /** The cards of the grid on screen: one page of the library read. */
  private async read(): Promise<LibraryCard[]> {
    this.pages += 1;
    return this.tj.readCards();
  }

  private async waitForPreviews(count: number): Promise<PreviewOutcome[]> {
    const timeout = TJ.msPerFile * count;
    const m = TJ.mediaLibrary;
    await this.tj.page.locator(m.previewDone).nth(count - 1).waitFor({ timeout });
    await this.tj.page.locator(m.processing).waitFor({ state: 'hidden', timeout });
    return this.tj.page.locator(m.preview).evaluateAll(
      (nodes, selectors) =>
        nodes.map((node) => ({
          name: node.querySelector(selectors.name)?.textContent?.trim() ?? '',
          ok: !node.classList.contains('dz-error'),
          message: node.querySelector(selectors.error)?.textContent?.trim() ?? '',
        })),
      { name: m.previewName, error: m.previewError },
    );
  }

  /** Cards not in `before`, newest first: the first page, and further pages while they are all new. */
  private async newCards(before: ReadonlySet<string>): Promise<Map<string, LibraryCard>> {
    const fresh = new Map<string, LibraryCard>();
    for (let page = 1; page <= TJ.maxPages; page += 1) {
      const cards = await this.read();
      const unseen = cards.filter((card) => !before.has(card.creativeId));
      for (const card of unseen) if (!fresh.has(card.name)) fresh.set(card.name, card);
      if (unseen.length < cards.length || !(await this.tj.nextPage())) break;
    }
    return fresh;
  }
}
