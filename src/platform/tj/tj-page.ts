import type { Locator, Page } from 'playwright';
import { CreativeFlowError } from '../../core/errors.js';
import type { LibraryCard } from '../../core/platform.js';
import type { Evidence } from './evidence.js';
import { readView, type NetworkState } from './page-watch.js';
import { AD_ROWS, LIBRARY_CARDS, TJ, TJ_HINTS, type GridItems, type TabSelectors } from './selectors.js';

export type SessionVerdict = 'in' | 'out';

/** A browser step failed: which one, what it waited for, what the page showed, and where the evidence is. */
export class BrowserStepError extends CreativeFlowError {
  constructor(step: string, waitedFor: string, detail: string, shown: string, screenshot: string | undefined) {
    super(`TJ step "${step}" failed waiting for ${waitedFor}: ${detail}. On screen: ${shown}`, {
      hint: `${screenshot ? `A screenshot and the page's HTML are in ${screenshot.replace(/\.png$/, '.{png,html}')}. ` : ''}If TJ's page changed, \`creative-flow check\` names the selector that broke.`,
    });
  }
}

/**
 * TJ's session ended while a step worked: the page went to sign-in, or TJ refused a call as signed
 * out. Not a person's business yet: the uploader signs in again with the saved credentials and the
 * work goes on from where it was (see session-guard.ts).
 */
export class SessionEndedError extends CreativeFlowError {
  constructor(detail: string) {
    super(`TJ's session ended (${detail})`, {
      hint: 'The uploader signs in again by itself; only a captcha or a refused password waits for a person.',
    });
  }
}

/** What the page shows of a listing: its items on screen, its page marker, and the page's requests. */
export interface ListingView {
  /** The items on screen, each by its key, in order. */
  readonly keys: readonly string[];
  /** The active page marker's text, where the page has one (a hint). */
  readonly marker: string;
  readonly net: NetworkState;
  readonly signedIn: boolean;
  /** The signed-in texts on screen. */
  readonly markers: readonly string[];
  readonly signedOut: boolean;
}

/** How a listing's wait ended: other items than before, the same ones (the listing asked for holds them too), or a new document. */
export type ListingChange = 'changed' | 'same' | 'new-document';

/** How often a condition the page shows is looked at again while waiting for it: a wait ends within this of its condition (a look costs about a millisecond). */
const POLL_MS = 25;
/** A click that does not land in this long is tried again after closing overlays. */
const CLICK_MS = 4_000;
/** Changed items count once they, and the page's requests, have held still this long. */
const STABLE_MS = 100;
/** The grid's request came back and the items on screen did not change in this long: the new listing holds the same items. */
const SAME_AFTER_RESPONSE_MS = 250;
/** A new document that shows no card has its listing once it has been signed in, with no request under way, this long. */
const EMPTY_AFTER_SIGN_IN_MS = 500;
/** No request at all and no change in this long: a panel shown in place with the same items (a late fetch comes within 2 s). */
const SAME_WITHOUT_REQUEST_MS = 2_200;
/**
 * After a step failed, a signed-in page counts as alive only once it has held, with no request
 * under way, this long: a dying shell shows its markers and sends the browser to sign-in a moment
 * after load (TJ_tool checks again 3 s after network idle).
 */
const ALIVE_HELD_MS = 3_000;
/** The longest a check of the session after a failed step waits for the page to say. */
const RECHECK_MS = 10_000;

const SIGNED_OUT = `h1:has-text("${TJ.loggedOut.headingText}"), ${TJ.loggedOut.loginForm}, ${TJ.loggedOut.password}`;

/**
 * TJ's pages as a script-driven app: the session is judged by what the page shows once its script
 * has decided; a listing is the one asked for once the items on screen changed (or the page's
 * request came back without changing them), never after a sleep and never by watching one
 * element; overlays that swallow clicks are closed. Every step that fails leaves evidence, checks
 * the session again, and names what it waited for and what the page showed.
 */
export class TjPage {
  constructor(
    readonly page: Page,
    private readonly evidence: Evidence,
  ) {}

  /**
   * Loads a page of the app and waits for its verdict on the session. `pageTexts`: what this page
   * shows once drawn (the contract's ready texts), which say signed in as the app's markers do.
   */
  async open(url: string, pageTexts: readonly string[] = []): Promise<SessionVerdict> {
    // Going to the URL on screen with a `#section` only scrolls: the page, and its stale table, would stay.
    if (withoutHash(this.page.url()) === withoutHash(url))
      await this.page.reload({ waitUntil: 'load', timeout: TJ.navigationMs });
    else await this.page.goto(url, { waitUntil: 'load', timeout: TJ.navigationMs });
    return this.verdict(TJ.navigationMs, pageTexts);
  }

