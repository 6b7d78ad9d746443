import type { BrowserContext, Page } from 'playwright';

/**
 * Dropzone uploads through XHR with the files in a FormData, whose bodies the browser's network
 * events do not show, so they cannot say which response was which file's. This script, added to
 * every page, notes each upload's file names beside the HTTP status it got (0 for a dropped
 * connection): the status tells TJ's refusal (4xx) from a fault (5xx, 0).
 */
const WATCH_UPLOADS = `(() => {
  const uploads = (window.__cfUploads = []);
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) {
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
})();`;

export async function watchUploads(context: BrowserContext): Promise<void> {
  await context.addInitScript(WATCH_UPLOADS);
}

/** The last status each file name's upload got on this page; none while it is still under way. */
export async function uploadStatuses(page: Page): Promise<Map<string, number>> {
  const uploads = await page.evaluate<{ names: string[]; status: number | null }[]>('window.__cfUploads ?? []');
  const statuses = new Map<string, number>();
  for (const upload of uploads) for (const name of upload.names) if (upload.status !== null) statuses.set(name, upload.status);
  return statuses;
}
