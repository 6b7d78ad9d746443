import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Jobs } from '../jobs/jobs.js';

/**
 * The jobs a command (or the dashboard) may ask a running daemon to do, with the options each
 * takes. The command line and the local API both run them through here, so a job done by the
 * daemon for a command is the same job the command would do itself. `signal` is the daemon's stop:
 * each job that can run long is told, and stops at its next safe point.
 */
const REQUESTS = {
  upload: {
    sends: true,
    options: z.object({ force: z.boolean().default(false), retryFailed: z.boolean().default(false) }),
    run: (jobs: Jobs, options: { force: boolean; retryFailed: boolean }, signal?: AbortSignal) =>
      jobs.uploadPass({ ...options, ...(signal ? { signal } : {}) }),
  },
  report: {
    options: z.object({
      date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
    }),
    run: (jobs: Jobs, options: { date?: string | undefined }, signal?: AbortSignal) =>
      jobs.dailyReport(options.date, signal),
  },
  'refresh-library': {
    options: z.object({}),
    run: (jobs: Jobs, _options: object, signal?: AbortSignal) => jobs.refreshLibrary(signal ? { signal } : {}),
  },
  'sync-status': {
    options: z.object({ full: z.boolean().default(false) }),
    run: (jobs: Jobs, options: { full: boolean }, signal?: AbortSignal) =>
      jobs.syncStatuses({ ...options, ...(signal ? { signal } : {}) }),
  },
  status: { options: z.object({}), run: (jobs: Jobs) => jobs.status() },
  'fetch-results': {
    options: z.object({}),
    run: (jobs: Jobs, _options: object, signal?: AbortSignal) => jobs.fetchResults(signal ? { signal } : {}),
  },
  results: {
    options: z.object({
      from: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
      to: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
    }),
    run: (jobs: Jobs, options: { from?: string | undefined; to?: string | undefined }) => jobs.results(options),
  },
  'retry-failed': { options: z.object({}), run: (jobs: Jobs) => jobs.retryFailed() },
  'campaigns-create': {
    sends: true,
    options: z.object({
      mapping: z.string().optional(),
      only: z.array(z.string()).optional(),
      fresh: z.boolean().default(false),
      retryFailed: z.boolean().default(false),
      skipInvalid: z.boolean().default(false),
      queued: z.boolean().default(false),
    }),
    run: (
      jobs: Jobs,
      options: {
        mapping?: string | undefined;
        only?: string[] | undefined;
        fresh: boolean;
        retryFailed: boolean;
        skipInvalid: boolean;
        queued: boolean;
      },
      signal?: AbortSignal,
    ) => jobs.campaigns.create({ ...options, ...(signal ? { signal } : {}) }),
  },
} as const;

export type JobName = keyof typeof REQUESTS;
export type JobResult<N extends JobName> = Awaited<ReturnType<(typeof REQUESTS)[N]['run']>>;
export type JobOptions<N extends JobName> = z.input<(typeof REQUESTS)[N]['options']>;

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(REQUESTS, name);
}

/** Whether a job sends to the platform, so that whether it runs live or as a dry run matters. */
export function jobSends(name: JobName): boolean {
  return 'sends' in REQUESTS[name];
}

/** Runs a job by name with options as a request carries them, checked first; `signal` tells it to stop. */
export async function runJob<N extends JobName>(
  jobs: Jobs,
  name: N,
  options: unknown,
  signal?: AbortSignal,
): Promise<JobResult<N>> {
  const request = REQUESTS[name];
  const parsed = request.options.safeParse(options ?? {});
  if (!parsed.success)
    throw new ConfigError(
      `the ${name} request`,
      `has bad options: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      'Check the command line.',
    );
  return (request.run as (jobs: Jobs, options: unknown, signal?: AbortSignal) => Promise<JobResult<N>>)(
    jobs,
    parsed.data,
    signal,
  );
}
