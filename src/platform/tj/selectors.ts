import type { UploadTarget } from '../../core/platform.js';

/**
 * Everything known of TJ's advertiser site (TJ-CONTRACT.md), in one place. When TJ changes,
 * this file and the contract change together.
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
  loggedIn: { urlParts: ['campaigns', 'dashboard'], texts: ['Account Balance', 'ALL CAMPAIGNS'] },
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
    card: 'div.creativeContainer[data-id]',
    cardId: 'span.bannerId',
    cardName: 'label.creativeName',
    cardDimensions: 'span.dimensions',
    cardFileType: 'span.fileType',
    cardReviewStatus: 'span.reviewStatus',
    nextPage: ['a.page-link:has-text("Next")', 'li.next a', 'a[rel="next"]'],
  },
  /** Tab and sub-type radio of each target; the ids differ between tools, so the text is a fallback. */
  targets: {
    'native-static': { tab: ['a#native_tab', 'a[href="#native"]', 'a:has-text("Native")'], radio: 'input#native_static' },
    'native-rollover': { tab: ['a#native_tab', 'a[href="#native"]', 'a:has-text("Native")'], radio: 'input#native_rollover' },
    'in-stream': { tab: ['a#in_stream_video_tab', 'a[href="#in_stream_video"]', 'a:has-text("In-Stream")'], radio: undefined },
    'static-banner': { tab: ['a#static_tab', 'a[href="#static"]', 'a:has-text("Static Banner")'], radio: undefined },
  } satisfies Record<UploadTarget, { tab: string[]; radio: string | undefined }>,
  /** Every listing of the library, for a full walk; both native sub-types list in one. */
  listings: [
    { type: 'Native', tab: ['a#native_tab', 'a[href="#native"]', 'a:has-text("Native")'] },
    { type: 'In-Stream Video', tab: ['a#in_stream_video_tab', 'a[href="#in_stream_video"]', 'a:has-text("In-Stream")'] },
    { type: 'Static Banner', tab: ['a#static_tab', 'a[href="#static"]', 'a:has-text("Static Banner")'] },
    { type: 'Video Banners', tab: ['a#video_tab', 'a[href="#video"]', 'a:has-text("Video Banners")'] },
  ],
  /** Preview errors that say nothing about the file itself: retried, not reported as a rejection. */
  transientError: /internal server error|server error|connection|timed? ?out|network|too many requests|try again/i,
  /** Messages of a preview error that mean the session died. */
  sessionError: /session has expired|log ?in again|sign ?in again/i,
  /** Other tools stop at this many pages; so does a look-up. */
  maxPages: 50,
  /** Allow about this long per file for the upload and TJ's processing. */
  msPerFile: 30_000,
  navigationMs: 30_000,
} as const;
