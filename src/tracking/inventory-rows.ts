import { extensionOf, fileName } from '../core/files.js';
import type { PlatformId } from '../core/platform.js';
import type { CreativeRecord, OutputFile, PlatformUpload } from '../core/record.js';

/** The origin's columns (Creative_Flow's `creative_inventory.csv`), then ours. */
export const INVENTORY_COLUMNS = [
  'unique_id',
  'original_filename',
  'new_filename',
  'creator_name',
  'language',
  'category',
  'content_type',
  'creative_type',
  'duration_seconds',
  'aspect_ratio',
  'width_px',
  'height_px',
  'file_size_mb',
  'file_format',
  'date_processed',
  'source_path',
  'notes',
  'native_pair_id',
  'model_sex',
  'style',
  'creative_description',
  'test_id',
  'content_hash',
  'state',
  'reason',
  'needs_review',
  'tj_creative_id',
  'tj_upload_date',
  'tj_campaign_id',
  'upload_status',
  'review_status',
  'archive_path',
  'exo_creative_id',
  'exo_upload_date',
  'exo_upload_status',
  'exo_review_status',
] as const;

export type InventoryRow = Record<(typeof INVENTORY_COLUMNS)[number], string>;

/**
 * One row per creative: a native pair gives three (the `ORG_` original, the video, the thumbnail),
 * as in the origin; a file not yet converted, or set aside, gives one.
 */
/** What the platform knows of an uploaded creative, beside its record. */
export interface PlatformFacts {
  /** Its review status on a platform, by name. */
  readonly reviewStatusOf: (name: string, platform: PlatformId) => string | undefined;
  /** The campaigns with ads using it, by creative id. */
  readonly campaignsOf: (creativeId: string) => readonly string[];
}

const NO_FACTS: PlatformFacts = { reviewStatusOf: () => undefined, campaignsOf: () => [] };

export function inventoryRows(record: CreativeRecord, facts: PlatformFacts = NO_FACTS): InventoryRow[] {
  const outputs = record.outputs ?? [];
  if (
    outputs.length === 0 ||
    (record.state === 'rejected' && !record.outputs?.some((output) => output.uploads)) ||
    record.state === 'duplicate'
  ) {
    return [baseRow(record, undefined, facts)];
  }
  return [...outputs]
    .sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role])
    .map((output) => baseRow(record, output, facts));
}

const ROLE_ORDER: Readonly<Record<OutputFile['role'], number>> = { original: 0, creative: 1, video: 2, image: 3 };

function baseRow(record: CreativeRecord, output: OutputFile | undefined, facts: PlatformFacts): InventoryRow {
  const tokens = record.naming?.tokens;
  const id = record.naming ? `ID-${record.naming.id}` : '';
  const native = record.kind === 'native';
  const suffix = output?.role === 'video' ? '-VID' : output?.role === 'image' ? '-IMG' : '';
  const media = output ?? record.media;
  const width = media?.width ?? 0;
  const height = media?.height ?? 0;
  const duration = output ? output.durationSec : record.media?.durationSec;
  const newName = output ? fileName(output.path) : record.setAside ? fileName(record.setAside.path) : '';
  const bytes = output?.bytes ?? record.source.size;
  const review = record.naming?.review ?? [];
  const lastTime = record.times[record.state] ?? record.times.discovered ?? '';
  const tj = output?.uploads?.tj;
  const exo = output?.uploads?.exoclick;
  return {
    unique_id: id ? `${id}${suffix}` : '',
    original_filename: fileName(record.source.path),
    new_filename: newName,
    creator_name: tokens?.creator ?? '',
    language: tokens?.language ?? '',
    category: tokens?.category ?? '',
    content_type: tokens?.rating ?? '',
    creative_type: creativeType(record, output),
    duration_seconds: duration === undefined ? '' : duration.toFixed(2),
    aspect_ratio: width && height ? aspectRatio(width, height) : '',
    width_px: width ? String(width) : '',
    height_px: height ? String(height) : '',
    file_size_mb: (bytes / 1_000_000).toFixed(2),
    file_format: extensionOf(output?.path ?? record.source.path).slice(1),
    date_processed: lastTime.slice(0, 10),
    source_path: record.source.path,
    notes: (record.notes ?? []).join('; '),
    native_pair_id: native && output && output.role !== 'original' ? id : '',
    model_sex: tokens?.modelSex ?? '',
    style: tokens?.style ?? '',
    creative_description: tokens?.description ?? '',
    test_id: tokens?.testId ?? '',
    content_hash: record.hash ?? '',
    state: record.state,
    reason: record.reason ?? '',
    needs_review: review.join('; '),
    tj_creative_id: tj?.creativeId ?? '',
    tj_upload_date: uploadDate(tj),
    tj_campaign_id: tj?.creativeId ? facts.campaignsOf(tj.creativeId).join(';') : '',
    upload_status: tj?.status ?? '',
    review_status: tj?.creativeId ? (facts.reviewStatusOf(newName, 'tj') ?? '') : '',
    archive_path: record.archive?.dir ?? record.setAside?.path ?? '',
    exo_creative_id: exo?.creativeId ?? '',
    exo_upload_date: uploadDate(exo),
    exo_upload_status: exo?.status ?? '',
    exo_review_status: exo?.creativeId ? (facts.reviewStatusOf(newName, 'exoclick') ?? '') : '',
  };
}

function uploadDate(upload: PlatformUpload | undefined): string {
  return upload && upload.status !== 'in_flight' && upload.status !== 'unfit' ? upload.at.slice(0, 10) : '';
}

/** `ID-X`, with `-VID` or `-IMG` for the two halves of a native pair. */
export function uniqueIdOf(record: CreativeRecord, output: OutputFile | undefined): string {
  if (!record.naming) return '';
  const suffix = output?.role === 'video' ? '-VID' : output?.role === 'image' ? '-IMG' : '';
  return `ID-${record.naming.id}${suffix}`;
}

export function creativeType(record: CreativeRecord, output: OutputFile | undefined): string {
  if (output?.role === 'video') return 'native_video';
  if (output?.role === 'image') return 'native_image';
  if (output?.role === 'creative') return record.kind === 'preroll' ? 'preroll' : 'image';
  return record.media?.type ?? '';
}

function aspectRatio(width: number, height: number): string {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const divisor = gcd(width, height);
  return `${width / divisor}:${height / divisor}`;
}
