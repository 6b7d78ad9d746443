import type { Tab } from './library.js';

/**
 * Builds of TJ's pages that differ only where TJ-CONTRACT.md leaves things open ("What is not
 * known"). Every variant keeps all the contract fixes: the cards and their fields, the tabs' known
 * ids or their text, the native radios inside their labels, `button#newImage`, Dropzone's
 * previews and messages, the Next links, the campaign page's texts, select and buttons. What
 * changes is everything else: the grid's container, how a listing is swapped, the tab shown at
 * open, the grid's delay, markup and texts the contract does not quote, and where the file input
 * appears. A client that works on all of them needs no more than the contract.
 */
export interface MarkupVariant {
  /** What it changes, for the simulator's banner and the closing notes. */
  readonly summary: string;
  /** Around the cards: `#creatives` (our first build), a nesting of anonymous wrappers, or none at all (cards among the page's other elements). */
  readonly container: 'creatives-div' | 'nested' | 'none';
  /** A listing is fetched and put in place, or every listing is rendered up front in a panel shown by a class (and Next loads a new document). */
  readonly listings: 'fetched' | 'panels';
  /** The tab shown at open (for Native, the Static Banner sub-type). */
  readonly openTab: Tab;
  /** How long a listing takes to come back, in ms; the old cards stay on screen meanwhile. */
  readonly gridDelayMs: number;
  /** The tabs' ids and hrefs: those our first build had, the other tools' (`a#in_stream_video_tab`…), or none the contract knows (text only). */
  readonly tabIds: 'first-build' | 'other-tools' | 'unknown';
  /** The class that marks the tab shown. */
  readonly activeClass: string;
  /** Where Dropzone's input is: at the end of the body from the start, inside the drop zone once the button is clicked, or in the form from the start. */
  readonly fileInput: 'body-at-load' | 'zone-after-click' | 'form-at-load';
  /** What an empty listing shows: DataTables' empty row, a sentence of the site's own, or nothing. */
  readonly empty: 'datatables' | 'sentence' | 'nothing';
  /** The Next link, as one of the tools saw it. */
  readonly pager: 'page-link-next' | 'li-next' | 'rel-next' | 'page-link-text';
  /** Whether a preview says its file's name (Dropzone's default template does). */
  readonly previewNames: boolean;
  /** The campaign page's ads table: as our first build had it (`#adsTable`), or a plain table in anonymous wrappers. */
  readonly adsTable: 'ads-table-id' | 'wrapped';
  /** Texts the contract does not quote: the upload button's label, the processing line, the heading's neighbours. */
  readonly wording: 'first-build' | 'other';
  /**
   * Pages that hold only what the contract names for them: no menu (so no "Account Balance" on a
   * campaign page), none of the hints other builds showed (a closer's class, an active page
   * marker, an alert's class, an empty table's row), and an app shell that shows its heading at
   * once, before its script judges the session (a dead one is sent to sign-in a moment later).
   */
  readonly onlyContract: boolean;
}

