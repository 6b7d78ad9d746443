import type { BrowserContext, Page } from 'playwright';

/**
 * A script added to every page of the app, before the page's own, that watches what the page
 * asks the server for. It sees two things the page does not show:
 * - Dropzone uploads through XHR with the files in a FormData, whose bodies the browser's network
 *   events do not show. Each upload's file names are noted beside the HTTP status it got (0 for a
 *   dropped connection): the status tells TJ's refusal (4xx) from a fault (5xx, 0).
 * - The page's own requests (fetch and XHR): how many are under way, when the last one ended, and
 *   how many were refused as signed out. A grid the script fetches has come back once none is
 *   under way, whatever the page does with it. A dead session's calls fail, and not always as 401
 *   (builds answer 403, or 419 for an expired session): each of those counts, and means the late
 *   redirect to sign-in is coming.
 * Each document gets a token of its own, so a click that loads a new document is told apart.
 */
const WATCH_PAGE = `(() => {
  const net = (window.__cfNet = { doc: Math.random().toString(36).slice(2), inflight: 0, ended: 0, refused: 0, lastAt: performance.now() });
  const begin = () => { net.inflight += 1; net.lastAt = performance.now(); };
  const end = (status) => {
    net.inflight = Math.max(0, net.inflight - 1);
    net.ended += 1;
    if (status === 401 || status === 403 || status === 419) net.refused += 1;
    net.lastAt = performance.now();
  };
  const uploads = (window.__cfUploads = []);
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) {
    begin();
    this.addEventListener('loadend', () => end(this.status));
    if (body instanceof FormData) {
      const names = [...body.values()].filter((value) => value instanceof File).map((file) => file.name);
      if (names.length > 0) {
        const upload = { names, status: null };
        uploads.push(upload);
        this.addEventListener('loadend', () => { upload.status = this.status; });
      }
    }
    return send.call(this, body);
  };
  // What a listing shows: its items on screen (with a layout box), each by its key, and the markers of the session.
  window.__cfView = (a) => {
    const onScreen = (node) => node.getClientRects().length > 0;
    const keys = [...document.querySelectorAll(a.item)]
      .filter((node) => onScreen(node) && !(a.ignore && (node.matches(a.ignore) || node.querySelector(a.ignore))))
      .map((node) => (a.keyAttribute ? node.getAttribute(a.keyAttribute) || '' : (node.textContent || '').replace(/\s+/g, ' ').trim()));
    const marker = [...document.querySelectorAll(a.marker)].find(onScreen);
    const text = document.body ? document.body.innerText : '';
    const signedOut = a.urlParts.some((part) => location.href.includes(part)) || document.querySelector(a.signedOut) !== null ||
      [...document.querySelectorAll('h1')].some((h1) => (h1.textContent || '').includes(a.signedOutHeading));
    return { keys, marker: marker ? marker.textContent.trim() : '', signedIn: a.texts.filter((t) => text.includes(t)), signedOut, net: { doc: net.doc, inflight: net.inflight, ended: net.ended, refused: net.refused, quietMs: performance.now() - net.lastAt } };
  };
  const fetch = window.fetch;
  window.fetch = function (...args) {
    begin();
    return fetch.apply(this, args).then(
      (response) => { end(response.status); return response; },
      (error) => { end(0); throw error; },
    );
  };
})();`;

/** Adds the watch to every page the context opens from now on. */
export async function watchPages(context: BrowserContext): Promise<void> {
  await context.addInitScript(WATCH_PAGE);
}

/** What the watch saw of the page's requests, as {@link WATCH_PAGE} keeps it. */
export interface NetworkState {
  /** The document's token: another token is another document. */
  readonly doc: string;
  readonly inflight: number;
  /** Requests ended since the document loaded. */
  readonly ended: number;
  /** Requests the server refused as signed out (401, 403, 419). */
  readonly refused: number;
  /** Milliseconds since a request last began or ended. */
  readonly quietMs: number;
}

/** What to look for in the page: a listing's items, and the session's markers. */
export interface ViewQuery {
  /** The items; only those on screen count. */
  readonly item: string;
  /** How an item is told apart: an attribute, or (none) its text. */
  readonly keyAttribute?: string | undefined;
  /** Items that are not content. */
  readonly ignore?: string | undefined;
  readonly marker: string;
  /** Signed-in texts: those on screen are returned. */
  readonly texts: readonly string[];
  readonly signedOut: string;
  readonly signedOutHeading: string;
  readonly urlParts: readonly string[];
}

export interface PageView {
  readonly keys: string[];
  readonly marker: string;
  /** The signed-in texts on screen. */
  readonly signedIn: string[];
  readonly signedOut: boolean;
  readonly net: NetworkState;
}

/** What the page shows now, as the watch reads it; nothing while a document is being replaced or before the watch ran. */
export async function readView(page: Page, query: ViewQuery): Promise<PageView | undefined> {
  return page
    .evaluate((q) => {
      const view = (globalThis as unknown as { __cfView?: (query: ViewQuery) => PageView }).__cfView;
      return view ? view(q) : undefined;
    }, query)
    .catch(() => undefined);
}

/** The watch's token of the document on screen (another token is another document); none before the watch ran. */
export async function documentToken(page: Page): Promise<string | undefined> {
  return page.evaluate<string | undefined>('window.__cfNet?.doc').catch(() => undefined);
}

/** An upload the page sent: the names of its files, and the HTTP status it got (null while under way). */
export interface UploadRequest {
  readonly names: readonly string[];
  readonly status: number | null;
}

/** Every upload this document sent, in the order sent. */
export async function uploadRequests(page: Page): Promise<UploadRequest[]> {
  return page.evaluate<UploadRequest[]>('window.__cfUploads ?? []');
}

/** The last status each file name's upload got; none while it is still under way. */
export function uploadStatuses(requests: readonly UploadRequest[]): Map<string, number> {
  const statuses = new Map<string, number>();
  for (const upload of requests)
    for (const name of upload.names) if (upload.status !== null) statuses.set(name, upload.status);
  return statuses;
}
