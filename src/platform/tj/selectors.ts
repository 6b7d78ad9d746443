import type { UploadTarget } from '../../core/platform.js';

/**
 * Everything known of TJ's advertiser site (CONTRACT.md beside this file), in one place. Each string of `TJ` is
 * quoted in the contract, word for word (a unit test reads the contract and holds this to it):
 * these are what a flow may require. When TJ changes, this file and the contract change together,
 * and `creative-flow check` names what broke. A list holds the variants other tools saw, tried in
 * order. Anything the contract does not quote sits in {@link TJ_HINTS}.
 */
export const TJ = {
  signIn: {
    username: 'input[placeholder*="USERNAME"]',
    password: 'input[type="password"]',
    /** An <input>, enabled only when it has no `disabled` attribute at all. */
    submit: '#submitBtn',
    cookieAccept: 'button:has-text("Accept All")',
    wrongCredentialsText: "don't recognize these credentials",
  },
  /** Any of these means the session is dead, whatever the URL of the app shell says. */
  loggedOut: {
    urlParts: ['sign-in', '/login'],
    /** Said by an `h1`. */
    headingText: 'We missed you',
    loginForm: "form[action*='login']",
    password: 'input[type="password"]',
  },
  /** Any of these, once the page's script has judged the session, means it is alive. */
  loggedIn: {
    texts: ['MEDIA LIBRARY', 'ALL CAMPAIGNS', 'Account Balance'],
  },
  /** A product tour (Pendo) that covers the page and swallows clicks until closed. */
  overlayClose: ['button[aria-label*="Close"]'],
  mediaLibrary: {
    path: '/media-library',
    loadedText: 'MEDIA LIBRARY',
    /** Dropzone's, attached once `newCreatives` is clicked; perhaps hidden. */
    fileInput: 'input[type="file"]',
    newCreatives: 'button#newImage',
    processing: 'div.processingMessage.customMessage',
    preview: 'div.dz-preview',
    /** A preview's classes once it is done: a success, or an error. */
    previewDone: ['.dz-success.dz-complete', '.dz-error'],
    previewError: 'div.dz-error-message',
    /** The cards that count are those on screen (with a layout box), wherever they sit in the page. */
    card: 'div.creativeContainer[data-id]',
    cardId: 'span.bannerId',
    cardName: 'label.creativeName',
    cardDimensions: 'span.dimensions',
    cardFileType: 'span.fileType',
    cardReviewStatus: 'span.reviewStatus',
  },
  /** A DataTable's Next link: TJ_tool's first, the older tools' after. Disabled when its parent's class holds `disabled`. */
  nextPage: ['a.page-link.next', 'a.page-link:has-text("Next")', 'li.next a', 'a[rel="next"]'],
  /** Tabs: ids differ between tools, so each falls back on its visible text. */
  tabs: {
    native: { selectors: ['a#native_tab', 'a[href="#native"]'], text: 'Native' },
    inStream: {
      selectors: ['a#in_stream_video_tab', 'a#instream_tab', 'a[href="#in_stream_video"]', 'a[href="#instream"]'],
      text: 'In-Stream',
    },
    staticBanner: { selectors: ['a#static_tab'], text: 'Static Banner' },
    videoBanners: { selectors: ['a#video_tab'], text: 'Video Banners' },
  },
  /** Native sub-types: styled radios, so the label that holds each is clicked. */
  subTypes: {
    nativeStatic: 'input#native_static',
    nativeRollover: 'input#native_rollover',
  },
  /** A campaign's ad settings, where "Mass create with CSV" creates ads. */
  campaign: {
    /** `{id}`: the campaign's id. */
    adSettingsPath: '/campaign/{id}/ad-settings#section_adSpecs',
    readyText: ['STEP 5. CREATE YOUR AD', 'Mass create with CSV'],
    name: 'h1.campaign-name',
    /** The ads are the rows on screen of a table's body. */
    adRows: 'tbody tr',
    /** Set to 100 before reading. */
    lengthSelect: 'select[name="adsTable_length"]',
    massCreateText: 'Mass create with CSV',
    csvInput: '#massAdsCsv',
    csvPreviewText: 'Create CSV Preview',
    previewModal: '#csvPreviewModal',
    confirm: ['button.confirmAds', 'button.create-ads-from-csv-button'],
    issuesText: 'At least one issue was detected',
    invalidText: 'The following creatives are not valid',
    /** A modal left open from an earlier step blocks clicks: closed first. */
    openModalClose: ['.modal.show .close', "[data-dismiss='modal']"],
  },
  /** Other tools stop at this many pages; so does a look-up. */
  maxPages: 50,
  /** Allow about this long per file for the upload and TJ's processing. */
  msPerFile: 30_000,
  navigationMs: 30_000,
} as const;

