import { USER_AGENT } from '../core/product.js';
import type { PlatformId } from '../core/platform.js';
import type { Platform } from '../platform/platform-module.js';
import { bindPlatforms, type BuiltInSettings } from '../platform/registry.js';
import type { Config } from './config.js';

/**
 * The settings of the platforms built in, from those `config.ts` read from `.env` and checked:
 * each module is given its own slice, and sees no other part of the configuration.
 */
export function builtInSettings(config: Config): BuiltInSettings {
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

/** Every registered platform with its settings, by id, in registration order (TJ first). */
export function configuredPlatforms(config: Config): ReadonlyMap<PlatformId, Platform> {
  return bindPlatforms({ builtIn: builtInSettings(config), env: config.env });
}

/** The enabled platforms (`PLATFORMS`), in registration order. */
export function enabledPlatforms(config: Config): Platform[] {
  return [...configuredPlatforms(config).values()].filter((platform) => config.platforms.includes(platform.id));
}