export const MARKUP_VARIANTS: readonly MarkupVariant[] = [
  {
    summary:
      'our first build: the cards in div#creatives, each listing fetched and put in place after 250 ms, Native open, DataTables markup',
    container: 'creatives-div',
    listings: 'fetched',
    openTab: 'native',
    gridDelayMs: 250,
    tabIds: 'first-build',
    activeClass: 'active',
    fileInput: 'body-at-load',
    empty: 'datatables',
    pager: 'page-link-next',
    previewNames: true,
    adsTable: 'ads-table-id',
    wording: 'first-build',
    onlyContract: false,
  },
  {
    summary:
      "cards nested in anonymous wrappers, fetched after 0.6 s (old cards linger), In-Stream open, the other tools' tab ids, tabs marked `current`, the file input made inside the drop zone on click, li.next links, a plain ads table",
    container: 'nested',
    listings: 'fetched',
    openTab: 'in_stream_video',
    gridDelayMs: 600,
    tabIds: 'other-tools',
    activeClass: 'current',
    fileInput: 'zone-after-click',
    empty: 'sentence',
    pager: 'li-next',
    previewNames: true,
    adsTable: 'wrapped',
    wording: 'other',
    onlyContract: false,
  },
  {
    summary:
      'every listing rendered up front in a panel shown by a class (no request on a tab click), Next loads a new document, Static Banner open, tabs known by their text alone, the file input in the form from the start, an empty listing shows nothing, rel=next links',
    container: 'none',
    listings: 'panels',
    openTab: 'static',
    gridDelayMs: 0,
    tabIds: 'unknown',
    activeClass: 'selected',
    fileInput: 'form-at-load',
    empty: 'nothing',
    pager: 'rel-next',
    previewNames: false,
    adsTable: 'wrapped',
    wording: 'other',
    onlyContract: false,
  },
  {
    summary:
      'no container: cards among the page\'s other elements, fetched after 1.2 s, Video Banners open, tabs known by their text alone, previews without file names, "Next" page links without the next class',
    container: 'none',
    listings: 'fetched',
    openTab: 'video',
    gridDelayMs: 1_200,
    tabIds: 'unknown',
    activeClass: 'active',
    fileInput: 'zone-after-click',
    empty: 'sentence',
    pager: 'page-link-text',
    previewNames: false,
    adsTable: 'ads-table-id',
    wording: 'other',
    onlyContract: false,
  },
  {
    summary:
      'only what the contract names: the shell shows "MEDIA LIBRARY" before it judges the session, no menu or "Account Balance", a campaign page with no ads shows an empty table, tabs known by their text, no page marker, no hint classes',
    container: 'nested',
    listings: 'fetched',
    openTab: 'static',
    gridDelayMs: 400,
    tabIds: 'unknown',
    activeClass: 'is-open',
    fileInput: 'zone-after-click',
    empty: 'nothing',
    pager: 'page-link-text',
    previewNames: false,
    adsTable: 'wrapped',
    wording: 'other',
    onlyContract: true,
  },
];

/** A variant by its number, 0 being our first build. */
export function markupVariant(index: number): MarkupVariant {
  const variant = MARKUP_VARIANTS[index];
  if (!variant)
    throw new RangeError(
      `no markup variant ${index}: there are ${MARKUP_VARIANTS.length} (0–${MARKUP_VARIANTS.length - 1})`,
    );
  return variant;
}

/** The Next and Previous links of a listing's page, in the variant's markup (the contract's `disabled` on the parent of the last page's Next). */
export function pagerHtml(
  pager: MarkupVariant['pager'],
  page: number,
  pages: number,
  href: (page: number) => string = () => '#',
): string {
  const last = page >= pages;
  if (pager === 'page-link-next') {
    // Our first build's, as DataTables draws it.
    return `<ul class="pagination">
  <li class="paginate_button page-item previous${page <= 1 ? ' disabled' : ''}"><a class="page-link previous" data-page="${page - 1}" href="${href(page - 1)}">Previous</a></li>
  <li class="paginate_button page-item active"><a class="page-link" data-page="${page}" href="${href(page)}">${page}</a></li>
  <li class="paginate_button page-item next${last ? ' disabled' : ''}"><a class="page-link next" data-page="${page + 1}" href="${href(page + 1)}">Next</a></li>
</ul>`;
  }
  const previous = `<li class="page-item${page <= 1 ? ' disabled' : ''}"><a class="page-link previous" data-page="${page - 1}" href="${href(page - 1)}">Previous</a></li>`;
  // DataTables marks the page shown with `active`; the contract does not say so, and two variants have no such mark.
  const current =
    pager === 'li-next'
      ? `<li class="page-item active"><a class="page-link" data-page="${page}" href="${href(page)}">${page}</a></li>`
      : `<li class="page-item"><span aria-current="page">${page}</span></li>`;
  const nextLink = {
    'li-next': `<a data-page="${page + 1}" href="${href(page + 1)}">›</a>`,
    'rel-next': `<a rel="next" data-page="${page + 1}" href="${href(page + 1)}">Following</a>`,
    'page-link-text': `<a class="page-link" data-page="${page + 1}" href="${href(page + 1)}">Next</a>`,
  }[pager];
  const nextItem = `<li class="page-item${pager === 'li-next' ? ' next' : ''}${last ? ' disabled' : ''}">${nextLink}</li>`;
  return `<ul class="pagination">${previous}${current}${nextItem}</ul>`;
}
