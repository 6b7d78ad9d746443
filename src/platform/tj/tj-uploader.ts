import type { Browser, BrowserContext, Page } from 'playwright';
import { localStampMs } from '../../core/dates.js';
import type { Layout } from '../../core/layout.js';
import type { Logger } from '../../core/logger.js';
import type { LibraryCard, ListedCard, UploadTarget } from '../../core/platform.js';
import type { StorageRepository } from '../../store/storage.repository.js';
import { LoginRequiredError, type UploadFile, type Uploader, type UploadResult } from '../uploader.js';
import { launchBrowser } from './browser.js';
import { TJ } from './selectors.js';
import { isSignedOut, SessionFile, signIn, type TjConnection } from './tj-session.js';

type PageCard = LibraryCard;

/** What the TJ adapter writes: its session, and evidence of failures, where the layout says. */
export interface TjAdapterDeps {
  readonly layout: Layout;
  readonly storage: StorageRepository;
  readonly log: Logger;
}

interface PreviewOutcome {
  readonly name: string;
  readonly ok: boolean;
  readonly message: string;
}

/** TJ's Media Library through a headless browser. One page, one batch at a time. */
export class TjUploader implements Uploader {
  private pages = 0;

  private readonly log: Logger;

  private constructor(
    private readonly browser: Browser,
    private readonly context: BrowserContext,
    private readonly page: Page,
    private readonly connection: TjConnection,
    private readonly session: SessionFile,
    private readonly deps: TjAdapterDeps,
  ) {
    this.log = deps.log;
  }

  static async open(connection: TjConnection, deps: TjAdapterDeps): Promise<TjUploader> {
    const session = new SessionFile(deps.layout.sessionFile, deps.storage);
    const browser = await launchBrowser({ headless: true, chromiumPath: connection.chromiumPath });
    const context = await browser.newContext((await session.exists()) ? { storageState: session.file } : {});
    const page = await context.newPage();
    page.setDefaultTimeout(TJ.navigationMs);
    return new TjUploader(browser, context, page, connection, session, deps);
  }

  get pagesRead(): number {
    return this.pages;
  }

  async upload(target: UploadTarget, files: readonly UploadFile[]): Promise<Map<string, UploadResult>> {
    try {
      const results = await this.uploadOnce(target, files);
      if ([...results.values()].some((result) => result.status === 'failed')) await this.screenshot(`upload-${target}`);
      return results;
    } catch (error) {
      await this.screenshot(`upload-${target}`);
      throw error;
    }
  }

  async keepAlive(): Promise<void> {
    await this.page.goto(new URL(TJ.mediaLibrary.path, this.connection.appUrl).href, { waitUntil: 'load' });
    if (!(await isSignedOut(this.page))) await this.session.save(this.context);
  }

  private async screenshot(what: string): Promise<void> {
    const file = this.deps.layout.screenshotFile(localStampMs(), what, 'png');
    try {
      await this.deps.storage.ensureDir(this.deps.layout.screenshots, 0o700);
      await this.deps.storage.writeFileAtomic(file, await this.page.screenshot({ fullPage: true }), { mode: 0o600 });
      this.log.warn({ screenshot: file }, 'Saved a screenshot of the page at the failure');
    } catch {
      // A screenshot is a help, never a reason to fail.
    }
  }

  private async uploadOnce(target: UploadTarget, files: readonly UploadFile[]): Promise<Map<string, UploadResult>> {
    await this.openTarget(target);
    // The ids already on the tab, from the tab we upload into: only cards not among them can be ours.
    const before = new Set((await this.readCards()).map((card) => card.creativeId));
    await this.page.click(TJ.mediaLibrary.newCreatives);
    await this.page.setInputFiles(TJ.mediaLibrary.fileInput, files.map((file) => file.path));
    const previews = await this.waitForPreviews(files.length);

    await this.openTarget(target);
    const fresh = await this.newCards(before);
    const results = new Map<string, UploadResult>();
    const missing: string[] = [];
    for (const file of files) {
      const card = fresh.get(file.name);
      const preview = previews.find((candidate) => candidate.name === file.name || candidate.name.startsWith(`${file.name}.`));
      if (card) results.set(file.name, { status: 'uploaded', creativeId: card.creativeId });
      else if (preview && !preview.ok && TJ.sessionError.test(preview.message)) throw new LoginRequiredError(preview.message);
      else if (preview && !preview.ok) results.set(file.name, TJ.transientError.test(preview.message) ? { status: 'failed', message: preview.message } : { status: 'rejected', message: preview.message });
      else if (!preview) results.set(file.name, { status: 'failed', message: 'No upload preview appeared for this file' });
      else missing.push(file.name);
    }
    // A success without a new card: TJ silently refused a name it already has. Its id is the old card's.
    if (missing.length > 0) {
      const existing = await this.findByName(target, missing, TJ.maxPages);
      for (const name of missing) {
        const card = existing.get(name);
        results.set(name, card ? { status: 'duplicate', creativeId: card.creativeId } : { status: 'failed', message: 'TJ accepted the file but no card with its name appeared' });
      }
    }
    return results;
  }

  async findByName(target: UploadTarget, names: readonly string[], maxPages: number): Promise<Map<string, LibraryCard>> {
    await this.openTarget(target);
    const wanted = new Set(names);
    const found = new Map<string, LibraryCard>();
    for (let page = 1; page <= maxPages && wanted.size > 0; page += 1) {
      for (const card of await this.readCards()) {
        if (wanted.delete(card.name)) found.set(card.name, card);
      }
      if (wanted.size === 0 || !(await this.nextPage())) break;
    }
    return found;
  }

