import type { Logger } from '../../core/logger.js';
import { compareCreativeIds, type LibraryCard, type ListedCard } from '../../core/platform.js';
import { documentToken } from './page-watch.js';
import { LIBRARY_CARDS, TJ, type Listing } from './selectors.js';
import type { ListingView, TjPage } from './tj-page.js';

/**
 * Opens a page of the app, signed in, once `ready` says it is drawn; a session that ended is a
 * {@link SessionEndedError}. `pageTexts`: what the page shows once drawn, which says signed in too.
 */
export type OpenSignedIn = (
  url: string,
  step: string,
  waitsFor: string,
  ready: () => Promise<void>,
  pageTexts?: readonly string[],
) => Promise<void>;

/** A card found for a name; `fresh`: it came before any card listed before the upload (new cards come first). */
export interface FoundCard {
  readonly card: LibraryCard;
  readonly fresh: boolean;
}

/** What a look-up found, by name; `complete`: it got to the listing's last page without finding the rest (they are not on TJ). */
export interface LookUp {
  readonly found: Map<string, FoundCard>;
  readonly complete: boolean;
}

/** The ids a listing showed before an upload; `reused`: the page was not loaded for it (see {@link TjLibrary.listedBefore}). */
export interface ListedBefore {
  readonly ids: ReadonlySet<string>;
  readonly reused: boolean;
}

/** How long the listing an upload left on screen may stand for the listing before the next upload. */
const LEFT_FOR_MS = 60_000;

/** The listing an upload left on screen: fetched after the upload, its first page read. */
interface ListingLeft {
  readonly type: string;
  /** The watch's token of the document it was read on. */
  readonly doc: string;
  readonly ids: readonly string[];
  readonly at: number;
}

/** Where a walk of one listing has got to: what it read, so a walk cut short by a dead session goes on from there. */
export class ListingWalk {
  /** The cards read, by id: a page read again after a resume adds none twice. */
  readonly cards = new Map<string, ListedCard>();
  /** Pages read through, from the first. */
  pagesRead = 0;
  done = false;
}

/** What the library needs of the uploader around it. */
export interface TjLibraryDeps {
  readonly openSignedIn: OpenSignedIn;
  readonly appUrl: string;
  readonly log: Logger;
  /** Told of each page read: progress a new session has made (see session-guard.ts). */
  readonly onPageRead: () => void;
  /** Told of each page a walk read (`last`: the listing's last), for a progress display. */
  readonly onWalkPage?: (listing: string, pagesRead: number, last: boolean) => void;
}

/**
 * The Media Library's listings on the one page: opened (signed in), chosen, read, and looked up
 * by name. After an upload the listing is fetched again in place rather than by loading the page,
 * and the next upload starts from it; whenever that shows less than it must, the page is loaded
 * afresh and the listing read through, as after any fault.
 */
export class TjLibrary {
  private pages = 0;
  private left: ListingLeft | undefined;
  /** False once a listing shown again was seen not to be fetched again (a build that renders every listing up front). */
  private refetches = true;
  /** False once Dropzone would not send from a page it had sent a batch from before. */
  private reusePages = true;

  constructor(
    private readonly tj: TjPage,
    private readonly deps: TjLibraryDeps,
  ) {}

  get pagesRead(): number {
    return this.pages;
  }

  /**
   * The Media Library, signed in, its tabs and first listing drawn (whichever it is). Its heading
   * alone proves nothing: a dying shell shows it too, and its tabs never come.
   */
  async open(): Promise<void> {
    this.left = undefined;
    const m = TJ.mediaLibrary;
    await this.deps.openSignedIn(
      new URL(m.path, this.deps.appUrl).href,
      'open the Media Library',
      `"${m.loadedText}", its tabs and its first listing`,
      async () => {
        await this.tj.shownWithin(() => this.tj.tab(TJ.tabs.native), `tab for ${TJ.tabs.native.text}`);
        await this.tj.settle(LIBRARY_CARDS, undefined, `the Media Library's first listing`);
      },
    );
  }

  /** The library opened afresh on a listing. */
  async openListing(listing: Listing): Promise<void> {
    await this.open();
    const tabSays = [...listing.tab.selectors, `a link "${listing.tab.text}"`].join(' | ');
    await this.tj.step(
      `open the ${listing.type} listing`,
      listing.subType ? `${tabSays}, then label:has(${listing.subType})` : tabSays,
      () => this.show(listing),
    );
  }

