import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { StorageRepository } from '../store/storage.repository.js';
import { tempRoot } from '../test/fixtures.js';
import { loadConfig } from './config.js';
import { dotEnvExposure } from './env-permissions.js';

const storage = new StorageRepository();

describe('secrets in the configuration', () => {
  it('names a mistyped webhook URL without its key, and a URL without its password', async () => {
    const root = await tempRoot();
    const webhook = await loadConfig({
      root,
      env: { NOTIFY_WEBHOOK_URL: 'hooks.slack.com/services/T000/B000/webhook-secret' },
    }).catch((error: unknown) => error);
    expect(webhook).toBeInstanceOf(ConfigError);
    expect((webhook as ConfigError).plain).toMatch(
      /NOTIFY_WEBHOOK_URL must be an http\(s\) URL \(its value is not shown: it is a secret, 49 characters long\)/,
    );
    expect((webhook as ConfigError).plain).not.toContain('webhook-secret');
    const login = await loadConfig({ root, env: { TJ_LOGIN_URL: 'https://demo:url-secret@ sign-in' } }).catch(
      (error: unknown) => error,
    );
    expect((login as ConfigError).plain).toContain(
      'TJ_LOGIN_URL must be a URL (got "https://demo:[redacted]@ sign-in")',
    );
  });

  it("says when .env can be read by other users of the machine, and stops once it is the owner's alone", async () => {
    const root = await tempRoot();
    expect(await dotEnvExposure(root, storage, 'linux')).toBeUndefined();
    const env = path.join(root, '.env');
    await fs.writeFile(env, 'TJ_PASSWORD=x\n');
    await fs.chmod(env, 0o644);
    expect(await dotEnvExposure(root, storage, 'linux')).toBe(
      `${env} holds the TJ password and API tokens, and other users of this machine can read it (mode 644). Make it yours alone: chmod 600 ${env}`,
    );
    await fs.chmod(env, 0o660);
    expect(await dotEnvExposure(root, storage, 'linux')).toMatch(/can read or change it \(mode 660\)/);
    await fs.chmod(env, 0o600);
    expect(await dotEnvExposure(root, storage, 'linux')).toBeUndefined();
  });
});
