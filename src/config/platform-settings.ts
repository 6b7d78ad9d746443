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

/**
 * The platforms built in and the enabled ones, each with its settings, by id, in registration
 * order (TJ first). A registered platform that is not enabled has its settings left unread.
 */
export function configuredPlatforms(config: Config): ReadonlyMap<PlatformId, Platform> {
  return bindPlatforms({ builtIn: builtInSettings(config), env: config.env }, config.platforms);
}

/** The enabled platforms, in the order `PLATFORMS` names them, as the upload passes and `status` take them. */
export function enabledPlatforms(config: Config): Platform[] {
  const configured = configuredPlatforms(config);
  return config.platforms.flatMap((id) => configured.get(id) ?? []);
}
