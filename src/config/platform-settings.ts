import { USER_AGENT } from '../core/product.js';
import type { PlatformSettings } from '../platform/registry.js';
import type { Config } from './config.js';

/**
 * Each platform's slice of the configuration, from the settings `config.ts` read from `.env`: what
 * the platform's module is given, and all of the configuration it sees.
 */
export function platformSettings(config: Config): PlatformSettings {
  return {
    tj: {
      connection: {
        loginUrl: config.tjLoginUrl,
        appUrl: config.tjAppUrl,
        username: config.tjUsername,
        password: config.tjPassword,
        chromiumPath: config.chromiumPath,
        sessionMaxDays: config.sessionMaxDays,
      },
      batchSize: config.uploadBatchSize,
      paceMs: config.uploadPaceMs,
      apiUrl: config.tjApiUrl,
      apiKey: config.tjApiKey,
    },
    exoclick: {
      connection: {
        apiUrl: config.exoApiUrl,
        apiToken: config.exoApiToken,
        fileTypes: config.exoProfile.fileTypes,
        userAgent: USER_AGENT,
      },
      limits: config.exoProfile,
      conversionGoal: config.exoConversionGoal,
    },
  };
}
