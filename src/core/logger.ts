import pino, { type DestinationStream, type Logger, type StreamEntry } from 'pino';
import pretty from 'pino-pretty';
import pinoRoll from 'pino-roll';
import { redactText } from './redact.js';

export type { Logger };

/**
 * A key whose value may be a credential, wherever it sits in a log line and however it is cased:
 * `password`, `tjPassword`, `TJ_PASSWORD`, `Authorization`, `set-cookie`, `EXO_API_TOKEN`…
 */
const SECRET_KEY =
  /pass(word|wd)?$|secret|token|cookie|authori[sz]ation|api[-_]?key|^session$|storage_?state|credential/i;
const CENSOR = '[redacted]';
/** Nesting past this is cut: a log line is not the place for a whole object graph. */
const MAX_DEPTH = 8;

/** A copy of a log line's fields with every credential replaced, at any depth; errors become plain objects first. */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  // Inside texts: a URL's password or query token, a header, a JSON body quoted in a message.
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value) || depth >= MAX_DEPTH) return '[cut]';
  seen.add(value);
  if (value instanceof Error) return redactSecrets(pino.stdSerializers.err(value), depth, seen);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1, seen));
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SECRET_KEY.test(key) && item !== undefined && item !== null ? CENSOR : redactSecrets(item, depth + 1, seen),
    ]),
  );
}

export interface LoggerOptions {
  readonly level: string;
  /** Human-readable output; by default when stdout is a terminal. pm2 and tests get JSON. */
  readonly pretty?: boolean;
  /** Where JSON lines go; stdout by default. */
  readonly destination?: DestinationStream;
  /** Logs to stderr, leaving stdout to a command's result. */
  readonly toStderr?: boolean;
}

const PRETTY = { colorize: true, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss', ignore: 'pid,hostname' } as const;

function settings(level: string) {
  return {
    level,
    base: { pid: process.pid },
    // By key pattern at any depth, and inside texts: pino's own `redact` takes exact paths only.
    formatters: { log: (fields: Record<string, unknown>) => redactSecrets(fields) as Record<string, unknown> },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...rest: unknown[]) => void) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? redactSecrets(arg) : arg)),
        );
      },
    },
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const terminal = options.toStderr ? process.stderr : process.stdout;
  const readable = options.destination === undefined && (options.pretty ?? Boolean(terminal.isTTY));
  if (readable)
    return pino({
      ...settings(options.level),
      transport: { target: 'pino-pretty', options: { ...PRETTY, destination: options.toStderr ? 2 : 1 } },
    });
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
 * same lines also print through pino-pretty; under pm2, a line saying where the log is and the
 * warnings and errors, readable; elsewhere, JSON on stdout.
 */
export async function createDaemonLogger(options: DaemonLoggerOptions): Promise<Logger> {
  // A stream takes a level to log at; `silent` is the logger's to apply.
  const level = (options.level === 'silent' ? 'fatal' : options.level) as StreamEntry['level'];
  const streams: StreamEntry[] = [
    {
      level,
      stream: await pinoRoll({
        file: options.file,
        size: options.size,
        frequency: 'daily',
        mkdir: true,
        symlink: true,
        limit: { count: options.keep, removeOtherLogFiles: true },
      }),
    },
  ];
  if (process.stdout.isTTY) streams.push({ level, stream: pretty({ ...PRETTY, destination: 1 }) });
  else if (process.env.pm_id === undefined) streams.push({ level, stream: pino.destination(1) });
  else {
    // Under pm2, `pm2 logs` (the first thing people try) shows where the log is and every warning
    // and error, readable; pm2's own file stays small, as warnings are few.
    process.stdout.write(
      `creative-flow logs everything to ${options.file.replace(/[^/]+$/, 'current.log')}; read it with: tail -F that file | npx pino-pretty. Warnings and errors show here too.\n`,
    );
    streams.push({ level: 'warn', stream: pretty({ ...PRETTY, colorize: false, destination: 1 }) });
  }
  return pino(settings(options.level), pino.multistream(streams));
}