  async listAll(maxPages: number): Promise<ListedCard[]> {
    const cards: ListedCard[] = [];
    for (const listing of TJ.listings) {
      await this.openListing(listing.tab);
      for (let page = 1; page <= maxPages; page += 1) {
        for (const card of await this.readCards()) cards.push({ ...card, creativeType: listing.type });
        if (page === maxPages) this.log.warn({ listing: listing.type, maxPages }, 'Stopped at the page limit; raise LIBRARY_MAX_PAGES to read further');
        if (!(await this.nextPage())) break;
      }
    }
    return cards;
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await this.browser.close();
  }

  /** The Media Library, signed in (again, if the session died). */
  private async openLibrary(): Promise<void> {
    await this.page.goto(new URL(TJ.mediaLibrary.path, this.connection.appUrl).href, { waitUntil: 'load' });
    if (!(await isSignedOut(this.page))) return;
    this.log.warn('The TJ session is dead; signing in again');
    // Headless: this only works where no captcha stands in the way (the simulator's --no-captcha).
    await signIn(this.context, this.connection, this.session, 10_000);
    await this.page.goto(new URL(TJ.mediaLibrary.path, this.connection.appUrl).href, { waitUntil: 'load' });
    if (await isSignedOut(this.page)) throw new LoginRequiredError('still signed out after signing in');
  }

  /** The Media Library on the target's tab and sub-type. */
  private async openTarget(target: UploadTarget): Promise<void> {
    await this.openLibrary();
    const { tab, radio } = TJ.targets[target];
    await this.selectTab(tab);
    if (radio) await this.page.check(radio);
  }

  /** The Media Library on a listing's tab, for a walk that reads and uploads nothing. */
  private async openListing(tab: readonly string[]): Promise<void> {
    await this.openLibrary();
    await this.selectTab(tab);
  }

  private async selectTab(tab: readonly string[]): Promise<void> {
    const link = this.page.locator(tab.join(', ')).first();
    const active = await link.evaluate((node) => `${node.className} ${node.parentElement?.className ?? ''}`.includes('active'));
    if (!active) await this.clickAndSettle(link);
    this.pages += 1;
  }

  /**
   * Clicks a link that may load another page (the simulator's tabs, every Next link) or may not (a
   * tab switched in place), and waits until the Media Library is there to use.
   */
  private async clickAndSettle(link: ReturnType<Page['locator']>): Promise<void> {
    const before = this.page.url();
    await link.click();
    await this.page.waitForURL((url) => url.href !== before, { timeout: 5_000 }).catch(() => undefined);
    await this.page.waitForLoadState('load');
    await this.page.locator(TJ.mediaLibrary.newCreatives).waitFor();
  }

  private async waitForPreviews(count: number): Promise<PreviewOutcome[]> {
    const timeout = TJ.msPerFile * count;
    await this.page.locator(TJ.mediaLibrary.previewDone).nth(count - 1).waitFor({ timeout });
    await this.page.locator(TJ.mediaLibrary.processing).waitFor({ state: 'hidden', timeout });
    const m = TJ.mediaLibrary;
    return this.page.locator(m.preview).evaluateAll(
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
  private async newCards(before: ReadonlySet<string>): Promise<Map<string, PageCard>> {
    const fresh = new Map<string, PageCard>();
    for (let page = 1; page <= TJ.maxPages; page += 1) {
      const cards = await this.readCards();
      const unseen = cards.filter((card) => !before.has(card.creativeId));
      for (const card of unseen) if (!fresh.has(card.name)) fresh.set(card.name, card);
      if (unseen.length < cards.length || !(await this.nextPage())) break;
    }
    return fresh;
  }

  /** The cards on the page as it stands; which tab they belong to is the caller's to say. */
  private async readCards(): Promise<PageCard[]> {
    const m = TJ.mediaLibrary;
    return this.page.locator(m.card).evaluateAll(
      (nodes, selectors) =>
        nodes.map((node) => ({
          creativeId: node.getAttribute('data-id') ?? node.querySelector(selectors.id)?.textContent?.trim() ?? '',
          name: node.querySelector(selectors.name)?.getAttribute('title') ?? node.querySelector(selectors.name)?.textContent?.trim() ?? '',
          dimensions: node.querySelector(selectors.dimensions)?.textContent?.trim() ?? '',
          fileType: node.querySelector(selectors.fileType)?.textContent?.trim() ?? '',
          reviewStatus: node.getAttribute('data-review-status') ?? node.querySelector(selectors.reviewStatus)?.textContent?.trim() ?? '',
        })),
      { id: m.cardId, name: m.cardName, dimensions: m.cardDimensions, fileType: m.cardFileType, reviewStatus: m.cardReviewStatus },
    );
  }

  /** Follows the Next link; false on the last page (its parent's class holds `disabled`). */
  private async nextPage(): Promise<boolean> {
    for (const selector of TJ.mediaLibrary.nextPage) {
      const link = this.page.locator(selector).first();
      if ((await link.count()) === 0) continue;
      const disabled = await link.evaluate((node) => (node.parentElement?.className ?? '').includes('disabled'));
      if (disabled) return false;
      await this.clickAndSettle(link);
      this.pages += 1;
      return true;
    }
    return false;
  }
}
