import { PLATFORM_IDS, type PlatformId } from '../core/platform.js';
import { exoclickPlatform, type ExoSettings } from './exoclick/index.js';
import type { PlatformModule } from './platform-module.js';
import { tjPlatform, type TjSettings } from './tj/index.js';

/** Each platform's slice of the configuration, by id. */
export interface PlatformSettings {
  readonly tj: TjSettings;
  readonly exoclick: ExoSettings;
}

/**
 * Every platform, by id: the one place outside `platform/` that names a platform's folder. The
 * rest of the product reaches a platform through this.
 */
export const PLATFORMS: { readonly [P in PlatformId]: PlatformModule<PlatformSettings[P]> } = {
  tj: tjPlatform,
  exoclick: exoclickPlatform,
};

/** The platforms in `PLATFORMS`' order (TJ first), each with its module. */
export function platformModules(
  ids: readonly PlatformId[] = PLATFORM_IDS,
): PlatformModule<PlatformSettings[PlatformId]>[] {
  return PLATFORM_IDS.filter((id) => ids.includes(id)).map((id) => PLATFORMS[id]);
}

/** One `T` for each platform, made by `make` with the platform's own id (so its module and settings line up). */
export function byPlatform<T>(make: <P extends PlatformId>(id: P) => T): Record<PlatformId, T> {
  return Object.fromEntries(PLATFORM_IDS.map((id) => [id, make(id)])) as Record<PlatformId, T>;
}
