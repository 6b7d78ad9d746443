import fs from 'node:fs/promises';
import path from 'node:path';
import { EXO_PROFILE } from '../../config/profile.js';
import { createLogger } from '../../core/logger.js';
import { USER_AGENT } from '../../core/product.js';
import { ExoUploader } from '../../platform/exoclick/exo-uploader.js';
import type { ExoStrike, ExoStrikeFault, ExoSimulatorOptions } from '../../simulators/exoclick/options.js';
import { startExoSimulator, type ExoSimState, type RunningExoSimulator } from '../../simulators/exoclick/server.js';
import { StorageRepository } from '../../store/storage.repository.js';
import { makeImage, makeVideo, sha256, tempRoot } from '../fixtures.js';

/** What every ExoClick sweep point shares: the token, a silent log, one storage adapter. */
export const API_TOKEN = 'sweep-exo-token';
export const SILENT_LOG = createLogger({ level: 'silent', pretty: false });
export const STORAGE = new StorageRepository();

/** The faults struck at each point, in the order they are swept. */
export const FAULT_KINDS: readonly ExoStrikeFault[] = [
  'session-expired',
  'server-error',
  'rate-limited',
  'dropped-after-kept',
];

/** How the sweep's lines name a fault kind. */
export const FAULT_LABELS: Readonly<Record<ExoStrikeFault, string>> = {
  'session-expired': '401',
  'server-error': '5xx',
  'rate-limited': '429',
  'dropped-after-kept': 'dropped',
};

/** A struck 429's `X-Rate-Limit-Reset`: 1 s, the shortest whole number of seconds the header can say. */
export const RESET_SECONDS = 1;

/** One generated medium: made once, copied into each point's root. */
export interface SweepMedium {
  readonly path: string;
  readonly ext: 'mp4' | 'png';
  readonly sha256: string;
}

/** The media a sweep's flows send, generated once for every point: videos by ffmpeg's lavfi, stills by sharp. */
export interface SweepMedia {
  readonly dir: string;
  readonly videos: readonly SweepMedium[];
  readonly images: readonly SweepMedium[];
}

/** `videos` short lavfi clips and `images` one-colour stills, each of its own bytes. */
export async function makeSweepMedia(videos: number, images: number): Promise<SweepMedia> {
  const dir = await tempRoot('cf-sweep-exo-media-');
  const medium = async (file: string, ext: SweepMedium['ext'], make: () => Promise<string>): Promise<SweepMedium> => ({
    path: await make(),
    ext,
    sha256: await sha256(file),
  });
  const made = await Promise.all([
    ...Array.from({ length: videos }, (_, i) => {
      const file = path.join(dir, `video-${i}.mp4`);
      return medium(file, 'mp4', () => makeVideo(file, { seconds: 1, width: 64, height: 48, seed: i + 1 }));
    }),
    ...Array.from({ length: images }, (_, i) => {
      const file = path.join(dir, `image-${i}.png`);
      return medium(file, 'png', () => makeImage(file, { seed: i + 1 }));
    }),
  ]);
  return { dir, videos: made.slice(0, videos), images: made.slice(videos) };
}

/** A simulator for one point: in-process, no latency, at most the one strike. */
export function startSimulator(options: Partial<ExoSimulatorOptions> = {}): Promise<RunningExoSimulator> {
  return startExoSimulator({ port: 0, apiTokens: [API_TOKEN], latencyMs: 0, ...options });
}

/** The adapter as the daemon opens it (it logs in: a request of the flow), its waits shortened. */
export function openUploader(sim: RunningExoSimulator): Promise<ExoUploader> {
  return ExoUploader.open(
    { apiUrl: `${sim.url}/v2/`, apiToken: API_TOKEN, fileTypes: EXO_PROFILE.fileTypes, userAgent: USER_AGENT },
    { storage: STORAGE, log: SILENT_LOG, retryBaseMs: 2 },
  );
}

/** A strike at the flow's `at`th request, once `before` requests of setting up have been made. */
export function strikeAfter(strike: ExoStrike | undefined, before: number): ExoStrike | undefined {
  return strike && { ...strike, at: before + strike.at };
}

/** Copies a medium to where a point's records say it is. */
export async function placeMedium(medium: SweepMedium, file: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.copyFile(medium.path, file);
}

export async function removeDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

/** What one run of a flow (one point, or the count without a fault) came to. */
export interface PointReport {
  /** The flow's requests, setting up not counted: R for the run without a fault. */
  readonly requests: number;
  /** Second copies ExoClick made of something sent once (a file, a variation): each one an invariant broken. */
  readonly resends: number;
  /** Whether the first pass left work for a second. */
  readonly secondPass: boolean;
  /** The invariants broken, in words; empty when the point passed. */
  readonly problems: readonly string[];
}

/** The invariants every flow shares: no request before a 429's reset. */
export function limitProblems(state: ExoSimState): string[] {
  return state.tooEarly > 0 ? [`${state.tooEarly} request(s) sent before a 429's reset`] : [];
}

/** Second copies ExoClick made of what was sent once: none may be. */
export function resendProblems(resends: number, what: 'file' | 'variation'): string[] {
  return resends > 0 ? [`${resends} ${what}(s) sent again after ExoClick had kept them`] : [];
}

/** How an error reads in a problem. */
export function describeThrown(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
}
