import path from 'node:path';
import { batchNumber } from './batch.js';

/**
 * A path relative to the root, with forward slashes (`inbox/native/clip.mp4`): the one shape a
 * creative's path takes in records, CSVs and reports. Absolute paths exist only at the edges
 * (the filesystem, ffmpeg, the browser), made by {@link Layout.abs}.
 */
export type RootPath = string & { readonly __rootPath: unique symbol };

/** Marks a string already in root-relative form (records read back, literals in tests). */
export function rootPath(relative: string): RootPath {
  return relative as RootPath;
}

/** Where a file that is not uploaded is set aside, below `archive/`. */
export type SetAsideKind = 'rejected' | 'duplicate';

const SET_ASIDE_FOLDERS: Readonly<Record<SetAsideKind, string>> = { rejected: 'rejected', duplicate: 'duplicates' };

/**
 * Where each kind's outputs wait for upload, below `uploaded/` (and, once uploaded, below an
 * archive batch folder). The untouched original of a converted file sits in the kind's folder.
 */
export const OUTPUT_FOLDERS = {
  native: { video: 'Native/Video', image: 'Native/Image', original: 'Native' },
  preroll: { creative: 'Video', original: 'Video' },
  image: { creative: 'Image', original: 'Image' },
} as const;

/** Every folder and file under one root. Nothing else builds a path below the root. */
export class Layout {
  readonly root: string;
  /** The drop zone. */
  readonly inbox: string;
  /** Converted files waiting for upload. */
  readonly uploaded: string;
  readonly archive: string;
  /** What people read and edit. */
  readonly tracking: string;
  /** Machine state: owner-only. */
  readonly data: string;
  readonly db: string;
  /** Our own scratch files (frames, thumbnails); their names start with the storage's temp prefix. */
  readonly tmp: string;
  readonly logs: string;
  /** Browser session and login state: credentials, mode 0700. */
  readonly sessionDir: string;
  /** Playwright storageState: a credential, mode 0600. */
  readonly sessionFile: string;
  /** Screenshots and page HTML of browser failures. */
  readonly screenshots: string;
  /** Keeps a second process off this root. */
  readonly lockFile: string;
  readonly libraryCsv: string;
  readonly inventoryCsv: string;
  /** Each database segment's inventory rows, kept so a rewrite renders only what changed. */
  readonly inventoryParts: string;
  readonly metadataDefaultsCsv: string;
  /** Hashes of placeholder files scrapers deliver (`hash,reason`), set aside on sight. */
  readonly knownFakesCsv: string;
  /** Campaign CSVs for TJ's "Mass create with CSV". */
  readonly uploadCsvDir: string;
  readonly reportsDir: string;
  /** Which campaign gets which CSV, for `campaigns create` (TJ_tool's format). */
  readonly campaignMappingCsv: string;
  /** Hands-off rules: the creatives of an inbox folder or a category go to these campaigns. */
  readonly campaignTargetsCsv: string;
  /** `results_*.csv` of each `campaigns create` run. */
  readonly campaignResultsDir: string;
  /** One checkpoint per campaign run, and the daemon's own. */
  readonly checkpointsDir: string;
  /** The secret in the dashboard's URL and the local API's requests (owner-only). */
  readonly dashboardTokenFile: string;
  /** Each day's figures from the platforms' reporting APIs, one file a day. */
  readonly resultsDir: string;
  /** When results were last fetched from each platform, and why not when they were not. */
  readonly resultsStatusFile: string;
  /** One row per creative, platform and day, for spreadsheets. */
  readonly resultsCsv: string;
  /** Where a running daemon serves its local API: `{ pid, port }`, removed when it stops. */
  readonly daemonFile: string;
  /** The daemon's own log, rotated by size and day. */
  readonly logFile: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.inbox = this.under('inbox');
    this.uploaded = this.under('uploaded');
    this.archive = this.under('archive');
    this.tracking = this.under('tracking');
    this.data = this.under('data');
    this.db = this.under('data', 'db');
    this.tmp = this.under('data', 'tmp');
    this.logs = this.under('data', 'logs');
    this.sessionDir = this.under('data', 'session');
    this.sessionFile = path.join(this.sessionDir, 'tj_session.json');
    this.screenshots = this.under('data', 'screenshots');
    this.lockFile = path.join(this.data, 'creative-flow.lock');
    this.libraryCsv = this.under('tracking', 'TJ_Creative_Library.csv');
    this.inventoryCsv = this.under('tracking', 'creative_inventory.csv');
    this.inventoryParts = this.under('data', 'inventory');
    this.metadataDefaultsCsv = this.under('tracking', 'metadata_defaults.csv');
    this.knownFakesCsv = this.under('tracking', 'known_fakes.csv');
    this.uploadCsvDir = this.under('tracking', 'Upload_CSV');
    this.reportsDir = this.under('tracking', 'reports');
    this.campaignMappingCsv = this.under('tracking', 'campaign_mapping.csv');
    this.campaignTargetsCsv = this.under('tracking', 'campaign_targets.csv');
    this.campaignResultsDir = this.under('tracking', 'campaigns');
    this.checkpointsDir = this.under('data', 'checkpoints');
    this.dashboardTokenFile = this.under('data', 'dashboard.token');
    this.resultsDir = this.under('data', 'results');
    this.resultsStatusFile = this.under('data', 'results-status.json');
    this.resultsCsv = this.under('tracking', 'creative_results.csv');
    this.daemonFile = this.under('data', 'daemon.json');
    this.logFile = this.under('data', 'logs', 'creative-flow.log');
  }

  /** The folders the daemon writes to, created at start-up. */
  get folders(): readonly string[] {
    return [this.inbox, this.uploaded, this.archive, this.tracking, this.data, this.tmp];
  }

  abs(relative: RootPath): string {
    return path.join(this.root, ...relative.split('/'));
  }

  rel(absolute: string): RootPath {
    return path.relative(this.root, absolute).split(path.sep).join('/') as RootPath;
  }

  /** Where a kind's output of a role waits for upload. */
  outputDir(folder: string): string {
    return path.join(this.uploaded, ...folder.split('/'));
  }

  /** `archive/{rejected|duplicates}/{date}/` */
  setAsideDir(kind: SetAsideKind, date: string): string {
    return this.under('archive', SET_ASIDE_FOLDERS[kind], date);
  }

  /** `archive/batch_{NNN}-{YYYY-MM-DD}/` */
  archiveBatchDir(batch: number, date: string): string {
    return this.under('archive', `batch_${batchNumber(batch)}-${date}`);
  }

  /** `tracking/upload_status_{YYYYMMDD_HHMMSS}.csv` */
  uploadStatusFile(stamp: string): string {
    return this.under('tracking', `upload_status_${stamp}.csv`);
  }

  /** `tracking/Upload_CSV/Batch{NNN}_{stamp}_{kind}[_partN][_NOT_READY].csv` */
  uploadCsvFile(batch: number, stamp: string, kind: string, part: number, ready = true): string {
    return path.join(
      this.uploadCsvDir,
      `${uploadCsvPrefix(batch)}${stamp}_${kind}${part === 1 ? '' : `_part${part}`}${ready ? '' : NOT_READY_SUFFIX}.csv`,
    );
  }

  /** `tracking/reports/daily_{date}.{ext}` */
  reportFile(date: string, ext: 'md' | 'json' | 'html'): string {
    return path.join(this.reportsDir, `daily_${date}.${ext}`);
  }

  /** `tracking/campaigns/results_{YYYYMMDD_HHMMSS}.csv` */
  campaignResultsFile(stamp: string): string {
    return path.join(this.campaignResultsDir, `results_${stamp}.csv`);
  }

  /** `data/checkpoints/{name}.json`: `run_{stamp}` for a command's run, `hands-off` for the daemon's. */
  checkpointFile(name: string): string {
    return path.join(this.checkpointsDir, `${name}.json`);
  }

  /** `data/tmp/campaign_{id}.csv`: the file handed to the platform's CSV input. */
  campaignUploadFile(campaignId: string): string {
    return path.join(this.tmp, `campaign_${campaignId.replace(/[^0-9A-Za-z_-]/g, '_')}.csv`);
  }

  /** A file of `data/screenshots/` by its name (as the dashboard links it). */
  screenshotNamed(name: string): string {
    return path.join(this.screenshots, path.basename(name));
  }

  /** `data/screenshots/{stamp}-{what}.{ext}` */
  screenshotFile(stamp: string, what: string, ext: 'png' | 'html'): string {
    return path.join(this.screenshots, `${stamp}-${what.replace(/[^A-Za-z0-9_-]+/g, '-')}.${ext}`);
  }

  private under(...parts: string[]): string {
    return path.join(this.root, ...parts);
  }
}

/** Whether a root-relative path lies in one of the top folders. */
export function isIn(relative: RootPath, folder: 'inbox' | 'uploaded' | 'archive'): boolean {
  return relative.startsWith(`${folder}/`);
}

/** The folders between `inbox/` and the file: `inbox/native/Promo/a.mp4` → `['native', 'Promo']`. */
export function inboxFolders(relative: RootPath): string[] {
  return isIn(relative, 'inbox') ? relative.split('/').slice(1, -1) : [];
}

/** Ends the name of a campaign CSV written with placeholder settings: it must not reach TJ. */
export const NOT_READY_SUFFIX = '_NOT_READY';

/** How every campaign CSV of one archive batch starts: `Batch001_`. */
export function uploadCsvPrefix(batch: number): string {
  return `Batch${batchNumber(batch)}_`;
}
