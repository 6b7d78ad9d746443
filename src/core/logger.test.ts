import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

/** A logger whose JSON lines are kept in memory. */
function capture(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, log: createLogger({ level: 'info', destination }) };
}

describe('createLogger', () => {
  it('writes JSON lines with credentials redacted, at any depth', () => {
    const { lines, log } = capture();
    log.info(
      {
        password: 'hunter2',
        account: { TJ_PASSWORD: 'secret-1', cookie: 'sid=abc' },
        request: { headers: { authorization: 'Bearer t' } },
      },
      'signing in',
    );
    const text = lines.join('');
    for (const secret of ['hunter2', 'secret-1', 'sid=abc', 'Bearer t']) expect(text).not.toContain(secret);
    const line = JSON.parse(lines[0] ?? '{}') as { msg: string; password: string; account: { cookie: string } };
    expect(line.msg).toBe('signing in');
    expect(line.password).toBe('[redacted]');
    expect(line.account.cookie).toBe('[redacted]');
  });

  it('redacts by key pattern at any depth, in errors carrying request headers, and inside texts', () => {
    const { lines, log } = capture();
    const failure = Object.assign(new Error('login to https://api.example.test/v2/login?api_key=key-in-url failed'), {
      request: {
        headers: {
          Authorization: 'Bearer bearer-secret',
          Cookie: 'sid=cookie-secret',
          'set-cookie': ['tj_session=set-cookie-secret'],
        },
      },
    });
    const config = {
      platforms: {
        tj: { tjPassword: 'tj-pass-secret', username: 'demo' },
        exoclick: { EXO_API_TOKEN: 'exo-token-secret', sessionToken: 'session-token-secret' },
      },
    };
    log.error(
      { err: failure, config, deep: { a: { b: { c: { d: { e: { clientSecret: 'deep-secret' } } } } } } },
      'sent with Authorization: Bearer text-bearer-secret',
    );
    const text = lines.join('');
    for (const secret of [
      'key-in-url',
      'bearer-secret',
      'cookie-secret',
      'set-cookie-secret',
      'tj-pass-secret',
      'exo-token-secret',
      'session-token-secret',
      'deep-secret',
      'text-bearer-secret',
    ])
      expect(text, secret).not.toContain(secret);
    const line = JSON.parse(lines[0] ?? '{}') as {
      err: { message: string; request: { headers: Record<string, string> } };
      config: { platforms: { tj: { username: string } } };
    };
    // What is not a secret stays readable.
    expect(line.config.platforms.tj.username).toBe('demo');
    expect(line.err.message).toBe('login to https://api.example.test/v2/login?api_key=[redacted] failed');
    expect(line.err.request.headers.Authorization).toBe('[redacted]');
  });
});
