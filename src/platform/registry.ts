import { addPlatformId, platformIds, type PlatformId } from '../core/platform.js';
import { exoclickPlatform, type ExoSettings } from './exoclick/index.js';
import { bindPlatform, type Platform, type PlatformModule, type SelfConfiguredModule } from './platform-module.js';
import { tjPlatform, type TjSettings } from './tj/index.js';

/** The settings of the platforms built in, made by `config/platform-settings.ts` from the keys `config.ts` checks. */
export interface BuiltInSettings {
  readonly tj: TjSettings;
  readonly exoclick: ExoSettings;
}

/** Where the platforms' settings come from: the built-in ones' slices, and `.env` with the environment for the others. */
export interface SettingsSource {
  readonly builtIn: BuiltInSettings;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * The platforms built in, by id: the one place outside `platform/` that names a platform's
 * folder. Their files need no settings: `PLATFORMS.tj.libraryCacheFile(layout)`.
 */
export const PLATFORMS: { readonly [P in keyof BuiltInSettings]: PlatformModule<BuiltInSettings[P]> } = {
  tj: tjPlatform,
  exoclick: exoclickPlatform,
};

/** Each registered platform, by id, and how it is given its settings. */
const registered = new Map<PlatformId, (source: SettingsSource) => Platform>([
  // Built in: their settings are read whether or not they are enabled, as they always were.
  ['tj', (source) => bindPlatform(tjPlatform, source.builtIn.tj)],
  ['exoclick', (source) => bindPlatform(exoclickPlatform, source.builtIn.exoclick)],
]);

/** The platforms `registerPlatform` added: their settings are read only when they are enabled. */
const added = new Set<PlatformId>();

/**
 * Adds a platform whose module reads its own settings (`readSettings`): the `PLATFORMS` setting
 * may then name it, and the upload passes send to it and `status`, the report and the dashboard
 * show it like those built in. A platform's folder is all it takes; the tests add one so.
 */
export function registerPlatform<S>(module: SelfConfiguredModule<S>): void {
  if (registered.has(module.id)) throw new Error(`A platform "${module.id}" is registered already`);
  addPlatformId(module.id, { name: module.name, refusal: module.refusal, credential: module.credential });
  registered.set(module.id, (source) => bindPlatform(module, module.readSettings(source.env)));
  added.add(module.id);
}

/** The platforms built in and those of `enabled` added, each with its settings, in registration order (TJ first). */
export function bindPlatforms(
  source: SettingsSource,
  enabled: readonly PlatformId[],
): ReadonlyMap<PlatformId, Platform> {
  return new Map(
    platformIds().flatMap((id) => {
      const bind = registered.get(id);
      return bind && (!added.has(id) || enabled.includes(id)) ? [[id, bind(source)] as const] : [];
    }),
  );
}
