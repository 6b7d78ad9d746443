import path from 'node:path';
import { platformCredential, platformName, platformRefusal } from '../../core/platform.js';
import type { PlatformModule } from '../platform-module.js';
import { credentialsFingerprint } from '../connection.js';
import { checkExo } from './check.js';
import { ExoResults } from './exo-results.js';
import { ExoUploader, type ExoConnection } from './exo-uploader.js';
import { exoUnfit, type ExoLimits } from './fit.js';

/** ExoClick's slice of the configuration. */
export interface ExoSettings {
  /** Its API and the token that opens it (`EXO_API_URL`, `EXO_API_TOKEN`), and its file type for each of our targets. */
  readonly connection: ExoConnection;
  /** What it takes, by file type (`EXO_IMAGE_MAX_BYTES`, `EXO_VIDEO_BANNER_MAX_BYTES`, `EXO_VIDEO_MAX_BYTES`). */
  readonly limits: ExoLimits;
  /** The conversion goal whose count the results take (`EXO_CONVERSION_GOAL`), when there is one. */
  readonly conversionGoal: string | undefined;
}

/** ExoClick: uploads and results through its API v2, one transport owning the token and the rate limits. */
export const exoclickPlatform: PlatformModule<ExoSettings> = {
  id: 'exoclick',
  name: platformName('exoclick'),
  refusal: platformRefusal('exoclick'),
  credential: platformCredential('exoclick'),
  statusFile: (layout) => path.join(layout.sessionDir, 'exoclick-status.json'),
  libraryCacheFile: (layout) => path.join(layout.db, 'library-exoclick.json'),
  // One request per file, its pace the API's rate limit: no pause of our own between batches.
  uploadPlan: (settings) => ({ batchSize: 10, paceMs: 0, unfit: exoUnfit(settings.limits) }),
  connection: (settings, deps) => ({
    open: () => ExoUploader.open(settings.connection, deps),
    // No saved session: the API token alone opens it, and only a new token ends a refusal.
    session: { savedAt: () => Promise.resolve(0) },
    credentials: credentialsFingerprint('exoclick', settings.connection.apiToken),
  }),
  results: (settings, deps) => ({
    source: settings.connection.apiToken
      ? ExoResults.open(settings.connection, deps, { conversionGoal: settings.conversionGoal })
      : undefined,
    notFetched: 'EXO_API_TOKEN is not set',
    keyFingerprint: credentialsFingerprint('exoclick', settings.connection.apiToken),
  }),
  check: (settings, deps, options) => checkExo(settings.connection, deps, options),
};
