import type { AdsRequest, CreateAdsOutcome, LibraryCard, ListedCard, UploadTarget } from '../core/platform.js';
import {
  LoginRequiredError,
  type LookUpResult,
  type UploadFile,
  type Uploader,
  type UploadResult,
} from '../platform/uploader.js';

/** What the platform does with one upload request of a name. */
export type FakeAnswer =
  /** Kept, with a new card. */
  | 'ok'
  /** A 5xx: nothing kept. */
  | 'fail'
  /** Kept, but the connection dropped before the answer: the uploader sees a failure. */
  | 'drop'
  /** Refused with a message about the file. */
  | 'reject'
  /** The session died. */
  | 'login';

/**
 * An in-memory platform behind the {@link Uploader} interface, behaving as the contract says TJ
 * does: a name it already has is refused without a word, and a dropped connection may leave the
 * file kept. It counts every request per name, so "never twice" can be asserted.
 */
export class FakePlatform implements Uploader {
  /** Cards by name, as the library lists them. */
  readonly cards = new Map<string, LibraryCard & { target: UploadTarget }>();
  /** Upload requests per name, whatever became of them. */
  readonly requests = new Map<string, number>();
  /** Answers for the next requests of a name, in order; `ok` once they run out. */
  readonly script = new Map<string, FakeAnswer[]>();
  readonly batches: string[][] = [];
  /** Campaigns by id: their name, and how many times each ad (by name) was created. */
  readonly campaigns = new Map<string, { name: string; ads: Map<string, number> }>();
  /** Creative ids the platform calls not valid for any campaign. */
  readonly invalidCreatives = new Set<string>();
  /** Campaigns whose next `createAds` calls fail (as a browser step would), counted down. */
  readonly campaignFailures = new Map<string, number>();
  /** Pages a listing runs to: a look-up reading fewer does not reach its end (it then finds nothing, as the card is further down). */
  listingPages = 1;
  /** The `maxPages` of every look-up, in order. */
  readonly lookUps: number[] = [];
  private nextId = 1_032_600_001;
  private pages = 0;

  /** Set false to play a browser that crashed. */
  alive = true;

  get pagesRead(): number {
    return this.pages;
  }

  /** A card already on the platform, as if uploaded long ago. */
  seed(name: string, target: UploadTarget): string {
    const creativeId = String(this.nextId++);
    this.cards.set(name, {
      creativeId,
      name,
      dimensions: '640x360',
      fileType: '.png',
      reviewStatus: 'approved',
      target,
    });
    return creativeId;
  }

  async upload(target: UploadTarget, files: readonly UploadFile[]): Promise<Map<string, UploadResult>> {
    this.batches.push(files.map((file) => file.name));
    const results = new Map<string, UploadResult>();
    for (const file of files) {
      this.requests.set(file.name, (this.requests.get(file.name) ?? 0) + 1);
      const answer = this.script.get(file.name)?.shift() ?? 'ok';
      if (answer === 'login') throw new LoginRequiredError('the session died');
      const existing = this.cards.get(file.name);
      if (answer === 'fail') results.set(file.name, { status: 'failed', message: 'Server responded with 500 code.' });
      else if (answer === 'reject')
        results.set(file.name, {
          status: 'rejected',
          message: 'Creative rejected: it does not meet the content guidelines.',
        });
      else if (existing)
        results.set(
          file.name,
          answer === 'drop'
            ? { status: 'failed', message: 'Server responded with 0 code.' }
            : { status: 'duplicate', creativeId: existing.creativeId },
        );
      else {
        const creativeId = String(this.nextId++);
        this.cards.set(file.name, {
          creativeId,
          name: file.name,
          dimensions: '640x360',
          fileType: '.png',
          reviewStatus: 'pending',
          target,
        });
        results.set(
          file.name,
          answer === 'drop'
            ? { status: 'failed', message: 'Server responded with 0 code.' }
            : { status: 'uploaded', creativeId },
        );
      }
    }
    return results;
  }

  async find(target: UploadTarget, files: readonly UploadFile[], maxPages: number): Promise<LookUpResult> {
    this.pages += 1;
    this.lookUps.push(maxPages);
    const found = new Map<string, LibraryCard>();
    if (maxPages < this.listingPages) return { found, complete: false };
    for (const { name } of files) {
      const card = this.cards.get(name);
      if (card && card.target === target) found.set(name, card);
    }
    return { found, complete: true };
  }

  async listAll(): Promise<ListedCard[]> {
    return [...this.cards.values()].map(({ target, ...card }) => ({ ...card, creativeType: target }));
  }

  async createAds(campaignId: string, ads: AdsRequest): Promise<CreateAdsOutcome> {
    const campaign = this.campaigns.get(campaignId);
    if (!campaign) throw new Error(`campaign ${campaignId} not found`);
    const failures = this.campaignFailures.get(campaignId) ?? 0;
    if (failures > 0) {
      this.campaignFailures.set(campaignId, failures - 1);
      throw new Error(`creating ads in campaign ${campaignId} failed`);
    }
    const outcome = {
      campaignName: campaign.name,
      alreadyThere: [] as string[],
      created: [] as string[],
      refused: [] as { adName: string; reason: string }[],
      invalidIds: [] as string[],
      missing: [],
    };
    for (const row of ads.rows) {
      const name = row['Ad Name'] ?? '';
      const invalid = Object.values(row).find((value) => this.invalidCreatives.has(value));
      if (campaign.ads.has(name)) outcome.alreadyThere.push(name);
      else if (invalid) {
        outcome.refused.push({ adName: name, reason: `creative ${invalid} is not valid` });
        outcome.invalidIds.push(invalid);
      } else {
        campaign.ads.set(name, (campaign.ads.get(name) ?? 0) + 1);
        outcome.created.push(name);
      }
    }
    return outcome;
  }

  async keepAlive(): Promise<void> {}

  async close(): Promise<void> {}
}
