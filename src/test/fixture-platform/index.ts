import path from 'node:path';
import type { SelfConfiguredModule } from '../../platform/platform-module.js';
import { FakePlatform } from '../fake-platform.js';

/** The fixture platform's slice of the configuration: its one key. */
export interface FixtureSettings {
  /** `FIXTURE_TOKEN`: what opens it. */
  readonly token: string | undefined;
}

/** Every session the fixture platform opened, in order: what it was sent, per name. */
export const fixtureSessions: FakePlatform[] = [];

/**
 * A third platform, in a folder of its own as a platform's must be: an in-memory library behind
 * the uploader interface ({@link FakePlatform}), with its own settings, files and words. The test
 * registers it, and it must then show in `status`, the report, the dashboard and the uploads with
 * nothing outside this folder changed.
 */
export const fixturePlatform: SelfConfiguredModule<FixtureSettings> = {
  id: 'fixture',
  name: 'Fixture',
  refusal: 'fixture token refused',
  credential: { what: 'the fixture token', key: 'FIXTURE_TOKEN' },
  statusFile: (layout) => path.join(layout.sessionDir, 'fixture-status.json'),
  libraryCacheFile: (layout) => path.join(layout.db, 'library-fixture.json'),
  readSettings: (env) => ({ token: env.FIXTURE_TOKEN }),
  uploadPlan: () => ({ batchSize: 5, paceMs: 0 }),
  connection: (settings) => ({
    open: () => {
      const session = new FakePlatform();
      fixtureSessions.push(session);
      return Promise.resolve(session);
    },
    session: { savedAt: () => Promise.resolve(0) },
    credentials: settings.token ?? '',
  }),
  results: () => ({ source: undefined, notFetched: 'the fixture platform has no reporting API', keyFingerprint: '' }),
  check: (settings) =>
    Promise.resolve([
      {
        name: 'fixture.token',
        selector: '',
        result: settings.token ? 'ok' : 'failed',
        detail: settings.token ? 'FIXTURE_TOKEN is set' : 'FIXTURE_TOKEN is not set',
      },
    ]),
};
