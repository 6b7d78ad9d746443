import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Keys that may hold credentials anywhere in a log line; pino replaces their values. */
export const REDACTED_KEYS = [
  'password',
  'TJ_PASSWORD',
  'token',
  'apiKey',
  'api_key',
  'cookie',
  'cookies',
  'authorization',
  'storageState',
  'session',
];

export interface LoggerOptions {
  readonly level: string;
  /** Human-readable output; by default when stdout is a terminal. pm2 and tests get JSON. */
  readonly pretty?: boolean;
  /** Where JSON lines go; stdout by default. */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.destination === undefined && (options.pretty ?? Boolean(process.stdout.isTTY));
  const settings = {
    level: options.level,
    base: { pid: process.pid },
    redact: { paths: REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]), censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
