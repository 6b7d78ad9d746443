import path from 'node:path';
import { Low } from 'lowdb';
import type { CampaignAdRecord } from '../core/campaigns.js';
import { localDate } from '../core/dates.js';
import type { ActivityBus } from '../core/events.js';
import { DurableJsonFile } from './durable-json-file.js';
import type { StorageRepository } from './storage.repository.js';

interface MonthData {
  /** By campaign id and ad name: an ad recorded again (refused, then created) keeps its latest fate. */
  ads: Record<string, CampaignAdRecord>;
}

const MONTH_FILE = /^campaign-ads-(\d{4}-\d{2})\.json$/;

/**
 * The ads created in (or refused by) campaigns, in lowdb files of one month each: recording a
 * campaign's ads rewrites the current month's file, whatever the history's size. Which campaigns
 * use a creative is kept in memory for the inventory.
 */
export class CampaignAdsRepository {
  private readonly campaignsByCreative = new Map<string, Set<string>>();
  private readonly months = new Map<string, Low<MonthData>>();

  private constructor(
    private readonly dir: string,
    private readonly storage: StorageRepository,
    /** Told the creative ids of every ad recorded as created, as `adsRecorded`: for copies made from {@link campaignsOf}. */
    private readonly events: Pick<ActivityBus, 'emit'> | undefined,
  ) {}

  static async open(
    dir: string,
    storage: StorageRepository,
    events?: Pick<ActivityBus, 'emit'>,
  ): Promise<CampaignAdsRepository> {
    const repository = new CampaignAdsRepository(dir, storage, events);
    for (const name of await storage.list(dir)) {
      const month = MONTH_FILE.exec(name)?.[1];
      if (month === undefined) continue;
      const db = await repository.month(month);
      for (const ad of Object.values(db.data.ads)) repository.index(ad);
      // Only the month being written stays in memory; a report of an older day reads its month again.
      if (month !== localDate().slice(0, 7)) repository.months.delete(month);
    }
    return repository;
  }

  /** Records the ads of one campaign, written before it returns. An ad recorded as created keeps the time it was first recorded. */
  async record(ads: readonly CampaignAdRecord[]): Promise<void> {
    const touched = new Set<Low<MonthData>>();
    for (const ad of ads) {
      const db = await this.month(localDate(ad.at).slice(0, 7));
      const key = `${ad.campaignId}\u0000${ad.adName}`;
      if (ad.status === 'created' && db.data.ads[key]?.status === 'created') continue;
      db.data.ads[key] = ad;
      this.index(ad);
      touched.add(db);
      if (ad.status === 'created') this.events?.emit('adsRecorded', ad.creativeIds);
    }
    for (const db of touched) await db.write();
  }

  /** The campaigns a creative has ads in, by id. */
  campaignsOf(creativeId: string): string[] {
    return [...(this.campaignsByCreative.get(creativeId) ?? [])];
  }

  /** The ads recorded on a local date (YYYY-MM-DD), oldest first. */
  async onDate(date: string): Promise<CampaignAdRecord[]> {
    const db = await this.month(date.slice(0, 7));
    return Object.values(db.data.ads)
      .filter((ad) => localDate(ad.at) === date)
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  /** The file this month's ads are written to. */
  currentFile(): string {
    return this.fileOf(localDate().slice(0, 7));
  }

  private fileOf(month: string): string {
    return path.join(this.dir, `campaign-ads-${month}.json`);
  }

  private async month(month: string): Promise<Low<MonthData>> {
    let db = this.months.get(month);
    if (!db) {
      db = new Low<MonthData>(new DurableJsonFile<MonthData>(this.fileOf(month), this.storage), { ads: {} });
      await db.read();
      this.months.set(month, db);
    }
    return db;
  }

  private index(ad: CampaignAdRecord): void {
    if (ad.status !== 'created') return;
    for (const id of ad.creativeIds) {
      const campaigns = this.campaignsByCreative.get(id) ?? new Set<string>();
      campaigns.add(ad.campaignId);
      this.campaignsByCreative.set(id, campaigns);
    }
  }
}
