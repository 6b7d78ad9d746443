import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('createLogger', () => {
  it('writes JSON lines with credentials redacted, at any depth', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger({ level: 'info', destination });
    log.info({ password: 'hunter2', account: { TJ_PASSWORD: 'secret-1', cookie: 'sid=abc' }, request: { headers: { authorization: 'Bearer t' } } }, 'signing in');
    const text = lines.join('');
    for (const secret of ['hunter2', 'secret-1', 'sid=abc', 'Bearer t']) expect(text).not.toContain(secret);
    const line = JSON.parse(lines[0] ?? '{}') as { msg: string; password: string; account: { cookie: string } };
    expect(line.msg).toBe('signing in');
    expect(line.password).toBe('[redacted]');
    expect(line.account.cookie).toBe('[redacted]');
  });
});
