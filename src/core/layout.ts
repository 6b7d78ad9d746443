import path from 'node:path';

/** Every folder and file the daemon uses, derived from one root. */
export interface Layout {
  readonly root: string;
  readonly inbox: string;
  readonly uploaded: string;
  readonly archive: string;
  readonly tracking: string;
  readonly data: string;
  readonly db: string;
  readonly tmp: string;
  readonly logs: string;
  /** Browser session (a credential: mode 0600) and upload checkpoints. */
  readonly sessionFile: string;
  readonly libraryCsv: string;
  readonly inventoryCsv: string;
  readonly metadataDefaultsCsv: string;
}

export function layoutFor(root: string): Layout {
  const abs = path.resolve(root);
  const tracking = path.join(abs, 'tracking');
  const data = path.join(abs, 'data');
  return {
    root: abs,
    inbox: path.join(abs, 'inbox'),
    uploaded: path.join(abs, 'uploaded'),
    archive: path.join(abs, 'archive'),
    tracking,
    data,
    db: path.join(data, 'db'),
    tmp: path.join(data, 'tmp'),
    logs: path.join(data, 'logs'),
    sessionFile: path.join(data, 'session', 'tj_session.json'),
    libraryCsv: path.join(tracking, 'TJ_Creative_Library.csv'),
    inventoryCsv: path.join(tracking, 'creative_inventory.csv'),
    metadataDefaultsCsv: path.join(tracking, 'metadata_defaults.csv'),
  };
}

/**
 * Where each kind's outputs wait for upload, below `uploaded/` (and, once uploaded, below an
 * archive batch folder). The untouched original of a converted file sits in the kind's folder.
 */
export const OUTPUT_FOLDERS = {
  native: { video: 'Native/Video', image: 'Native/Image', original: 'Native' },
  preroll: { creative: 'Video', original: 'Video' },
  image: { creative: 'Image', original: 'Image' },
} as const;

/** Root-relative path with forward slashes, the form stored in the database and the CSVs. */
export function toRelative(layout: Layout, absolute: string): string {
  return path.relative(layout.root, absolute).split(path.sep).join('/');
}

export function toAbsolute(layout: Layout, relative: string): string {
  return path.join(layout.root, ...relative.split('/'));
}
