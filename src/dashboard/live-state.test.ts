import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActivityBus } from '../core/events.js';
import { rootPath } from '../core/layout.js';
import { CreativeRepository } from '../store/creative.repository.js';
import { StorageRepository } from '../store/storage.repository.js';
import { tempRoot } from '../test/fixtures.js';
import { LiveState } from './live-state.js';

describe('LiveState', () => {
  it('shows problems, reasons and the session without the credentials their words quote', async () => {
    const root = await tempRoot();
    const creatives = await CreativeRepository.open(path.join(root, 'db'), new StorageRepository());
    const events = new ActivityBus();
    const since = new Date().toISOString();
    const live = new LiveState({
      root,
      dryRun: false,
      creatives,
      events,
      platformStatus: async () => ({
        state: 'login-required',
        since,
        message: 'TJ sent Set-Cookie: tj_session=session-secret',
      }),
      sessionSaved: async () => true,
      otherPlatforms: [
        {
          id: 'exoclick',
          name: 'ExoClick',
          status: async () => ({
            state: 'password-refused',
            since,
            message: 'GET https://api.test/v2/login?access_token=exo-secret answered 401',
          }),
        },
      ],
      reviewStatusOf: () => undefined,
      nextRuns: () => [],
      todaysReport: async () => undefined,
    });
    await live.load();
    events.emit('problem', {
      at: since,
      what: 'upload to https://demo:pw-secret@tj.test/',
      message: `sent Authorization: Basic ${Buffer.from('demo:basic-secret').toString('base64')}`,
    });
    const record = creatives.create({
      state: 'failed',
      source: { path: rootPath('inbox/a.mp4'), size: 1, mtimeMs: 1 },
      attempts: 3,
      times: { failed: since },
      reason: 'fetch https://cdn.test/x?token=reason-secret failed',
    });
    events.emit('creative', record, 'failed');
    const snapshot = JSON.stringify(await live.snapshot());
    live.close();
    await creatives.close();
    for (const secret of [
      'session-secret',
      'exo-secret',
      'pw-secret',
      'basic-secret',
      Buffer.from('demo:basic-secret').toString('base64'),
      'reason-secret',
    ])
      expect(snapshot, secret).not.toContain(secret);
    expect(snapshot).toContain('failed: a.mp4');
    expect(snapshot).toContain('token=[redacted] failed');
  });
});
