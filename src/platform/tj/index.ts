import path from 'node:path';
import { platformCredential, platformName, platformRefusal } from '../../core/platform.js';
import type { PlatformModule } from '../platform-module.js';
import { credentialsFingerprint } from '../connection.js';
import { createTjResults } from './results/tj-results.js';
import { describeError } from '../../core/errors.js';
import { Evidence } from './evidence.js';
import { SessionFile, signInWithBrowser, type TjConnection } from './tj-session.js';

/** TJ's slice of the configuration. */
export interface TjSettings {
  /** Where TJ's site is and who signs in (`TJ_LOGIN_URL`, `TJ_APP_URL`, `TJ_USERNAME`, `TJ_PASSWORD`, `CHROMIUM_PATH`, `SESSION_MAX_DAYS`). */
  readonly connection: TjConnection;
  /** Files per upload batch and the pause between batches (`UPLOAD_BATCH_SIZE`, `UPLOAD_PACE_MS`): TJ is a site, not an API. */
  readonly batchSize: number;
  readonly paceMs: number;
  /** TJ's reporting API (`TJ_API_URL`, `TJ_API_KEY`). */
  readonly apiUrl: string;
  readonly apiKey: string | undefined;
}

/** TrafficJunky: uploads through a real browser (Playwright, loaded with the first browser), results through its reporting API. */
export const tjPlatform: PlatformModule<TjSettings> = {
  id: 'tj',
  name: platformName('tj'),
  refusal: platformRefusal('tj'),
  credential: platformCredential('tj'),
  // Named before ExoClick came: the files keep their names so a root made then reads the same.
  statusFile: (layout) => path.join(layout.sessionDir, 'status.json'),
  libraryCacheFile: (layout) => path.join(layout.db, 'library.json'),
  uploadPlan: (settings) => ({ batchSize: settings.batchSize, paceMs: settings.paceMs }),
  connection: (settings, deps) => ({
    // Playwright is loaded with the first browser, not at start: an idle or dry-run daemon holds none of it.
    open: async () => (await import('./tj-uploader.js')).TjUploader.open(settings.connection, deps),
    session: new SessionFile(deps.layout.sessionFile, deps.storage),
    sessionName: 'The browser for TJ',
    credentials: credentialsFingerprint(settings.connection.username, settings.connection.password),
  }),
  results: (settings, deps) => ({
    source: createTjResults({ apiUrl: settings.apiUrl, apiKey: settings.apiKey, log: deps.log }),
    notFetched: 'TJ_API_KEY is not set',
    keyFingerprint: credentialsFingerprint('tj-reporting', settings.apiKey),
  }),
  signIn: async (settings, deps, options) => {
    const session = new SessionFile(deps.layout.sessionFile, deps.storage);
    await signInWithBrowser(settings.connection, session, new Evidence(deps.layout, deps.storage, deps.log), options);
    return session.file;
  },
  machineCheck: async (settings) => {
    const { chromiumExecutable, launchBrowser } = await import('./browser.js');
    try {
      await (await launchBrowser({ headless: true, chromiumPath: settings.connection.chromiumPath })).close();
      return [
        {
          name: 'machine.chromium',
          selector: '',
          result: 'ok',
          detail: chromiumExecutable(settings.connection.chromiumPath) ?? "Playwright's own Chromium",
        },
      ];
    } catch (error) {
      return [{ name: 'machine.chromium', selector: '', result: 'failed', detail: describeError(error) }];
    }
  },
  check: async (settings, deps, options) => (await import('./check.js')).checkTj(settings.connection, deps, options),
};
