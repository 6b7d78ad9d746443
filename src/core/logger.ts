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
  /** Logs to stderr, leaving stdout to a command's result. */
  readonly toStderr?: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  const terminal = options.toStderr ? process.stderr : process.stdout;
  const pretty = options.destination === undefined && (options.pretty ?? Boolean(terminal.isTTY));
  const settings = {
    level: options.level,
    base: { pid: process.pid },
    redact: { paths: REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]), censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', destination: options.toStderr ? 2 : 1 } } } : {}),
  };
  if (pretty) return pino(settings);
  return pino(settings, options.destination ?? pino.destination(options.toStderr ? 2 : 1));
}
