import type { Config } from '../config/config.js';
import type { Logger } from '../core/logger.js';
import type { ResultsSource } from '../platform/results-source.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import { ResultsRepository } from '../store/results.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';
import { writeResultsCsv } from '../tracking/results-csv.js';
import { ResultsStatusFile } from './results-status.js';
import { ResultsService, type ResultsPlatform } from './results.service.js';

/** Builds the results service from the settings: the enabled platforms' reporting clients, the store, the verdicts' thresholds. */
export function openResults(
  config: Config,
  deps: { storage: StorageRepository; creatives: CreativeRepository; log: Logger },
  platforms: readonly ResultsPlatform[],
): ResultsService {
  const { layout } = config;
  const results = new ResultsRepository(layout.resultsDir, deps.storage);
  return new ResultsService(
    {
      results,
      status: new ResultsStatusFile(layout.resultsStatusFile, deps.storage),
      creatives: deps.creatives,
      writeCsv: (directory) => writeResultsCsv(layout.resultsCsv, deps.storage, results, directory),
      log: deps.log,
    },
    platforms,
    {
      windowDays: config.resultsWindowDays,
      lookbackDays: config.resultsLookbackDays,
      verdicts: {
        minImpressions: config.resultsMinImpressions,
        minConversions: config.resultsMinConversions,
        scaleAt: config.resultsScaleAt,
        killAt: config.resultsKillAt,
        killSpendConversions: config.resultsKillSpend,
      },
    },
  );
}

export type { ResultsSource };
