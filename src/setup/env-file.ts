import { parseEnv } from 'node:util';
import { ConfigError } from '../core/errors.js';

/**
 * `.env` with some settings set: every other line (comments, settings, blank lines) is kept as
 * it was, a setting already there is replaced where it stands, and a new one is added at the end.
 * Values are quoted so that `.env` reads them back exactly, whatever they hold.
 */
export function withSettings(text: string, settings: Readonly<Record<string, string>>): string {
  const pending = new Map(Object.entries(settings));
  const lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  const kept = lines.map((line) => {
    const key = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (key === undefined || !pending.has(key)) return line;
    const value = pending.get(key) ?? '';
    pending.delete(key);
    return `${key}=${quoted(key, value)}`;
  });
  for (const [key, value] of pending) kept.push(`${key}=${quoted(key, value)}`);
  return `${kept.join('\n')}\n`;
}

/** The settings of a `.env`'s text. */
export function readSettings(text: string): Record<string, string> {
  return parseEnv(text) as Record<string, string>;
}

/** Single quotes keep everything literal; backticks, then double quotes, when the value holds single quotes. */
function quoted(key: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new ConfigError(key, 'cannot hold a line break in .env');
  for (const quote of ["'", '`']) if (!value.includes(quote)) return `${quote}${value}${quote}`;
  // Inside double quotes, .env turns \n into a line break: only a value without one may use them.
  if (!value.includes('"') && !value.includes('\\n')) return `"${value}"`;
  throw new ConfigError(
    key,
    'holds \', " and ` at once, which .env cannot quote',
    'Set it in the environment instead of .env.',
  );
}