  /**
   * Every card of a listing, newest first, at most `maxPages` pages; with `olderThan`, up to the
   * first page all older than it. The cards go into `walk`; a walk begun before (a session that
   * ended under it) goes on from the page after the last it read. Once `signal` is aborted, it
   * turns no further page.
   */
  async list(
    listing: Listing,
    maxPages: number,
    olderThan: string | undefined,
    walk = new ListingWalk(),
    signal?: AbortSignal,
  ): Promise<ListedCard[]> {
    if (walk.done) return [...walk.cards.values()];
    await this.openListing(listing);
    const what = `the ${listing.type} listing`;
    await this.tj.step(`read the ${listing.type} listing`, `the next page of ${what}`, async () => {
      // Back to where the walk was: each page passed on the way is progress of the new session too.
      for (let page = 1; page <= walk.pagesRead; page += 1) {
        if (!(await this.tj.nextPage(LIBRARY_CARDS, what))) return void (walk.done = true);
        this.deps.onPageRead();
      }
      for (let page = walk.pagesRead + 1; page <= maxPages; page += 1) {
        const onPage = await this.read();
        for (const card of onPage) walk.cards.set(card.creativeId, { ...card, creativeType: listing.type });
        walk.pagesRead = page;
        this.deps.onWalkPage?.(listing.type, page, false);
        if (olderThan !== undefined && onPage.every((card) => compareCreativeIds(card.creativeId, olderThan) < 0))
          break;
        if (page === maxPages)
          this.deps.log.warn(
            { listing: listing.type, maxPages },
            'Stopped at the page limit; raise LIBRARY_MAX_PAGES to read further',
          );
        // Told to stop (the daemon stopping): the walk ends at this page, not done, and the caller knows it is short.
        if (signal?.aborted) return;
        if (!(await this.tj.nextPage(LIBRARY_CARDS, what))) break;
      }
      walk.done = true;
      this.deps.onWalkPage?.(listing.type, walk.pagesRead, true);
    });
    return [...walk.cards.values()];
  }

  /** `names` looked up on the listing, opened afresh and read through (at most `maxPages`). */
  async find(listing: Listing, names: readonly string[], maxPages: number): Promise<LookUp> {
    await this.openListing(listing);
    const { found, complete } = await this.lookUp(listing, names, maxPages, new Set());
    return { found, complete };
  }

  /**
   * The ids a listing shows before an upload: only cards not among them can be the upload's.
   * When the page still shows the listing the last upload left, just as it left it (the same
   * document, the same cards, read moments ago), those are the ids and the page is not loaded
   * again; the upload's own answers tell of a dead session (HTTP 401). Otherwise the library is
   * opened afresh on the listing.
   */
  async listedBefore(listing: Listing): Promise<ListedBefore> {
    const left = this.left;
    this.left = undefined;
    if (left && this.reusePages && left.type === listing.type && Date.now() - left.at <= LEFT_FOR_MS) {
      const doc = await documentToken(this.tj.page);
      const ids = (await this.read()).map((card) => card.creativeId);
      if (doc === left.doc && ids.join(' ') === left.ids.join(' ')) return { ids: new Set(ids), reused: true };
    }
    await this.openListing(listing);
    return { ids: new Set((await this.read()).map((card) => card.creativeId)), reused: false };
  }

  /** Dropzone would not send from a page it had sent from before: from now on, each upload loads the page afresh. */
  stopReusingPages(why: string): void {
    if (this.reusePages)
      this.deps.log.warn(
        { why },
        'TJ would not upload twice from one page: the Media Library is loaded afresh for each batch from now on',
      );
    this.reusePages = false;
  }

  /**
   * `names`, just uploaded, looked up on their listing. The listing is fetched again in place
   * (`away` shown, then the listing again) and its first page read: new cards come first, and a
   * batch fits on a page. When a name is not there (a fault, a build that does not fetch a
   * listing again, a step that failed), the page is loaded afresh and the listing read through
   * (at most `TJ.maxPages`), as after any fault: only that look-up can say a name is not on TJ.
   */
  async lookUpUploaded(
    listing: Listing,
    away: Listing,
    names: readonly string[],
    before: ReadonlySet<string>,
  ): Promise<LookUp> {
    if (names.length === 0) return { found: new Map(), complete: false };
    const quick = this.refetches ? await this.refetched(listing, away, names, before) : undefined;
    if (quick?.whole) return { found: quick.found, complete: false };
    await this.openListing(listing);
    const seen = await this.lookUp(listing, names, TJ.maxPages, before);
    if (quick && [...seen.found].some(([name, { fresh }]) => fresh && !quick.found.has(name))) {
      this.deps.log.warn(
        { listing: listing.type },
        'A listing shown again lacked a new card a fresh page showed: after each upload the page is loaded afresh from now on',
      );
      this.refetches = false;
    }
    if (seen.pages === 1) await this.remember(listing, seen.firstPage);
    return seen;
  }

