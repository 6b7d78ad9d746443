import { ShutdownError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import {
  compareCreativeIds,
  platformName,
  type LibraryEntry,
  type ListedCard,
  type PlatformId,
} from '../core/platform.js';
import type { Uploader } from '../platform/uploader.js';
import type { LibraryRepository } from '../store/library.repository.js';

/** Review statuses that do not change any more: such creatives are not looked for by a sync. */
const SETTLED_REVIEWS: ReadonlySet<string> = new Set(['approved', 'rejected', 'declined', 'active']);

export interface RefreshResult {
  /** Creatives listed on the platform, de-duplicated by id. */
  readonly found: number;
  /** Names the cache did not know. */
  readonly added: readonly string[];
  /** Names the cache knew whose id the platform no longer lists. */
  readonly gone: readonly string[];
}

export interface ReviewChange {
  readonly platform: PlatformId;
  readonly name: string;
  readonly creativeId: string;
  readonly from: string;
  readonly to: string;
}

/** Brings a platform's library cache in step with it: its whole listing, or its review statuses. */
export class LibrarySyncService {
  constructor(
    private readonly platform: PlatformId,
    private readonly library: LibraryRepository,
    /** Safety limit of pages read per listing. */
    private readonly maxPages: number,
    private readonly log: Logger,
  ) {}

  /** Rebuilds the cache from every listing and page, and says what changed; `signal` stops it with the cache untouched. */
  async refreshLibrary(uploader: Uploader, signal?: AbortSignal): Promise<RefreshResult> {
    const cards = await this.walk(uploader, undefined, signal);
    const knownIds = new Set(this.library.entries().map(([, entry]) => entry.creativeId));
    const listedIds = new Set(cards.map((card) => card.creativeId));
    const added = cards.filter((card) => !knownIds.has(card.creativeId)).map((card) => card.name);
    const gone = this.library
      .entries()
      .filter(([, entry]) => !listedIds.has(entry.creativeId))
      .map(([name]) => name);
    this.library.replaceAll(cards.map((card) => [card.name, this.entryFor(card, this.library.byId(card.creativeId))]));
    await this.library.save();
    this.log.info(
      { found: cards.length, added: added.length, gone: gone.length },
      `Refreshed the library cache from ${platformName(this.platform)}`,
    );
    return { found: cards.length, added, gone };
  }

  /**
   * Updates review statuses; returns the creatives whose status changed. Only creatives still in
   * review can change, and they are the newest: each listing is read newest first until the page
   * past the oldest of them (one page where none is). `full` reads everything.
   */
  async syncStatuses(
    uploader: Uploader,
    options: { full?: boolean; signal?: AbortSignal } = {},
  ): Promise<ReviewChange[]> {
    const changes: ReviewChange[] = [];
    const inReview = this.library
      .entries()
      .filter(([, entry]) => !SETTLED_REVIEWS.has(entry.reviewStatus.toLowerCase()))
      .map(([, entry]) => entry.creativeId);
    const oldest = inReview.reduce<string | undefined>(
      (min, id) => (min === undefined || compareCreativeIds(id, min) < 0 ? id : min),
      undefined,
    );
    // Nothing in review: newer than every known creative, so one page a listing (a creative uploaded elsewhere shows too).
    const newest = this.library
      .entries()
      .reduce<string>(
        (max, [, entry]) => (compareCreativeIds(entry.creativeId, max) > 0 ? entry.creativeId : max),
        '0',
      );
    const olderThan = options.full ? undefined : (oldest ?? newest);
    for (const card of await this.walk(uploader, olderThan, options.signal)) {
      const known = this.library.byId(card.creativeId);
      if (known && known.reviewStatus !== card.reviewStatus)
        changes.push({
          platform: this.platform,
          name: card.name,
          creativeId: card.creativeId,
          from: known.reviewStatus,
          to: card.reviewStatus,
        });
      this.library.set(card.name, this.entryFor(card, known));
    }
    await this.library.save();
    if (changes.length > 0)
      this.log.info({ changes: changes.length }, `Review statuses changed on ${platformName(this.platform)}`);
    return changes;
  }

  /** Every card listed, once each. A walk stopped by `signal` ends here with an error: its cards are only part of the listing. */
  private async walk(uploader: Uploader, olderThan?: string, signal?: AbortSignal): Promise<ListedCard[]> {
    if (signal?.aborted) throw new ShutdownError();
    const listed = await uploader.listAll(this.maxPages, olderThan, signal);
    if (signal?.aborted) throw new ShutdownError();
    const byId = new Map<string, ListedCard>();
    for (const card of listed) if (!byId.has(card.creativeId)) byId.set(card.creativeId, card);
    return [...byId.values()];
  }

  private entryFor(card: ListedCard, known: LibraryEntry | undefined): LibraryEntry {
    const changed = known !== undefined && known.reviewStatus !== card.reviewStatus;
    return {
      creativeId: card.creativeId,
      dimensions: card.dimensions,
      fileType: card.fileType,
      reviewStatus: card.reviewStatus,
      // The listing it was found in names its type as TJ's export does (`Native Rollover`…), over older names.
      creativeType: card.creativeType,
      uploadDate: known?.uploadDate ?? '',
      ...(changed ? { reviewChangedAt: new Date().toISOString(), previousReviewStatus: known.reviewStatus } : {}),
      ...(!changed && known?.reviewChangedAt
        ? { reviewChangedAt: known.reviewChangedAt, previousReviewStatus: known.previousReviewStatus ?? '' }
        : {}),
    };
  }
}
