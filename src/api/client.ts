import http from 'node:http';
import { CreativeFlowError } from '../core/errors.js';
import type { RunningDaemon } from './daemon-file.js';
import type { JobName, JobOptions, JobResult } from './job-requests.js';

/** What the local API answers for a job that failed: the error said plainly, and its kind. */
export interface JobFailure {
  readonly error: string;
  /** A {@link CreativeFlowError}'s plain sentence (with its hint), or an unexpected error's message. */
  readonly plain: string;
  /** Whether the error was one of ours (said plainly), rather than a bug. */
  readonly expected: boolean;
}

/** The daemon did the job and it failed, or the daemon could not be asked. */
export class DaemonJobError extends CreativeFlowError {
  constructor(
    message: string,
    hint: string,
    /** Ours and said plainly (exit 2), or unexpected (exit 1). */
    readonly expected: boolean,
  ) {
    super(message, { hint });
  }

  /** The daemon's own sentence already holds its hint. */
  override get plain(): string {
    return this.hint ? super.plain : this.message;
  }
}

/**
 * Asks the daemon running on this root to do a job, through its local API and token, and waits
 * for the result however long it takes (an upload pass, a campaign run): no client timeout.
 */
export function askDaemon<N extends JobName>(
  daemon: RunningDaemon,
  token: string,
  job: N,
  options: JobOptions<N>,
): Promise<JobResult<N>> {
  const body = JSON.stringify(options);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: daemon.port,
        path: `/api/jobs/${job}`,
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let answer: { result?: JobResult<N> } & Partial<JobFailure>;
          try {
            answer = JSON.parse(text) as typeof answer;
          } catch {
            return reject(
              new DaemonJobError(
                `The daemon (pid ${daemon.pid}) answered HTTP ${response.statusCode} without a result`,
                'Look at its log; `creative-flow status` shows its state.',
                false,
              ),
            );
          }
          if (response.statusCode === 200 && 'result' in answer) return resolve(answer.result as JobResult<N>);
          reject(
            new DaemonJobError(
              answer.plain ?? answer.error ?? `HTTP ${response.statusCode}`,
              '',
              answer.expected ?? false,
            ),
          );
        });
      },
    );
    request.on('error', (error) =>
      reject(
        new DaemonJobError(
          `Could not reach the daemon running on this root (pid ${daemon.pid}, port ${daemon.port}): ${error.message}`,
          'If it is stuck, restart it (pm2 restart creative-flow).',
          true,
        ),
      ),
    );
    request.end(body);
  });
}
