import type { ActivityBus, ActivityEvents, Problem, ReportWritten, UploadBatchInFlight } from '../core/events.js';
import { localDate, localDayStart } from '../core/dates.js';
import { fileName } from '../core/files.js';
import { platformCredential, type PlatformId, type SessionStatus } from '../core/platform.js';
import type { CreativeRecord } from '../core/record.js';
import { redactText } from '../core/redact.js';
import { STATES, type State } from '../core/state.js';
import { reportCreative, type ReportCreative } from '../report/daily-report.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import { DayBook, type DayCounts } from './day-book.js';

/** What the state is made from: the app's parts, read only. */
export interface LiveSources {
  readonly root: string;
  readonly dryRun: boolean;
  readonly creatives: Pick<CreativeRepository, 'index' | 'get' | 'forEachSegment'>;
  readonly events: ActivityBus;
  /** When TJ is enabled: why work on it waits for a person, when it does. */
  readonly platformStatus?: () => Promise<SessionStatus | undefined>;
  /** Whether a TJ session is saved. */
  readonly sessionSaved: () => Promise<boolean>;
  /** The other enabled platforms (ExoClick, and any other registered): why work on each waits for a person, when it does. */
  readonly otherPlatforms?: readonly {
    readonly id: PlatformId;
    readonly name: string;
    readonly status: () => Promise<SessionStatus | undefined>;
  }[];
  readonly reviewStatusOf: (name: string) => string | undefined;
  /** The daemon's scheduled passes and when each runs next. */
  readonly nextRuns: () => readonly ScheduledPass[];
  /** Today's written report (root-relative HTML), if there is one. */
  readonly todaysReport: (date: string) => Promise<string | undefined>;
}

export interface ScheduledPass {
  readonly name: string;
  readonly next: string | undefined;
}

export interface FileInProgress {
  readonly key: string;
  readonly file: string;
  readonly state: State;
  /** What happens to it now, in words. */
  readonly step: string;
  /** When it reached its state: the page runs a timer from it. */
  readonly since: string;
}

/** Everything the dashboard shows, sent whole on every change. */
export interface DashboardSnapshot {
  readonly at: string;
  readonly root: string;
  readonly dryRun: boolean;
  readonly counts: Readonly<Record<State, number>>;
  readonly inProgress: readonly FileInProgress[];
  readonly uploads: { readonly staged: number; readonly batch: UploadBatchInFlight | undefined };
  readonly schedule: readonly ScheduledPass[];
  /** TJ's browser session, when TJ is enabled. */
  readonly session?: {
    readonly state: 'signed-in' | 'not-signed-in' | 'login-required' | 'password-refused';
    readonly since?: string;
    readonly message: string;
  };
  /** Each other enabled platform's session (ExoClick's API, and any other registered platform's). */
  readonly platforms: readonly {
    readonly id: PlatformId;
    readonly name: string;
    readonly state: 'signed-in' | 'password-refused';
    readonly since?: string;
    readonly message: string;
  }[];
  readonly problems: readonly Problem[];
  readonly today: {
    readonly date: string;
    readonly counts: DayCounts | undefined;
    readonly report: string | undefined;
  };
  readonly creatives: readonly ReportCreative[];
  readonly days: readonly DayCounts[];
}

/** What happens to a file in each ingest state. */
const STEP: Partial<Record<State, string>> = {
  discovered: 'probing',
  probed: 'naming',
  named: 'checking for duplicates, converting',
  converted: 'staging into uploaded/',
};

const SHOWN_PROBLEMS = 10;
const SHOWN_CREATIVES = 48;

/**
 * The daemon's state as the dashboard shows it, kept up to date by what the product announces.
 * The database is walked once, at start; after that every change is taken as it happens.
 */