  /**
   * The listing on screen read newest first for `names`, a card per name, paging on while a name
   * is not found (at most `maxPages`): `complete` says it got to the last page. `fresh` says the
   * card came before any card of `before` (the ids listed before an upload): new cards come first.
   */
  private async lookUp(
    listing: Listing,
    names: readonly string[],
    maxPages: number,
    before: ReadonlySet<string>,
  ): Promise<LookUp & { pages: number; firstPage: readonly LibraryCard[] }> {
    const wanted = new Set(names);
    const found = new Map<string, FoundCard>();
    let fresh = true;
    let complete = false;
    let pages = 0;
    let firstPage: readonly LibraryCard[] = [];
    await this.tj.step(
      `look up ${names.length} names in ${listing.type}`,
      `the next page of the ${listing.type} listing`,
      async () => {
        for (let page = 1; page <= maxPages && wanted.size > 0; page += 1) {
          const cards = await this.read();
          pages += 1;
          if (page === 1) firstPage = cards;
          fresh = collect(cards, wanted, found, before, fresh);
          // Read to the last page: an old card of a wanted name (TJ keeps the first of a name) may be anywhere.
          if (wanted.size > 0 && !(await this.tj.nextPage(LIBRARY_CARDS, `the ${listing.type} listing`)))
            complete = true;
          if (complete) break;
        }
      },
    );
    return { found, complete, pages, firstPage };
  }

  /**
   * The listing fetched again in place, and what its first page shows of `names`: `whole` when it
   * shows every one of them (else the slow way looks; it alone may say a name is not on TJ);
   * undefined when a step of it failed. Neither change waits for the cards to hold still: the
   * other listing is never read (its request having come back is what counts), and this one is
   * checked name by name and by a card it listed before, and read once more after it held still
   * when that fails (a listing drawn in stages).
   */
  private async refetched(
    listing: Listing,
    away: Listing,
    names: readonly string[],
    before: ReadonlySet<string>,
  ): Promise<{ found: Map<string, FoundCard>; whole: boolean } | undefined> {
    let awayView: ListingView | undefined;
    try {
      await this.show(away, 0);
      awayView = await this.tj.view();
      await this.show(listing, 0);
    } catch (error) {
      // A session that ended shows on the fresh page too, where it is signed in again.
      this.deps.log.debug(
        { err: error, listing: listing.type },
        'The listing could not be fetched again in place; the page is loaded afresh',
      );
      return undefined;
    }
    const firstPage = async (): Promise<{ cards: LibraryCard[]; found: Map<string, FoundCard>; whole: boolean }> => {
      const cards = await this.read();
      const found = new Map<string, FoundCard>();
      collect(cards, new Set(names), found, before, true);
      // A batch is smaller than a page, so the listing's first page still shows a card it showed before the upload (when it had any): no other listing can.
      const ours = before.size === 0 || cards.some((card) => before.has(card.creativeId));
      return { cards, found, whole: ours && found.size === names.length };
    };
    let shown = await firstPage();
    if (
      !shown.whole &&
      (await this.tj.settle(LIBRARY_CARDS, awayView, `the ${listing.type} listing`).then(
        () => true,
        () => false,
      ))
    )
      shown = await firstPage();
    if (shown.whole) await this.remember(listing, shown.cards);
    return { found: shown.found, whole: shown.whole };
  }

  /** The listing on screen is the one an upload leaves: the next upload may start from it. */
  private async remember(listing: Listing, cards: readonly LibraryCard[]): Promise<void> {
    const doc = await documentToken(this.tj.page);
    if (doc !== undefined && cards.length > 0)
      this.left = { type: listing.type, doc, ids: cards.map((card) => card.creativeId), at: Date.now() };
  }

  /**
   * The page on a listing's tab and, for Native, its sub-type. Which tab shows at open is not
   * known: the tab is clicked unless it is marked as shown, and each click is followed by the new
   * listing, never a sleep.
   */
  private async show(listing: Listing, heldMs?: number): Promise<void> {
    const tab = await this.tj.shownWithin(() => this.tj.tab(listing.tab), `tab for ${listing.type}`);
    if (!(await this.tj.marked(tab)))
      await this.tj.changeListing(() => this.tj.click(tab), LIBRARY_CARDS, `the ${listing.type} listing`, heldMs);
    if (listing.subType) {
      const radio = this.tj.page.locator(listing.subType).first();
      if (!(await radio.isChecked()))
        await this.tj.changeListing(
          () => this.tj.click(this.tj.page.locator(`label:has(${listing.subType})`).first()),
          LIBRARY_CARDS,
          `the ${listing.type} listing`,
          heldMs,
        );
    }
  }

  /** The cards of the grid on screen: one page of the library read. */
  private async read(): Promise<LibraryCard[]> {
    this.pages += 1;
    const cards = await this.tj.readCards();
    this.deps.onPageRead();
    return cards;
  }
}

/** Takes the cards of the names still wanted, in the listing's order; returns whether the cards after these can still be fresh (none listed before has come yet). */
function collect(
  cards: readonly LibraryCard[],
  wanted: Set<string>,
  found: Map<string, FoundCard>,
  before: ReadonlySet<string>,
  fresh: boolean,
): boolean {
  let stillFresh = fresh;
  for (const card of cards) {
    if (before.has(card.creativeId)) stillFresh = false;
    if (wanted.delete(card.name)) found.set(card.name, { card, fresh: stillFresh });
  }
  return stillFresh;
}
