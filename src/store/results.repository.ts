import path from 'node:path';
import type { PlatformId } from '../core/platform.js';
import type { StorageRepository } from './storage.repository.js';

/** One creative's figures on one platform for one day, as stored. */
export interface StoredFigures {
  readonly uniqueId: string;
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly cost: number;
}

/** What one platform reported for one day. */
export interface PlatformDay {
  /** When it was fetched: a day fetched after it ended, and past the restating window, is never fetched again. */
  readonly fetchedAt: string;
  readonly rows: readonly StoredFigures[];
  /** Ads or variations not ours, summed: counted apart, never dropped. */
  readonly notOurs: {
    readonly items: number;
    readonly impressions: number;
    readonly clicks: number;
    readonly conversions: number;
    readonly cost: number;
  };
}

/** `data/results/{day}.json`: each platform's figures for the day. */
export interface ResultsDay {
  readonly day: string;
  readonly platforms: Record<PlatformId, PlatformDay>;
}

/**
 * Fetched results, one file per day (`data/results/YYYY-MM-DD.json`). A day is the unit platforms
 * report and restate in: a refetch replaces one platform's part of a day's file atomically, so a
 * fetch that fails halfway leaves every day as it was, and the files a range needs are the only
 * ones read.
 */
export class ResultsRepository {
  constructor(
    private readonly dir: string,
    private readonly storage: StorageRepository,
  ) {}

  async day(day: string): Promise<ResultsDay | undefined> {
    const text = await this.storage.readText(this.fileOf(day));
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as ResultsDay;
    } catch {
      // A file cut short is refetched: the platform still has the figures.
      return undefined;
    }
  }

  /** Every stored day from `from` to `to` (inclusive, `YYYY-MM-DD`), in order. */
  async range(from: string, to: string): Promise<ResultsDay[]> {
    const days = (await this.storage.list(this.dir))
      .map((name) => /^(\d{4}-\d{2}-\d{2})\.json$/.exec(name)?.[1])
      .filter((day): day is string => day !== undefined && day >= from && day <= to)
      .sort();
    const read = await Promise.all(days.map((day) => this.day(day)));
    return read.filter((day): day is ResultsDay => day !== undefined);
  }

  /** Replaces one platform's figures for each day given; the other platforms' parts stay as they were. */
  async putPlatformDays(platform: PlatformId, days: ReadonlyMap<string, PlatformDay>): Promise<void> {
    await this.storage.ensureDir(this.dir, 0o700);
    for (const [day, figures] of days) {
      const before = await this.day(day);
      const next: ResultsDay = { day, platforms: { ...before?.platforms, [platform]: figures } };
      await this.storage.writeFileAtomic(this.fileOf(day), `${JSON.stringify(next)}\n`, { mode: 0o600 });
    }
  }

  private fileOf(day: string): string {
    return path.join(this.dir, `${day}.json`);
  }
}