  /** A signed-in or a signed-out marker, whichever shows first; a check at `load` would prove nothing. */
  async verdict(timeoutMs: number = TJ.navigationMs, pageTexts: readonly string[] = []): Promise<SessionVerdict> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = await this.markers(pageTexts).catch(() => undefined);
      if (now) return now;
      if (Date.now() > deadline)
        throw new Error(
          `neither a signed-in marker (${[...TJ.loggedIn.texts, ...pageTexts].join(', ')}) nor a signed-out one showed in ${timeoutMs / 1000} s`,
        );
      await this.page.waitForTimeout(POLL_MS);
    }
  }

  /**
   * The session checked again after a step failed, never trusting an earlier look: signed out as
   * soon as the page shows it or the page's own calls were refused as signed out; signed in only
   * once a marker has held with no request under way for {@link ALIVE_HELD_MS}. Undefined when the
   * page says neither in {@link RECHECK_MS}.
   */
  async recheck(pageTexts: readonly string[] = [], since?: NetworkState): Promise<SessionVerdict | undefined> {
    const deadline = Date.now() + RECHECK_MS;
    let aliveSince = 0;
    for (;;) {
      const verdict = await this.markers(pageTexts).catch(() => undefined);
      const view = await this.view();
      // Calls refused as signed out count from `since` (the step's start): an old refusal on the same page says nothing now.
      const refusedBefore = since && view?.net.doc === since.doc ? since.refused : 0;
      if (verdict === 'out' || (view && view.net.refused > refusedBefore)) return 'out';
      const now = Date.now();
      aliveSince = verdict === 'in' && view?.net.inflight === 0 ? aliveSince || now : 0;
      if (aliveSince && now - aliveSince >= ALIVE_HELD_MS && (view?.net.quietMs ?? 0) >= ALIVE_HELD_MS) return 'in';
      if (now > deadline) return undefined;
      await this.page.waitForTimeout(POLL_MS * 4);
    }
  }

  /**
   * Runs a step. A session that ended is said as such (the uploader signs in again); any other
   * failure leaves evidence, checks the session again (it may have ended under the step; not for
   * a step on the sign-in page, where signed out is the point), and names what it waited for, why
   * it failed and what showed. `pageTexts`: what the step's page shows once drawn.
   */
  async step<T>(
    name: string,
    waitsFor: string,
    work: () => Promise<T>,
    options: { readonly pageTexts?: readonly string[]; readonly checkSession?: boolean } = {},
  ): Promise<T> {
    const since = (await this.view().catch(() => undefined))?.net;
    try {
      return await work();
    } catch (error) {
      if (error instanceof SessionEndedError) throw error;
      if (error instanceof CreativeFlowError) {
        // Said plainly by whoever catches it (a refused password, a captcha): the page is kept without saying it twice.
        await this.evidence.capture(this.page, name);
        throw error;
      }
      const shown = await this.shown().catch(() => 'the page could not be read');
      const screenshot = await this.evidence.capture(
        this.page,
        name,
        `TJ step "${name}" failed waiting for ${waitsFor}: ${firstLine(error)}. On screen: ${shown}`,
      );
      if (options.checkSession !== false && (await this.recheck(options.pageTexts, since)) === 'out')
        throw new SessionEndedError(`signed out during "${name}", which had failed: ${firstLine(error)}`);
      throw new BrowserStepError(name, waitsFor, firstLine(error), shown, screenshot);
    }
  }

  /**
   * Waits until `find` finds something on screen (a page's script may draw it a while after its
   * markers): what it found; a page that goes to sign-in meanwhile is a session that ended.
   */
  async shownWithin<T>(find: () => Promise<T | undefined>, what: string): Promise<T> {
    const deadline = Date.now() + TJ.navigationMs;
    for (;;) {
      const found = await find();
      if (found !== undefined) return found;
      if ((await this.markers().catch(() => undefined)) === 'out')
        throw new SessionEndedError(`the page went to sign-in while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`no ${what} is on screen after ${TJ.navigationMs / 1000} s`);
      await this.page.waitForTimeout(POLL_MS * 4);
    }
  }

  /** The first element on screen that one of the selectors finds, tried in order. */
  async firstShown(selectors: readonly string[]): Promise<Locator | undefined> {
    for (const selector of selectors) {
      for (const candidate of await this.page.locator(selector).all())
        if (await candidate.isVisible().catch(() => false)) return candidate;
    }
    return undefined;
  }

  /** A tab on screen: by the selectors other tools saw, else a link whose text is the tab's (exactly, then in part). */
  async tab(tab: TabSelectors): Promise<Locator | undefined> {
    const exact = new RegExp(`^\\s*${escapeRegExp(tab.text)}\\s*$`, 'i');
    return (
      (await this.firstShown(tab.selectors)) ??
      (await shownOf(this.page.locator('a', { hasText: exact }))) ??
      shownOf(this.page.locator('a', { hasText: tab.text }))
    );
  }

  /** The element on screen that says `text`: a button or link first, else any element. */
  async byText(text: string): Promise<Locator | undefined> {
    return (
      (await shownOf(this.page.locator('button, a, input[type="button"], input[type="submit"]', { hasText: text }))) ??
      shownOf(this.page.getByText(text, { exact: true }))
    );
  }

  /** Whether a tab is marked as shown (a hint: without the mark, the tab is clicked). */
  async marked(target: Locator): Promise<boolean> {
    return target
      .evaluate(
        (node, marks) => marks.some((mark) => node.matches(mark) || node.parentElement?.matches(mark) === true),
        [...TJ_HINTS.activeTab],
      )
      .catch(() => false);
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
  async closeOverlays(closers: readonly string[] = [...TJ.overlayClose, ...TJ_HINTS.overlayClose]): Promise<boolean> {
    let closed = false;
    for (const button of await this.page.locator(closers.join(', ')).all()) {
      if (!(await button.isVisible().catch(() => false))) continue;
      await button.click({ timeout: CLICK_MS }).catch(() => undefined);
      closed = true;
    }
    return closed;
  }

  /** What the page shows of a listing now; nothing while a document is being replaced. */
  async view(items: GridItems = LIBRARY_CARDS): Promise<ListingView | undefined> {
    const view = await readView(this.page, {
      ...items,
      marker: TJ_HINTS.pageMarker,
      texts: [...TJ.loggedIn.texts, ...(items.pageTexts ?? [])],
      signedOut: `${TJ.loggedOut.loginForm}, ${TJ.loggedOut.password}`,
      signedOutHeading: TJ.loggedOut.headingText,
      urlParts: TJ.loggedOut.urlParts,
    });
    return view && { ...view, signedIn: view.signedIn.length > 0, markers: view.signedIn };
  }

  /**
   * Waits until the page shows the listing asked for. With `before` (the view before a click), the
   * listing is the new one once its items changed and held still; or, when they did not change,
   * once the page's request came back and nothing changed after it, or after a while with no
   * request at all (a panel shown in place with the same items). A new document, or no `before`,
   * is the listing once the page is signed in and its requests are done. Old items left on screen
   * are never taken for the new listing. `heldMs`: how long changed items must hold still; less
   * only where what follows checks what it reads.
   */
  async settle(
    items: GridItems,
    before: ListingView | undefined,
    what: string,
    heldMs: number = STABLE_MS,
  ): Promise<ListingChange> {
    const started = Date.now();
    let seen: ListingView | undefined;
    let changedAt = 0;
    let signedInAt = 0;
    for (;;) {
      const view = await this.view(items);
      const now = Date.now();
      if (view) {
        if (view.signedOut) throw new SessionEndedError(`the page went to sign-in while waiting for ${what}`);
        const fresh = before === undefined || view.net.doc !== before.net.doc;
        if (before && !fresh && view.net.refused > before.net.refused)
          throw new SessionEndedError(`TJ refused the page's request for ${what} as signed out`);
        const idle = view.net.inflight === 0;
        if (fresh) {
          signedInAt = view.signedIn ? signedInAt || now : 0;
          const done =
            view.keys.length > 0
              ? view.net.quietMs >= STABLE_MS
              : view.net.quietMs >= SAME_AFTER_RESPONSE_MS && now - signedInAt >= EMPTY_AFTER_SIGN_IN_MS;
          if (signedInAt && idle && done) return before ? 'new-document' : 'changed';
        } else if (signature(view) !== signature(before)) {
          if (!seen || signature(view) !== signature(seen)) changedAt = now;
          if (idle && now - changedAt >= heldMs) return 'changed';
        } else if (
          idle &&
          view.net.quietMs >= SAME_AFTER_RESPONSE_MS &&
          (view.net.ended > before.net.ended || now - started >= SAME_WITHOUT_REQUEST_MS)
        ) {
          return 'same';
        }
        seen = view;
      }
      if (now - started > TJ.navigationMs)
        throw new Error(`${what} did not show in ${TJ.navigationMs / 1000} s (${describeWait(seen, before)})`);
      await this.page.waitForTimeout(POLL_MS);
    }
  }

  /** Does what changes the listing (a tab, a sub-type, a page) and waits until the listing on screen is the new one (`heldMs`: see {@link settle}). */
  async changeListing(
    action: () => Promise<void>,
    items: GridItems,
    what: string,
    heldMs: number = STABLE_MS,
  ): Promise<ListingChange> {
    const before = await this.view(items);
    await action();
    return this.settle(items, before, what, heldMs);
  }

  /** The cards on screen, newest first; which listing they belong to is the caller's to know. */
  async readCards(): Promise<LibraryCard[]> {
    const m = TJ.mediaLibrary;
    return this.page.locator(m.card).evaluateAll(
      (nodes, selectors) =>
        nodes
          .filter((node) => node.getClientRects().length > 0)
          .map((node) => ({
            creativeId: node.getAttribute('data-id') ?? node.querySelector(selectors.id)?.textContent?.trim() ?? '',
            name:
              node.querySelector(selectors.name)?.getAttribute('title') ??
              node.querySelector(selectors.name)?.textContent?.trim() ??
              '',
            dimensions: node.querySelector(selectors.dimensions)?.textContent?.trim() ?? '',
            fileType: node.querySelector(selectors.fileType)?.textContent?.trim() ?? '',
            reviewStatus:
              node.getAttribute('data-review-status') ??
              node.querySelector(selectors.reviewStatus)?.textContent?.trim() ??
              '',
          })),
      {
        id: m.cardId,
        name: m.cardName,
        dimensions: m.cardDimensions,
        fileType: m.cardFileType,
        reviewStatus: m.cardReviewStatus,
      },
    );
  }

  /** Moves a listing to its next page; false on the last page (the link's parent is `disabled`), with no Next link, or when Next showed nothing new and the session holds. */
  async nextPage(items: GridItems, what: string): Promise<boolean> {
    const link = await this.firstShown(TJ.nextPage);
    if (!link) return false;
    if (
      await link.evaluate(
        (node) =>
          /\bdisabled\b/.test(`${node.parentElement?.className ?? ''} ${node.className}`) ||
          node.getAttribute('aria-disabled') === 'true',
      )
    )
      return false;
    const before = await this.view(items);
    await this.click(link);
    if ((await this.settle(items, before, `the next page of ${what}`)) !== 'same') return true;
    // An enabled Next that brought nothing new: a build that does not disable it on the last page,
    // or a grid refused for a dead session (its page goes to sign-in a moment later). Taken for the
    // end only once the session holds: a dead one would end a walk or a look-up pages early.
    if ((await this.recheck(items.pageTexts, before?.net)) === 'out')
      throw new SessionEndedError(`the next page of ${what} did not come: the session had ended`);
    return false;
  }

  /** In plain words, what the page shows now: the markers of the session, the listing's cards and rows. */
  async shown(): Promise<string> {
    const [view, rows] = await Promise.all([this.view(LIBRARY_CARDS), this.view(AD_ROWS)]);
    if (!view) return `a page loading at ${this.page.url()}`;
    const rowCount = rows?.keys.length ?? 0;
    const parts = [
      view.markers.length ? `${view.markers.map((text) => `"${text}"`).join(', ')} on screen` : 'no signed-in marker',
      view.signedOut ? 'a sign-in page' : '',
      `${view.keys.length} cards`,
      rowCount ? `${rowCount} table rows` : '',
      view.net.inflight ? `${view.net.inflight} requests under way` : '',
    ];
    return `${parts.filter(Boolean).join(', ')} (${new URL(this.page.url()).pathname})`;
  }

  private async markers(pageTexts: readonly string[] = []): Promise<SessionVerdict | undefined> {
    if (TJ.loggedOut.urlParts.some((part) => this.page.url().includes(part))) return 'out';
    if ((await this.page.locator(SIGNED_OUT).count()) > 0) return 'out';
    // Case matters: "MEDIA LIBRARY" is the loaded library, "Media Library" a menu entry a dead shell may show too.
    for (const text of [...TJ.loggedIn.texts, ...pageTexts])
      if ((await this.page.getByText(new RegExp(escapeRegExp(text))).count()) > 0) return 'in';
    return undefined;
  }
}

function signature(view: ListingView): string {
  return `${view.keys.join('\u0001')}\u0002${view.marker}`;
}

function describeWait(seen: ListingView | undefined, before: ListingView | undefined): string {
  if (!seen) return 'the page could not be read';
  const items = `${seen.keys.length} items on screen${before && signature(seen) === signature(before) ? ', the same as before the click' : ''}`;
  return `${seen.signedIn ? 'signed in' : 'no signed-in marker'}, ${items}, ${seen.net.inflight} requests under way`;
}

async function shownOf(locator: Locator): Promise<Locator | undefined> {
  for (const candidate of await locator.all()) if (await candidate.isVisible().catch(() => false)) return candidate;
  return undefined;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

function withoutHash(url: string): string {
  return url.replace(/#.*$/, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
