import type { Locator, Page } from 'playwright';
import { CreativeFlowError } from '../../core/errors.js';
import type { LibraryCard } from '../../core/platform.js';
import { LoginRequiredError } from '../uploader.js';
import type { Evidence } from './evidence.js';
import { LIBRARY_GRID, TJ, type GridSelectors } from './selectors.js';

export type SessionVerdict = 'in' | 'out';

/** A browser step failed: which one, what it waited for, and where the evidence is. */
export class BrowserStepError extends CreativeFlowError {
  constructor(step: string, waitedFor: string, detail: string, screenshot: string | undefined) {
    super(`TJ step "${step}" failed waiting for ${waitedFor}: ${detail}`, {
      hint: `${screenshot ? `A screenshot and the page's HTML are in ${screenshot.replace(/\.png$/, '.{png,html}')}. ` : ''}If TJ's page changed, \`creative-flow check\` names the selector that broke.`,
    });
  }
}

/** What the functions run in the page use of it (this project has no DOM types). */
interface PageGlobals {
  __cfGridChanged?: boolean;
  document: { querySelectorAll(selector: string): ArrayLike<{ getClientRects(): ArrayLike<unknown> }> };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: { childList: boolean; subtree: boolean }): void; disconnect(): void };
}

/** How often a condition the page shows is looked at again while waiting for it. */
const POLL_MS = 100;
/** A click that does not land in this long is tried again after closing overlays. */
const CLICK_MS = 4_000;

/**
 * TJ's pages as a script-driven app: the session is judged by what the page shows once its script
 * has decided, grids are replaced in place (so a click is followed by a wait for the new grid,
 * never a sleep), and overlays that swallow clicks are closed. Every step that fails leaves
 * evidence, checks the session again, and names what it waited for.
 */
export class TjPage {
  constructor(
    readonly page: Page,
    private readonly evidence: Evidence,
  ) {}

  /** Loads a page of the app and waits for its verdict on the session. */
  async open(url: string): Promise<SessionVerdict> {
    // Going to the URL on screen with a `#section` only scrolls: the page, and its stale table, would stay.
    if (withoutHash(this.page.url()) === withoutHash(url)) await this.page.reload({ waitUntil: 'load', timeout: TJ.navigationMs });
    else await this.page.goto(url, { waitUntil: 'load', timeout: TJ.navigationMs });
    return this.verdict();
  }

