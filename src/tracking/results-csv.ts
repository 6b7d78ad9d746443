import { csvLine, neutraliseCell } from '../core/csv.js';
import { platformIds } from '../core/platform.js';
import type { CreativeDirectory } from '../results/creative-directory.js';
import type { ResultsRepository } from '../store/results.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';

const COLUMNS = [
  'day',
  'platform',
  'unique_id',
  'name',
  'test_id',
  'impressions',
  'clicks',
  'conversions',
  'cost',
] as const;

/**
 * `tracking/creative_results.csv`: one row per creative, platform and day, every stored day, for a
 * spreadsheet. Written whole after each fetch that stored something; streamed, so memory holds a
 * day at a time.
 */
export async function writeResultsCsv(
  file: string,
  storage: StorageRepository,
  results: ResultsRepository,
  directory: CreativeDirectory,
): Promise<void> {
  const days = await results.range('0000-01-01', '9999-12-31');
  await storage.writeFileAtomicFrom(file, async (append) => {
    await append(`\ufeff${csvLine(COLUMNS)}`);
    for (const day of days) {
      let chunk = '';
      for (const platform of platformIds()) {
        for (const row of day.platforms[platform]?.rows ?? []) {
          const entry = directory.entry(row.uniqueId);
          chunk += csvLine([
            day.day,
            platform,
            row.uniqueId,
            neutraliseCell(entry?.name ?? ''),
            neutraliseCell(entry?.testId ?? ''),
            String(row.impressions),
            String(row.clicks),
            String(row.conversions),
            row.cost.toFixed(2),
          ]);
        }
      }
      await append(chunk);
    }
  });
}