/**
 * Hints: what this or other builds of the site were seen to have, but the contract does not say.
 * A flow may try one first (it is quicker, or it reads better), and must work without it:
 * `creative-flow check` reports a missing hint as a note, never as a failure.
 */
export const TJ_HINTS = {
  /** Other tools' closer of the product tour. */
  overlayClose: ['button._pendo-close-guide_'],
  /** Other tabs' `href`s, as a build with Bootstrap tabs would have them. */
  tabs: { staticBanner: ['a[href="#static"]'], videoBanners: ['a[href="#video"]'] },
  /** A tab already shown, as Bootstrap marks it: no click needed. Without it, the tab is clicked. */
  activeTab: ['.active', '[aria-selected="true"]'],
  /** Where Dropzone writes a preview's file name; without it, previews are taken in the order the files were given. */
  previewName: ['.dz-filename', '[data-dz-name]'],
  /** The page of a grid on screen, as DataTables marks it; it makes a page change quicker to see. */
  pageMarker: 'li.page-item.active',
  /** DataTables' row of an empty table: not an ad. */
  emptyRow: '.dataTables_empty',
  /** Messages of an error preview that mean the session died (an HTTP 401 says it without them). */
  sessionError: /session has expired|log ?in again|sign ?in again/i,
  /** The select2 widget over the length select, as some pages have it: checked by `check`; the flows set the select beneath it. */
  lengthWidget: 'span[id^="select2-dt-length-"][id$="-container"]',
  /** TJ's pages are Bootstrap (its modals are), so an error is assumed to be Bootstrap's alert. */
  errorAlert: '.alert-danger',
} as const;

/** A tab: its selectors, tried in order, then the visible text of a link. */
export interface TabSelectors {
  readonly selectors: readonly string[];
  readonly text: string;
}

/** One listing of the library: a tab, and for Native a sub-type, under TJ's own type name. */
export interface Listing {
  /** As TJ's export names the type: `Native Static Banner`, `Native Rollover`, `In-Stream Video`… */
  readonly type: string;
  readonly tab: TabSelectors;
  /** For Native: the sub-type's radio, whose label is clicked. */
  readonly subType?: string;
}

const withHints = (tab: TabSelectors, hints: readonly string[]): TabSelectors => ({
  selectors: [...tab.selectors, ...hints],
  text: tab.text,
});

/** Where each target is uploaded. */
export const TARGET_LISTINGS: Readonly<Record<UploadTarget, Listing>> = {
  'native-static': { type: 'Native Static Banner', tab: TJ.tabs.native, subType: TJ.subTypes.nativeStatic },
  'native-rollover': { type: 'Native Rollover', tab: TJ.tabs.native, subType: TJ.subTypes.nativeRollover },
  'in-stream': { type: 'In-Stream Video', tab: TJ.tabs.inStream },
  'static-banner': { type: 'Static Banner', tab: withHints(TJ.tabs.staticBanner, TJ_HINTS.tabs.staticBanner) },
};

const VIDEO_BANNERS: Listing = {
  type: 'Video Banners',
  tab: withHints(TJ.tabs.videoBanners, TJ_HINTS.tabs.videoBanners),
};

/** Every listing of the library, for a full walk: both native sub-types, which filter the Native grid. */
export const LISTINGS: readonly Listing[] = [...Object.values(TARGET_LISTINGS), VIDEO_BANNERS];

/**
 * For each target, another listing one click from its own (the other native sub-type, else a tab
 * nothing is uploaded to): shown and left again, it makes the page fetch the target's grid anew.
 */
export const AWAY_LISTINGS: Readonly<Record<UploadTarget, Listing>> = {
  'native-static': TARGET_LISTINGS['native-rollover'],
  'native-rollover': TARGET_LISTINGS['native-static'],
  'in-stream': VIDEO_BANNERS,
  'static-banner': VIDEO_BANNERS,
};

/** What a grid's items are, for telling one listing from another: library cards, or a table's rows. */
export interface GridItems {
  /** The items; only those on screen count. */
  readonly item: string;
  /** How an item is told apart: an attribute, or (none) its text. */
  readonly keyAttribute?: string;
  /** Items that are not content (an empty table's row). */
  readonly ignore?: string;
  /** What the page holding the grid shows once drawn, which says signed in as the app's markers do. */
  readonly pageTexts?: readonly string[];
}

export const LIBRARY_CARDS: GridItems = { item: TJ.mediaLibrary.card, keyAttribute: 'data-id' };
/** A campaign's ads: its page promises its ready texts, not the app's markers (a new campaign's table may be empty). */
export const AD_ROWS: GridItems = {
  item: TJ.campaign.adRows,
  ignore: TJ_HINTS.emptyRow,
  pageTexts: TJ.campaign.readyText,
};