  /** A signed-in or a signed-out marker, whichever shows first; a check at `load` would prove nothing. */
  async verdict(timeoutMs: number = TJ.navigationMs): Promise<SessionVerdict> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = await this.markers().catch(() => undefined);
      if (now) return now;
      if (Date.now() > deadline) throw new Error(`neither a signed-in nor a signed-out marker showed in ${timeoutMs} ms`);
      await this.page.waitForTimeout(POLL_MS);
    }
  }

  /** Runs a step; a failure leaves evidence, checks the session (a dead one is "login required"), and names what it waited for. */
  async step<T>(name: string, waitsFor: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const screenshot = await this.evidence.capture(this.page, name, `TJ step "${name}" failed: ${(error as Error).message.split('\n')[0] ?? ''}`);
      if (error instanceof CreativeFlowError) throw error;
      const verdict = await this.verdict(5_000).catch(() => undefined);
      if (verdict === 'out') throw new LoginRequiredError(`signed out during "${name}"`);
      throw new BrowserStepError(name, waitsFor, (error as Error).message.split('\n')[0] ?? String(error), screenshot);
    }
  }

  /** The first of several selectors (variants other tools saw) that the page has. */
  async first(selectors: readonly string[]): Promise<Locator> {
    for (const selector of selectors) {
      const found = this.page.locator(selector).first();
      if ((await found.count()) > 0) return found;
    }
    throw new Error(`none of ${selectors.join(' | ')} is on the page`);
  }

  /** Clicks; when an overlay swallows the click, closes it and clicks again. */
  async click(target: Locator): Promise<void> {
    await this.closeOverlays();
    try {
      await target.click({ timeout: CLICK_MS });
    } catch (error) {
      if (!(await this.closeOverlays())) throw error;
      await target.click({ timeout: TJ.navigationMs });
    }
  }

  /** Closes product tours and the like (or what `closers` click away); true when one was closed. */
  async closeOverlays(closers: readonly string[] = TJ.overlayClose): Promise<boolean> {
    let closed = false;
    for (const button of await this.page.locator(closers.join(', ')).all()) {
      if (!(await button.isVisible().catch(() => false))) continue;
      await button.click({ timeout: CLICK_MS }).catch(() => undefined);
      closed = true;
    }
    return closed;
  }

  /** Waits until the grid shows: a card or a row, or the empty table's row. */
  async gridDrawn(grid: GridSelectors = LIBRARY_GRID): Promise<void> {
    await (await this.first(grid.grid)).locator(grid.drawn).first().waitFor({ state: 'attached', timeout: TJ.navigationMs });
  }

  /**
   * Does what reloads the grid in place (a tab, a sub-type, a page) and waits until the grid on
   * screen is the new one: a watch set on the grid before the click sees it replaced. The old
   * cards stay on screen until then, and are never read.
   */
  async reloadGrid(action: () => Promise<void>, grid: GridSelectors = LIBRARY_GRID): Promise<void> {
    await this.reloadGridUnless(action, grid, undefined);
  }

  /** {@link reloadGrid}, except that an element matching `unless` showing first (an error) ends the wait: `'unless'`. */
  async reloadGridUnless(action: () => Promise<void>, grid: GridSelectors, unless: string | undefined): Promise<'reloaded' | 'unless'> {
    await (await this.first(grid.grid)).evaluate((node) => {
      const page = globalThis as unknown as PageGlobals;
      page.__cfGridChanged = false;
      const watch = new page.MutationObserver(() => {
        page.__cfGridChanged = true;
        watch.disconnect();
      });
      watch.observe(node, { childList: true, subtree: true });
    });
    await action();
    // A click that loads a new document (an older site) leaves no note: that is a new grid too.
    const outcome = await this.page.waitForFunction(
      (selector) => {
        const page = globalThis as unknown as PageGlobals;
        if (page.__cfGridChanged !== false) return 'reloaded';
        const shown = selector ? Array.from(page.document.querySelectorAll(selector)).some((node) => node.getClientRects().length > 0) : false;
        return shown ? 'unless' : false;
      },
      unless,
      { timeout: TJ.navigationMs, polling: POLL_MS },
    );
    const result = (await outcome.jsonValue()) === 'unless' ? 'unless' : 'reloaded';
    if (result === 'reloaded') await this.gridDrawn(grid);
    return result;
  }

  /** The cards of the grid on screen, newest first; which listing they belong to is the caller's to know. */
  async readCards(): Promise<LibraryCard[]> {
    const m = TJ.mediaLibrary;
    const grid = await this.first(m.grid);
    return grid.locator(m.card).evaluateAll(
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

  /** Moves a grid to its next page; false on the last page (the link's parent is `disabled`) or when there is no Next link. */
  async nextPage(grid: GridSelectors = LIBRARY_GRID): Promise<boolean> {
    const link = await this.first(grid.next).catch(() => undefined);
    if (!link) return false;
    if (await link.evaluate((node) => `${node.className} ${node.parentElement?.className ?? ''}`.includes('disabled'))) return false;
    await this.reloadGrid(() => this.click(link), grid);
    return true;
  }

  private async markers(): Promise<SessionVerdict | undefined> {
    if (TJ.loggedOut.urlParts.some((part) => this.page.url().includes(part))) return 'out';
    const out = this.page.locator(`${TJ.loggedOut.heading}, ${TJ.loggedOut.loginForm}, ${TJ.loggedOut.password}`);
    if ((await out.count()) > 0) return 'out';
    // Case matters: "MEDIA LIBRARY" is the loaded library, "Media Library" a menu entry a dead shell may show too.
    for (const text of TJ.loggedIn.texts) if ((await this.page.getByText(new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).count()) > 0) return 'in';
    return undefined;
  }
}

function withoutHash(url: string): string {
  return url.replace(/#.*$/, '');
}
