import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { tempRoot } from '../test/fixtures.js';
import { REPO_ROOT } from '../test/cli-runner.js';
import { loadConfig, SETTING_KEYS } from './config.js';
import { TJ_PROFILE, validateProfile } from './profile.js';

describe('loadConfig', () => {
  it('.env.example names every setting, and its values load as they are', async () => {
    const example = await fs.readFile(path.join(REPO_ROOT, '.env.example'), 'utf8');
    expect(SETTING_KEYS.filter((key) => !new RegExp(`^#? ?${key}=`, 'm').test(example))).toEqual([]);
    const root = await tempRoot();
    await fs.writeFile(path.join(root, '.env'), example);
    const config = await loadConfig({ root, env: {} });
    expect([
      config.dashboardPort,
      config.retentionDays,
      config.sessionMaxDays,
      config.logRotateSize,
      config.notifyWebhookUrl,
    ]).toEqual([4790, 30, 7, '10m', undefined]);
  });

  it('defaults to a dry run on the given root with the TJ profile', async () => {
    const root = await tempRoot();
    const config = await loadConfig({ root, env: {} });
    expect(config.dryRun).toBe(true);
    expect(config.layout.inbox).toBe(path.join(root, 'inbox'));
    expect(config.profile.native.imageMaxBytes).toBe(300_000);
    expect(config.defaults).toEqual({ language: 'EN', description: 'Generic' });
  });

  it('reads .env, lets the environment override it, and the flags override both', async () => {
    const root = await tempRoot();
    await fs.writeFile(path.join(root, '.env'), 'STABILITY_MS=700\nDEFAULT_CREATOR=Seras\nDRY_RUN=true\n');
    expect((await loadConfig({ root, env: {} })).stabilityMs).toBe(700);
    expect((await loadConfig({ root, env: { STABILITY_MS: '900' } })).stabilityMs).toBe(900);
    expect((await loadConfig({ root, env: {} })).defaults.creator).toBe('Seras');
    expect((await loadConfig({ root, env: {}, flags: { DRY_RUN: 'false' } })).dryRun).toBe(false);
  });

  it('takes the root from CREATIVE_FLOW_ROOT when no --root is given', async () => {
    const root = await tempRoot();
    expect((await loadConfig({ env: { CREATIVE_FLOW_ROOT: root } })).layout.root).toBe(root);
  });

  it.each([
    ['STABILITY_MS', 'soon', /STABILITY_MS must be a number/],
    ['CONCURRENCY', '0', /CONCURRENCY/],
    ['DRY_RUN', 'maybe', /DRY_RUN must be true or false/],
    ['RECONCILE_CRON', 'every minute', /RECONCILE_CRON must be a cron expression/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL/],
  ])('stops on a bad %s and names it', async (key, value, message) => {
    const root = await tempRoot();
    await expect(loadConfig({ root, env: { [key]: value } })).rejects.toThrow(message);
    await expect(loadConfig({ root, env: { [key]: value } })).rejects.toThrow(ConfigError);
  });

  it('refuses a root that is a file', async () => {
    const file = path.join(await tempRoot(), 'file');
    await fs.writeFile(file, '');
    await expect(loadConfig({ root: file, env: {} })).rejects.toThrow(/root/);
  });
});

describe('validateProfile', () => {
  it('accepts the TJ profile and names the first bad limit of a broken one', () => {
    expect(validateProfile(TJ_PROFILE).ok).toBe(true);
    const broken = validateProfile({ ...TJ_PROFILE, preroll: { ...TJ_PROFILE.preroll, minSeconds: 40 } });
    expect(broken).toMatchObject({ ok: false, key: 'profile.preroll.minSeconds' });
    expect(validateProfile({ ...TJ_PROFILE, native: { ...TJ_PROFILE.native, imageMaxBytes: -1 } })).toMatchObject({
      ok: false,
      key: 'profile.native.imageMaxBytes',
    });
  });
});

describe('the version', () => {
  // That `--version` prints it is in config.integration.test.ts (it runs the built CLI).
  it('is the one package.json gives', async () => {
    const { VERSION } = await import('../core/product.js');
    const pkg = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