export class LiveState {
  private readonly inProgress = new Map<string, FileInProgress>();
  private readonly book = new DayBook();
  private problems: Problem[] = [];
  private batch: UploadBatchInFlight | undefined;
  private report: ReportWritten | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly sources: LiveSources) {
    const on = <E extends keyof ActivityEvents>(event: E, handler: (...args: ActivityEvents[E]) => void): void => {
      const listener = (...args: ActivityEvents[E]): void => {
        handler(...args);
        this.changed();
      };
      (sources.events.on as (event: E, listener: (...args: ActivityEvents[E]) => void) => void)(event, listener);
      this.unsubscribe.push(() =>
        (sources.events.off as (event: E, listener: (...args: ActivityEvents[E]) => void) => void)(event, listener),
      );
    };
    on('creative', (record) => this.take(record));
    on('upload', (batch) => void (this.batch = batch));
    on('problem', (problem) => this.addProblem(problem));
    on('report', (report) => void (this.report = report));
    for (const event of ['platform', 'paused', 'resumed'] as const) on(event, () => undefined);
  }

  /**
   * The one walk through the database: the segments changed in the days the chart spans, for those
   * days, the files in progress and the problems among them. The rest of the library is not read.
   */
  async load(now = new Date()): Promise<void> {
    const { creatives } = this.sources;
    const since = localDayStart(this.book.firstDate(now));
    await creatives.forEachSegment(
      (records) => {
        for (const record of records) this.take(record, since);
      },
      { touchedSince: since },
    );
    // Files in progress last: memory holds steps not yet written to their segment.
    for (const key of creatives.index.activeKeys()) {
      const record = creatives.get(key);
      if (record) this.take(record, since);
    }
    this.problems.sort((a, b) => b.at.localeCompare(a.at));
    this.changed();
  }

  /** Calls `listener` whenever something shown changed; returns how to stop. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async snapshot(now = new Date()): Promise<DashboardSnapshot> {
    const { creatives } = this.sources;
    const counts = Object.fromEntries(
      STATES.map((state) => [state, creatives.index.countsByState().get(state) ?? 0]),
    ) as Record<State, number>;
    const days = this.book.counts(now);
    const date = localDate(now);
    return {
      at: now.toISOString(),
      root: this.sources.root,
      dryRun: this.sources.dryRun,
      counts,
      inProgress: [...this.inProgress.values()].sort((a, b) => a.since.localeCompare(b.since)).slice(0, 50),
      uploads: { staged: counts.staged, batch: this.batch },
      schedule: this.sources.nextRuns(),
      ...(this.sources.platformStatus ? { session: await this.session(this.sources.platformStatus) } : {}),
      platforms: await this.otherSessions(),
      problems: this.problems,
      today: {
        date,
        counts: days.at(-1),
        report:
          this.report?.date === date
            ? this.report.files.find((file) => file.endsWith('.html'))
            : await this.sources.todaysReport(date),
      },
      creatives: this.book
        .creativesToday(now)
        .slice(0, SHOWN_CREATIVES)
        .map((record) => reportCreative(record, this.sources.reviewStatusOf)),
      days,
    };
  }

  close(): void {
    for (const stop of this.unsubscribe) stop();
    this.listeners.clear();
  }

  /** A record changed (`problemsSince` undefined), or one read by the first walk: its problem shown only from that time on. */
  private take(record: CreativeRecord, problemsSince?: string): void {
    const live = problemsSince === undefined;
    this.book.note(record);
    const step = STEP[record.state];
    if (step)
      this.inProgress.set(record.key, {
        key: record.key,
        file: record.source.path,
        state: record.state,
        step,
        since: record.times[record.state] ?? record.times.discovered ?? new Date().toISOString(),
      });
    else this.inProgress.delete(record.key);
    if ((record.state === 'failed' || record.state === 'rejected') && record.reason) {
      const at = record.times[record.state] ?? new Date().toISOString();
      // From the walk, only recent ones are kept; a live change is always news.
      if (
        live ||
        (at >= problemsSince && (this.problems.length < SHOWN_PROBLEMS || at > (this.problems.at(-1)?.at ?? '')))
      )
        this.addProblem({ at, what: `${record.state}: ${fileName(record.source.path)}`, message: record.reason });
    }
  }

  private addProblem(reported: Problem): void {
    // What a step or a platform said may quote a URL or header with a credential: the page shows it to any browser with the token.
    const problem = { ...reported, what: redactText(reported.what), message: redactText(reported.message) };
    this.problems = [
      problem,
      ...this.problems.filter((each) => !(each.what === problem.what && each.message === problem.message)),
    ]
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, SHOWN_PROBLEMS);
  }

  private async session(
    platformStatus: () => Promise<SessionStatus | undefined>,
  ): Promise<NonNullable<DashboardSnapshot['session']>> {
    const status = await platformStatus();
    if (status?.state === 'password-refused')
      return {
        state: 'password-refused',
        since: status.since,
        message: `TJ refused the password: fix TJ_PASSWORD in .env, or run \`creative-flow login\`. ${redactText(status.message)}`,
      };
    if (status)
      return {
        state: 'login-required',
        since: status.since,
        message: `TJ waits for a person to sign in: run \`creative-flow login\`. ${redactText(status.message)}`,
      };
    return (await this.sources.sessionSaved())
      ? { state: 'signed-in', message: 'A TJ session is saved' }
      : {
          state: 'not-signed-in',
          message:
            'No TJ session yet: `creative-flow login` (the first upload signs in itself where no captcha stands in the way)',
        };
  }

  private async otherSessions(): Promise<DashboardSnapshot['platforms']> {
    return Promise.all(
      (this.sources.otherPlatforms ?? []).map(async ({ id, name, status: read }) => {
        const status = await read();
        return status
          ? {
              id,
              name,
              state: 'password-refused' as const,
              since: status.since,
              message: `Uploads to ${name} wait: ${redactText(status.message)}`,
            }
          : {
              id,
              name,
              state: 'signed-in' as const,
              message: `Uploads to ${name} go through its API (${platformCredential(id).key})`,
            };
      }),
    );
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
