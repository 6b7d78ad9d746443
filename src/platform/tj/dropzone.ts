import type { Locator, Page } from 'playwright';
import { documentToken } from './page-watch.js';
import { TJ, TJ_HINTS } from './selectors.js';

/** What a file's Dropzone preview said once it was done. */
export interface PreviewOutcome {
  readonly name: string;
  readonly ok: boolean;
  readonly message: string;
}

/** Marks what a page held before an upload, so that only what the upload adds is read. */
const SEEN = 'data-cf-seen';
/** How often the previews are looked at while TJ works, as the page's other waits are (Playwright's own waits look only every 500 ms after the first few). */
const POLL_MS = 25;
/** How long a file input the upload button makes is waited for, when the page had one already. */
const NEW_INPUT_MS = 250;

/**
 * Dropzone on TJ's Media Library: the upload button clicked, the files set on the input it
 * attached (or the one the page had), and each file's preview read once every one is done and
 * TJ no longer says it is processing. Previews of earlier uploads that stay on the page are
 * marked first and never read again.
 */
export class Dropzone {
  /**
   * Documents (by the watch's token) where a click on the upload button was seen to attach no
   * input of its own: the page's script does the same on the next click, so it is not waited for
   * again there. A new document is given the moment afresh.
   */
  private readonly clickAddsNoInput = new Set<string>();

  constructor(private readonly page: Page) {}

  /** Sends the files through the input `open` makes Dropzone attach; each file's outcome, by name (or, without names, in the files' order). */
  async send(
    files: readonly { readonly path: string; readonly name: string }[],
    open: () => Promise<void>,
  ): Promise<Map<string, PreviewOutcome>> {
    const input = await this.fileInputAfter(open);
    await this.page
      .locator(TJ.mediaLibrary.preview)
      .evaluateAll((nodes, seen) => nodes.forEach((node) => node.setAttribute(seen, '')), SEEN);
    await input.setInputFiles(files.map((file) => file.path));
    return this.previews(files);
  }

  /**
   * Does what makes Dropzone attach its file input, and returns that input: one attached since,
   * else the last on the page (it may have been there from the start, and may be hidden).
   */
  private async fileInputAfter(action: () => Promise<void>): Promise<Locator> {
    const { fileInput } = TJ.mediaLibrary;
    const inputs = this.page.locator(fileInput);
    const known = await inputs.count();
    const doc = await documentToken(this.page);
    await inputs.evaluateAll((nodes, seen) => nodes.forEach((node) => node.setAttribute(seen, '')), SEEN);
    await action();
    const added = this.page.locator(`${fileInput}:not([${SEEN}])`);
    // With an input there already, a new one is given a moment (Dropzone makes it on the click, if at all), unless this document's clicks make none.
    const waitMs =
      known === 0 ? TJ.navigationMs : doc !== undefined && this.clickAddsNoInput.has(doc) ? 0 : NEW_INPUT_MS;
    const appeared =
      waitMs === 0
        ? (await added.count()) > 0
        : await added
            .first()
            .waitFor({ state: 'attached', timeout: waitMs })
            .then(
              () => true,
              () => false,
            );
    if (appeared) return added.last();
    if (known === 0) throw new Error(`no ${fileInput} was attached`);
    if (doc !== undefined) this.clickAddsNoInput.add(doc);
    return inputs.last();
  }

  /** Waits until a preview of this upload is done for every file and TJ no longer says it is processing; then reads them. */
  private async previews(files: readonly { readonly name: string }[]): Promise<Map<string, PreviewOutcome>> {
    const m = TJ.mediaLibrary;
    const freshPreview = `${m.preview}:not([${SEEN}])`;
    const fresh = this.page.locator(freshPreview);
    // One look a poll: this upload's previews that are done, and whether the processing message is on screen.
    const watched = this.page.locator(`${freshPreview}, ${m.processing}`);
    const selectors = { preview: freshPreview, done: m.previewDone.join(', '), processing: m.processing };
    const timeoutMs = TJ.msPerFile * files.length;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = await watched.evaluateAll(
        (nodes, s) => ({
          done: nodes.filter((node) => node.matches(s.preview) && node.matches(s.done)).length,
          // Visible as Playwright means it: a box with an area, and not `visibility: hidden`.
          busy: nodes.some((node) => {
            const box = node.getBoundingClientRect();
            return (
              node.matches(s.processing) &&
              box.width > 0 &&
              box.height > 0 &&
              node.ownerDocument.defaultView?.getComputedStyle(node).visibility === 'visible'
            );
          }),
        }),
        selectors,
      );
      if (now.done >= files.length && !now.busy) break;
      if (Date.now() > deadline)
        throw new Error(
          `${now.done} of ${files.length} previews were done${now.busy ? ' and TJ was still processing' : ''} after ${timeoutMs / 1000} s`,
        );
      await this.page.waitForTimeout(POLL_MS);
    }
    const previews = await fresh.evaluateAll(
      (nodes, selectors) =>
        nodes.map((node) => ({
          name: selectors.names.map((name) => node.querySelector(name)?.textContent?.trim() ?? '').find(Boolean) ?? '',
          ok: !node.classList.contains('dz-error'),
          message: node.querySelector(selectors.error)?.textContent?.trim() ?? '',
        })),
      { names: [...TJ_HINTS.previewName], error: m.previewError },
    );
    const outcomes = new Map<string, PreviewOutcome>();
    files.forEach((file, index) => {
      const preview =
        previews.find((candidate) => candidate.name === file.name || candidate.name.startsWith(`${file.name}.`)) ??
        (previews.every((candidate) => candidate.name === '') ? previews[index] : undefined);
      if (preview) outcomes.set(file.name, preview);
    });
    return outcomes;
  }
}
