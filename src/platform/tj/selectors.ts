import type { UploadTarget } from '../../core/platform.js';

/** A DataTable's Next link: TJ_tool's first, the older tools' after. Disabled when its parent's class holds `disabled`. */
const NEXT_PAGE = ['a.page-link.next', 'a.page-link:has-text("Next")', 'li.next a', 'a[rel="next"]'] as const;

/**
 * Everything known of TJ's advertiser site (TJ-CONTRACT.md), in one place. When TJ changes,
 * this file and the contract change together, and `creative-flow check` names what broke. A list
 * holds the variants other tools saw, tried in order.
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
    heading: 'h1:has-text("We missed you")',
    loginForm: "form[action*='login']",
    password: 'input[type="password"]',
  },
  /** Any of these, once the page's script has judged the session, means it is alive. */
  loggedIn: {
    texts: ['MEDIA LIBRARY', 'ALL CAMPAIGNS', 'Account Balance'],
  },
  /** A product tour (Pendo) that covers the page and swallows clicks until closed. */
  overlayClose: ['button[aria-label*="Close"]', 'button._pendo-close-guide_'],
  mediaLibrary: {
    path: '/media-library',
    loadedText: 'MEDIA LIBRARY',
    fileInput: 'input[type="file"]',
    newCreatives: 'button#newImage',
    processing: 'div.processingMessage.customMessage',
    preview: 'div.dz-preview',
    previewDone: 'div.dz-preview.dz-complete, div.dz-preview.dz-success, div.dz-preview.dz-error',
    previewName: '.dz-filename, [data-dz-name]',
    previewError: 'div.dz-error-message',
    /** The grid the page's script replaces in place; cards are read from it alone. */
    grid: ['#creatives', '.dataTables_wrapper tbody'],
    /** The grid is drawn: a card, or the empty table's row. */
    gridDrawn: 'div.creativeContainer, .dataTables_empty',
    card: 'div.creativeContainer[data-id]',
    cardId: 'span.bannerId',
    cardName: 'label.creativeName',
    cardDimensions: 'span.dimensions',
    cardFileType: 'span.fileType',
    cardReviewStatus: 'span.reviewStatus',
    nextPage: NEXT_PAGE,
    /** The page of the grid on screen. */
    pageMarker: 'li.page-item.active a.page-link',
  },
  /** Tabs (ids differ between tools, so the text is the last fallback) and native sub-types (styled radios: click the label). */
  tabs: {
    native: ['a#native_tab', 'a[href="#native"]', 'a:has-text("Native")'],
    inStream: ['a#in_stream_video_tab', 'a#instream_tab', 'a[href="#in_stream_video"]', 'a[href="#instream"]', 'a:has-text("In-Stream")'],
    staticBanner: ['a#static_tab', 'a[href="#static"]', 'a:has-text("Static Banner")'],
    videoBanners: ['a#video_tab', 'a[href="#video"]', 'a:has-text("Video Banners")'],
  },
  subTypes: {
    nativeStatic: 'label:has(input#native_static)',
    nativeRollover: 'label:has(input#native_rollover)',
  },
  /** A campaign's ad settings, where "Mass create with CSV" creates ads. */
  campaign: {
    /** `{id}`: the campaign's id. */
    adSettingsPath: '/campaign/{id}/ad-settings#section_adSpecs',
    readyText: ['STEP 5. CREATE YOUR AD', 'Mass create with CSV'],
    name: 'h1.campaign-name',
    /** The ads DataTable, reloaded in place: its body, and what shows once it is drawn (an ad's row, or the empty table's). */
    adsTable: ['#adsTable tbody', 'table.dataTable tbody'],
    adsTableDrawn: 'tr',
    nextPage: NEXT_PAGE,
    /** Set to 100 before reading: the plain select, or the select2 widget that hides it, and the widget's option. */
    lengthSelect: 'select[name="adsTable_length"]',
    lengthWidget: 'span[id^="select2-dt-length-"][id$="-container"]',
    lengthWidgetOption: 'li.select2-results__option:text-is("100")',
    massCreate: ['button:has-text("Mass create with CSV")', 'a:has-text("Mass create with CSV")'],
    csvInput: '#massAdsCsv',
    csvPreview: ['button:has-text("Create CSV Preview")', 'a:has-text("Create CSV Preview")'],
    previewModal: '#csvPreviewModal',
    confirm: ['#csvPreviewModal button.confirmAds', 'button.create-ads-from-csv-button'],
    issuesText: 'At least one issue was detected',
    invalidText: 'The following creatives are not valid',
    /**
     * Any other error the page shows. Not in the contract: TJ's pages are Bootstrap (its modals are),
     * so Bootstrap's alert is assumed. Without it, a step fails after its wait, with a screenshot.
     */
    errorAlert: '.alert-danger',
    /** A modal left open from an earlier step blocks clicks: closed first. */
    openModalClose: ['.modal.show .close', ".modal.show [data-dismiss='modal']"],
  },
  /** Messages of an error preview that mean the session died. */
  sessionError: /session has expired|log ?in again|sign ?in again/i,
  /** Other tools stop at this many pages; so does a look-up. */
  maxPages: 50,
  /** Allow about this long per file for the upload and TJ's processing. */
  msPerFile: 30_000,
  navigationMs: 30_000,
} as const;

/** A DataTable the page's script replaces in place: where it is, what shows once drawn, and its Next link. */
export interface GridSelectors {
  readonly grid: readonly string[];
  readonly drawn: string;
  readonly next: readonly string[];
}

export const LIBRARY_GRID: GridSelectors = { grid: TJ.mediaLibrary.grid, drawn: TJ.mediaLibrary.gridDrawn, next: TJ.mediaLibrary.nextPage };
export const ADS_GRID: GridSelectors = { grid: TJ.campaign.adsTable, drawn: TJ.campaign.adsTableDrawn, next: TJ.campaign.nextPage };

/** One listing of the library: a tab, and for Native a sub-type, under TJ's own type name. */
export interface Listing {
  /** As TJ's export names the type: `Native Static Banner`, `Native Rollover`, `In-Stream Video`… */
  readonly type: string;
  readonly tab: readonly string[];
  readonly subType?: string;
}

/** Where each target is uploaded. */
export const TARGET_LISTINGS: Readonly<Record<UploadTarget, Listing>> = {
  'native-static': { type: 'Native Static Banner', tab: TJ.tabs.native, subType: TJ.subTypes.nativeStatic },
  'native-rollover': { type: 'Native Rollover', tab: TJ.tabs.native, subType: TJ.subTypes.nativeRollover },
  'in-stream': { type: 'In-Stream Video', tab: TJ.tabs.inStream },
  'static-banner': { type: 'Static Banner', tab: TJ.tabs.staticBanner },
};

/** Every listing of the library, for a full walk: both native sub-types, which filter the Native grid. */
export const LISTINGS: readonly Listing[] = [...Object.values(TARGET_LISTINGS), { type: 'Video Banners', tab: TJ.tabs.videoBanners }];
