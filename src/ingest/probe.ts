import { BadInputError, KnownFakeError, SourceChangedError } from '../core/errors.js';
import { inboxFolders, type RootPath } from '../core/layout.js';
import type { CreativeKind, CreativeRecord, MediaInfo } from '../core/record.js';
import type { StageContext } from './context.js';
import type { KnownFakesFile } from './known-fakes.js';
import { inspectImage, looksLikeImage } from './probe-image.js';
import { inspectVideo } from './probe-video.js';

/**
 * Reads what the file is: its content hash, its media properties and so its kind. A file whose
 * hash is a known fake is set aside as that, whatever else is wrong with it.
 */
export async function probe(
  record: CreativeRecord,
  ctx: StageContext,
  fakes?: Pick<KnownFakesFile, 'match' | 'wantsMd5'>,
): Promise<CreativeRecord> {
  const file = ctx.layout.abs(record.source.path);
  // A link's bytes are someone else's file, and a link to a folder makes every path through it
  // another place's: each component below inbox/ is checked before anything is read.
  const link = await ctx.storage.linkOnPath(ctx.layout.inbox, file);
  if (link !== undefined) {
    const what =
      link.path === file ? 'The file is a symbolic link' : `Its folder ${ctx.layout.rel(link.path)} is a symbolic link`;
    throw new BadInputError(
      `${what} (to ${link.target}), not a file in inbox/`,
      record.source.path,
      'Drop a copy of the file itself. The link is set aside here; what it points to is not read, moved or uploaded.',
    );
  }
  const before = await ctx.storage.stat(file);
  if (!before) throw new SourceChangedError('The file left inbox/ before it was read', record.source.path);
  const wantsMd5 = (await fakes?.wantsMd5()) ?? false;
  const hashing = wantsMd5
    ? ctx.storage.hashFileTwice(file, ctx.signal)
    : ctx.storage.hashFile(file, ctx.signal).then((sha256) => ({ sha256, md5: undefined }));
  const inspecting =
    before.size === 0
      ? Promise.reject(
          new BadInputError(
            'The file is empty (0 bytes)',
            record.source.path,
            'A 0-byte file is usually a failed copy or download; drop the complete file again.',
          ),
        )
      : inspect(file, record.source.path, ctx);
  const [hashes, inspected] = await Promise.allSettled([hashing, inspecting]);
  if (hashes.status === 'rejected') throw hashes.reason;
  // Checked before any verdict: a writer that paused longer than the stability wait leaves a file
  // that reads as broken, and that it grew since says so, rather than that the file is bad.
  const after = await ctx.storage.stat(file);
  if (!after || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
    throw new SourceChangedError('The file changed while it was being read', record.source.path);
  }
  const fake = await fakes?.match(hashes.value.sha256, hashes.value.md5);
  if (fake !== undefined) throw new KnownFakeError(fake, record.source.path, hashes.value.sha256);
  if (inspected.status === 'rejected') throw inspected.reason;
  const hash = hashes.value.sha256;
  const media = inspected.value;
  return {
    ...record,
    state: 'probed',
    source: { path: record.source.path, size: after.size, mtimeMs: after.mtimeMs },
    hash,
    media,
    kind: kindOf(record.source.path, media),
  };
}

/** Images become image creatives; videos under `inbox/preroll/` in-stream ones; other videos native pairs. */
export function kindOf(sourcePath: RootPath, media: MediaInfo): CreativeKind {
  if (media.type === 'image') return 'image';
  const [top] = inboxFolders(sourcePath);
  return top?.toLowerCase() === 'preroll' ? 'preroll' : 'native';
}

async function inspect(file: string, label: string, ctx: StageContext): Promise<MediaInfo> {
  // 64 bytes hold a HEIF's brands, by which a HEIC is known whatever its name.
  const head = await ctx.storage.readHead(file, 64);
  return looksLikeImage(head) ? inspectImage(file, label, ctx, head) : inspectVideo(file, label, ctx);
}
