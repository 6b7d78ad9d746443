import { describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.js';
import { PlatformConnection } from './connection.js';
import { LoginRequiredError, type Uploader } from './uploader.js';

const log = createLogger({ level: 'silent', pretty: false });

/** Counts the browsers opened and closed; the session file's save time is set by the test. */
function connection(): { connection: PlatformConnection; opened: () => number; closed: () => number; saveSession: () => void } {
  let opened = 0;
  let closed = 0;
  let savedAt = 1;
  const open = async (): Promise<Uploader> => {
    opened += 1;
    return { close: async () => void (closed += 1) } as unknown as Uploader;
  };
  return {
    connection: new PlatformConnection(open, { savedAt: async () => savedAt }, log),
    opened: () => opened,
    closed: () => closed,
    saveSession: () => void (savedAt += 1),
  };
}

describe('PlatformConnection', () => {
  it('opens the browser on first use and keeps it between pieces of work', async () => {
    const fake = connection();
    expect(fake.opened()).toBe(0);
    await fake.connection.use(async () => 'one');
    expect(await fake.connection.use(async () => 'two')).toBe('two');
    expect(fake.opened()).toBe(1);
    await fake.connection.close();
    expect(fake.closed()).toBe(1);
  });

  it('waits for a new login after TJ asks for one, then starts a fresh browser on it', async () => {
    const fake = connection();
    await expect(fake.connection.use(async () => Promise.reject(new LoginRequiredError('captcha')))).rejects.toThrow(LoginRequiredError);
    expect(await fake.connection.loginPending()).toBe(true);
    expect(await fake.connection.loginPending()).toBe(true);
    fake.saveSession();
    expect(await fake.connection.loginPending()).toBe(false);
    expect(fake.closed()).toBe(1);
    await fake.connection.use(async () => undefined);
    expect(fake.opened()).toBe(2);
  });
});
