import pino, { type DestinationStream, type Logger, type StreamEntry } from 'pino';
import pretty from 'pino-pretty';
import pinoRoll from 'pino-roll';

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

const PRETTY = { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } as const;

function settings(level: string) {
  return {
    level,
    base: { pid: process.pid },
    redact: { paths: REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]), censor: '[redacted]' },
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const terminal = options.toStderr ? process.stderr : process.stdout;
  const readable = options.destination === undefined && (options.pretty ?? Boolean(terminal.isTTY));
  if (readable) return pino({ ...settings(options.level), transport: { target: 'pino-pretty', options: { ...PRETTY, destination: options.toStderr ? 2 : 1 } } });
  return pino(settings(options.level), options.destination ?? pino.destination(options.toStderr ? 2 : 1));
}

export interface DaemonLoggerOptions {
  readonly level: string;
  /** The log file; pino-roll numbers it (`creative-flow.1.log`…) and links `current.log` to the one in use. */
  readonly file: string;
  /** Rolled at this size (`10m`, `500k`), and daily. */
  readonly size: string;
  /** Rolled files kept beside the one in use; older ones, earlier runs' included, are removed. */
  readonly keep: number;
}

/**
 * The daemon's logger: JSON lines to a file rotated in-process (by size and day, a set number
 * kept), so the logs never grow without bound, under pm2 or not. On a terminal (`npm start`) the
 * same lines also print through pino-pretty; outside pm2 and off a terminal, as JSON on stdout.
 */
export async function createDaemonLogger(options: DaemonLoggerOptions): Promise<Logger> {
  // A stream takes a level to log at; `silent` is the logger's to apply.
  const level = (options.level === 'silent' ? 'fatal' : options.level) as StreamEntry['level'];
  const streams: StreamEntry[] = [{ level, stream: await pinoRoll({ file: options.file, size: options.size, frequency: 'daily', mkdir: true, symlink: true, limit: { count: options.keep, removeOtherLogFiles: true } }) }];
  if (process.stdout.isTTY) streams.push({ level, stream: pretty({ ...PRETTY, destination: 1 }) });
  else if (process.env.pm_id === undefined) streams.push({ level, stream: pino.destination(1) });
  return pino(settings(options.level), pino.multistream(streams));
}
