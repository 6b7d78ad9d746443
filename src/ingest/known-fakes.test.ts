import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { parseKnownFakes, withKnownFake } from './known-fakes.js';

const SHA = 'A'.repeat(64);
const MD5 = 'b'.repeat(32);

describe('known fakes', () => {
  it('reads SHA-256 and MD5 hashes in any case, with their reasons', () => {
    const fakes = parseKnownFakes(`hash,reason\r\n${SHA},video unavailable\r\n${MD5},\r\n`);
    expect([...fakes]).toEqual([
      ['a'.repeat(64), 'video unavailable'],
      [MD5, 'listed in known_fakes.csv'],
    ]);
  });

  it('names the line of a hash that is neither', () => {
    expect(() => parseKnownFakes('hash,reason\nabc,short\n')).toThrow(/line 2: "abc" is not an MD5 or SHA-256 hash/);
    expect(() => parseKnownFakes('hash,reason\nabc,short\n')).toThrow(ConfigError);
  });

  it('adds a hash, or gives one already listed its new reason', () => {
    const text = withKnownFake(parseKnownFakes(`hash,reason\n${MD5},stub\n`), SHA, 'placeholder');
    expect([...parseKnownFakes(text)]).toEqual([
      [MD5, 'stub'],
      ['a'.repeat(64), 'placeholder'],
    ]);
    expect([...parseKnownFakes(withKnownFake(parseKnownFakes(text), MD5, 'empty stub'))][0]).toEqual([
      MD5,
      'empty stub',
    ]);
  });

  it('writes a reason that looks like a formula neutralised for spreadsheets, and reads it back as it was given', () => {
    const reason = '=HYPERLINK("http://evil.test","click")';
    const text = withKnownFake(new Map(), SHA, reason);
    expect(text).toContain(`,"'=HYPERLINK(""http://evil.test"",""click"")"`);
    expect(parseKnownFakes(text).get('a'.repeat(64))).toBe(reason);
    // Written again (another block), the reason is not quoted twice.
    expect(parseKnownFakes(withKnownFake(parseKnownFakes(text), MD5, '-stub')).get('a'.repeat(64))).toBe(reason);
  });
});
