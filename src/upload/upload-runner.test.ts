import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import type { Uploader } from '../platform/uploader.js';
import { UploadRunner } from './upload-runner.js';
import type { UploadSummary } from './upload.service.js';

const log = createLogger({ level: 'silent', pretty: false });
const summary: UploadSummary = { dryRun: false, outcomes: [], uploaded: 1, duplicates: 0, rejected: 0, pending: 0, loginRequired: false };

function runner(staged: boolean): { runner: UploadRunner; opened: () => number } {
  let opened = 0;
  const fake = { hasWork: () => staged, plan: async () => [], run: async () => summary };
  const open = async (): Promise<Uploader> => {
    opened += 1;
    return { close: async () => undefined } as unknown as Uploader;
  };
  return { runner: new UploadRunner(fake, open, '/nonexistent/session.json', false, { dryRunPlanChanged: async () => true }, log), opened: () => opened };
}

describe('UploadRunner', () => {
  it('starts no browser for a pass with nothing staged', async () => {
    const idle = runner(false);
    expect(await idle.runner.pass()).toBeUndefined();
    expect(idle.opened()).toBe(0);
  });

  it('opens the browser once and keeps it between passes', async () => {
    const busy = runner(true);
    expect(await busy.runner.pass()).toEqual(summary);
    await busy.runner.pass();
    expect(busy.opened()).toBe(1);
  });
});
