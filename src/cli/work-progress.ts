import cliProgress from 'cli-progress';
import type { ActivityBus, WorkProgress } from '../core/events.js';

/** Plain lines off a terminal: one every this many pages or files of a part, and one at its end. */
const LINE_EVERY = 10;

const LABELS: Readonly<Record<WorkProgress['work'], string>> = {
  walk: 'reading',
  upload: 'uploading to',
  ingest: 'processing',
};

/**
 * Shows long work as it goes, from the app's `progress` events: on a terminal a bar a part (done
 * of total, rate, time left; pages read for a walk, whose total is known only at its end), and
 * elsewhere a plain line now and then. Written to `out` (stderr: stdout carries the result).
 * Returns what stops it.
 */
export function showWorkProgress(out: NodeJS.WriteStream, events: Pick<ActivityBus, 'on' | 'off'>): () => void {
  const onProgress = out.isTTY ? bars(out) : lines(out);
  events.on('progress', onProgress.show);
  return () => {
    events.off('progress', onProgress.show);
    onProgress.stop();
  };
}

/** Bars on a terminal, in `format` (cli-progress's): the one place that library is drawn from. */
export type TerminalBars = cliProgress.MultiBar;
export function terminalBars(out: NodeJS.WriteStream, format: string): TerminalBars {
  return new cliProgress.MultiBar(
    { stream: out, format, hideCursor: true, clearOnComplete: false, etaBuffer: 10 },
    cliProgress.Presets.shades_classic,
  );
}

function label(progress: WorkProgress): string {
  return `${LABELS[progress.work]} ${progress.part}`;
}

function bars(out: NodeJS.WriteStream): { show: (progress: WorkProgress) => void; stop: () => void } {
  const multi = terminalBars(out, '{label} {bar} {value}/{of} {unit} | {rate} | ETA {eta_formatted}');
  const shown = new Map<string, { bar: cliProgress.SingleBar; startedAt: number }>();
  return {
    show(progress) {
      const key = label(progress);
      const entry = shown.get(key) ?? { bar: multi.create(1, 0), startedAt: Date.now() };
      shown.set(key, entry);
      const perMinute = (progress.done / Math.max(1, Date.now() - entry.startedAt)) * 60_000;
      // A walk's total is unknown until its last page: the bar stays one step ahead until then.
      entry.bar.setTotal(progress.total ?? progress.done + 1);
      entry.bar.update(progress.done, {
        label: key,
        of: progress.total ?? '?',
        unit: progress.unit,
        rate: `${perMinute.toFixed(1)}/min`,
      });
    },
    stop: () => multi.stop(),
  };
}

function lines(out: NodeJS.WriteStream): { show: (progress: WorkProgress) => void; stop: () => void } {
  return {
    show(progress) {
      const finished = progress.total !== undefined && progress.done >= progress.total;
      if (!finished && progress.done % LINE_EVERY !== 0) return;
      out.write(
        `${label(progress)}: ${progress.done}${progress.total === undefined ? '' : ` of ${progress.total}`} ${progress.unit}${finished ? ', done' : ''}\n`,
      );
    },
    stop: () => undefined,
  };
}
