import path from 'node:path';
import type { Page } from 'playwright';
import { localStampMs } from '../../core/dates.js';
import type { ActivityBus } from '../../core/events.js';
import type { Layout } from '../../core/layout.js';
import type { Logger } from '../../core/logger.js';
import type { StorageRepository } from '../../store/storage.repository.js';

/** Failures whose evidence is kept; older ones are pruned as new ones arrive. */
const KEEP = 100;

/**
 * What the page showed when a browser step failed: a screenshot and the page's HTML, in
 * `data/screenshots/` (owner-only: they show the account). A help, never a reason to fail.
 */
export class Evidence {
  constructor(
    private readonly layout: Layout,
    private readonly storage: StorageRepository,
    private readonly log: Logger,
    private readonly events?: Pick<ActivityBus, 'emit'>,
  ) {}

  /** Saves the page as it is now; returns the screenshot's path, or undefined when the page could not be captured. */
  async capture(page: Page, what: string, detail?: string): Promise<string | undefined> {
    const stamp = localStampMs();
    const png = this.layout.screenshotFile(stamp, what, 'png');
    try {
      await this.storage.ensureDir(this.layout.screenshots, 0o700);
      await this.storage.writeFileAtomic(png, await page.screenshot({ fullPage: true }), { mode: 0o600 });
      await this.storage.writeFileAtomic(this.layout.screenshotFile(stamp, what, 'html'), await page.content(), {
        mode: 0o600,
      });
      // The reason goes in the log beside the file: a person reading it tells a dead session from a slow page without opening the screenshot.
      this.log.warn(
        { screenshot: png, reason: detail },
        `Saved a screenshot and the page's HTML of the failure (${what})${detail ? `: ${detail}` : ''}`,
      );
      this.events?.emit('problem', {
        at: new Date().toISOString(),
        what,
        message: detail ?? `TJ step "${what}" failed`,
        screenshot: this.layout.rel(png),
      });
      await this.prune();
      return png;
    } catch {
      return undefined;
    }
  }

  private async prune(): Promise<void> {
    const names = (await this.storage.list(this.layout.screenshots))
      .filter((name) => /\.(png|html)$/.test(name))
      .sort();
    const stale = names.slice(0, Math.max(0, names.length - KEEP * 2));
    await Promise.all(stale.map((name) => this.storage.remove(path.join(this.layout.screenshots, name))));
  }
}
