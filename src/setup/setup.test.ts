import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { StorageRepository } from '../store/storage.repository.js';
import { tempRoot } from '../test/fixtures.js';
import { runSetup, type Prompter, type SetupSteps } from './setup.js';

/** Answers in order, and what was asked. */
function scripted(answers: (string | boolean)[]): Prompter & { asked: string[] } {
  const asked: string[] = [];
  const next = async <T>(message: string): Promise<T> => {
    asked.push(message);
    if (answers.length === 0) throw new Error(`no scripted answer for "${message}"`);
    return answers.shift() as T;
  };
  return {
    asked,
    input: (message) => next(message),
    password: (message) => next(message),
    confirm: (message) => next(message),
  };
}

function steps(calls: string[], machineOk = true): SetupSteps {
  return {
    checkMachine: async () => [
      {
        name: 'machine.ffmpeg',
        selector: '',
        result: machineOk ? 'ok' : 'failed',
        detail: machineOk ? '/usr/bin/ffmpeg runs' : 'ffmpeg was not found. Install it: apt-get install -y ffmpeg',
      },
      { name: 'machine.chromium', selector: '', result: 'ok', detail: '/usr/bin/chromium' },
    ],
    login: async (config) => {
      calls.push(`login as ${config.tjUsername}`);
      return config.layout.sessionFile;
    },
    check: async () => {
      calls.push('check');
      return [{ name: 'session', selector: '', result: 'ok', detail: 'signed in' }];
    },
  };
}

describe('creative-flow setup', () => {
  it('takes an ExoClick API token when one is given: into .env, and ExoClick into PLATFORMS beside TJ', async () => {
    const root = await tempRoot();
    await fs.writeFile(path.join(root, '.env'), 'PLATFORMS=tj\n');
    const said: string[] = [];
    const prompter = scripted(['name', 'pass', 'exo-Token-123']);
    await runSetup(
      { root, nonInteractive: false, skipLogin: true, skipCheck: true },
      prompter,
      steps([]),
      new StorageRepository(),
      (line) => said.push(line),
    );
    const config = await loadConfig({ root, env: {} });
    expect([config.platforms, config.exoApiToken]).toEqual([['tj', 'exoclick'], 'exo-Token-123']);
    expect(said.join('\n')).toContain('PLATFORMS=tj,exoclick');
    expect(said.join('\n')).not.toContain('exo-Token-123');
  });

  it('refuses a password .env cannot quote, plainly, and leaves .env as it was', async () => {
    const root = await tempRoot();
    await fs.writeFile(path.join(root, '.env'), 'DRY_RUN=false\n');
    const attempt = runSetup(
      { root, nonInteractive: false, skipLogin: true, skipCheck: true },
      scripted(['name', `pa'ss"wo\`rd`, '']),
      steps([]),
      new StorageRepository(),
      () => undefined,
    );
    await expect(attempt).rejects.toMatchObject({
      plain: expect.stringMatching(/TJ_PASSWORD holds ', " and ` at once.*Set it in the environment/),
    });
    expect(await fs.readFile(path.join(root, '.env'), 'utf8')).toBe('DRY_RUN=false\n');
  });

  it('asks, keeps what .env holds for an empty answer, writes it owner-only with its other lines, makes the folders, signs in, checks, prints the pm2 commands', async () => {
    const root = await tempRoot();
    await fs.writeFile(
      path.join(root, '.env'),
      '# my settings\nDRY_RUN=false\nTJ_USERNAME=old-name\nUPLOAD_CRON="*/10 * * * * *"\n',
    );
    const prompter = scripted(['', "it's a p@ss #1", '', true, true]);
    const calls: string[] = [];
    const said: string[] = [];
    expect(
      await runSetup(
        { root, nonInteractive: false, skipLogin: false, skipCheck: false },
        prompter,
        steps(calls),
        new StorageRepository(),
        (line) => said.push(line),
      ),
    ).toBe(true);
    expect(prompter.asked).toEqual([
      'TJ username',
      'TJ password',
      expect.stringMatching(/ExoClick API token, to send to ExoClick too .*Enter skips/),
      expect.stringMatching(/Sign in to TJ now/),
      expect.stringMatching(/Check TJ now/),
    ]);
    const env = await fs.readFile(path.join(root, '.env'), 'utf8');
    expect(env).toBe(
      "# my settings\nDRY_RUN=false\nTJ_USERNAME='old-name'\nUPLOAD_CRON=\"*/10 * * * * *\"\nTJ_PASSWORD=`it's a p@ss #1`\n",
    );
    expect((await fs.stat(path.join(root, '.env'))).mode & 0o777).toBe(0o600);
    const config = await loadConfig({ root, env: {} });
    expect([config.tjUsername, config.tjPassword, config.dryRun, config.uploadCron]).toEqual([
      'old-name',
      "it's a p@ss #1",
      false,
      '*/10 * * * * *',
    ]);
    expect(calls).toEqual(['login as old-name', 'check']);
    for (const folder of ['inbox', 'uploaded', 'archive', 'tracking', 'data'])
      expect((await fs.stat(path.join(root, folder))).isDirectory()).toBe(true);
    expect(await fs.readFile(path.join(root, 'tracking', 'metadata_defaults.csv'), 'utf8')).toMatch(
      /^folder_path,category_name,/,
    );
    expect(said.join('\n')).toMatch(/npx pm2 start ecosystem\.config\.js/);
    expect(said.join('\n')).not.toContain('p@ss');
  });

  it('says what is missing on this machine, with how to install it, and returns false', async () => {
    const root = await tempRoot();
    const said: string[] = [];
    const ok = await runSetup(
      { root, username: 'u', password: 'p', nonInteractive: true, skipLogin: true, skipCheck: true },
      scripted([]),
      steps([], false),
      new StorageRepository(),
      (line) => said.push(line),
    );
    expect(ok).toBe(false);
    expect(said).toContain('✗ machine.ffmpeg: ffmpeg was not found. Install it: apt-get install -y ffmpeg');
  });

  // Setup run from the built CLI, without questions, is in setup.integration.test.ts.
  it('asks only for the platforms chosen: ExoClick alone needs no TJ credentials', async () => {
    const exoOnly = await tempRoot();
    await fs.writeFile(path.join(exoOnly, '.env'), 'PLATFORMS=exoclick\n');
    const prompter = scripted(['exo-token']);
    await runSetup(
      { root: exoOnly, nonInteractive: false, skipLogin: false, skipCheck: true },
      prompter,
      steps([]),
      new StorageRepository(),
      () => undefined,
    );
    expect(prompter.asked).toEqual([expect.stringMatching(/ExoClick API token/)]);
  });
});
