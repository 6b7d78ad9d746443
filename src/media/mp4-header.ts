/**
 * What the header of an MP4 we encoded says of its first video track, read from the bytes
 * themselves (ISO/IEC 14496-12 boxes): the check of a fresh output without another ffprobe
 * process, which costs more to start than the check itself. The caller reads the bytes.
 */
export interface Mp4VideoFacts {
  /** The sample entry's format: `avc1` (H.264), `hev1`, `mp4v`… */
  readonly sampleFormat: string;
  readonly width: number;
  readonly height: number;
  readonly durationSec: number;
}

/** An `+faststart` MP4 carries its index first, so a few kilobytes nearly always hold it. */
const HEAD_READ_BYTES = 64 << 10;
const MOOV_MAX_BYTES = 16 << 20;

/**
 * The first video track of an MP4 whose index is at the front, through `readHead` (the file's
 * first bytes, as many as asked or fewer). Undefined when the index is not there.
 */
export async function readVideoFacts(readHead: (bytes: number) => Promise<Buffer>): Promise<Mp4VideoFacts | undefined> {
  let head = await readHead(HEAD_READ_BYTES);
  const moov = moovExtent(head);
  if (!moov || moov.end > MOOV_MAX_BYTES) return undefined;
  if (moov.end > head.length) head = await readHead(moov.end);
  return videoFactsOfMoov(head.subarray(moov.start, moov.end));
}

/** Where `moov` lies, from the top-level boxes in `head`: all an `+faststart` file needs read. */
export function moovExtent(head: Buffer): { start: number; end: number } | undefined {
  const moov = boxes(head, 0, head.length, true).find((box) => box.type === 'moov');
  return moov && { start: moov.start, end: moov.end };
}

/**
 * The first video track of a whole `moov` box (from {@link moovExtent}), or undefined when the
 * box holds no video track or is not laid out as the standard says.
 */
export function videoFactsOfMoov(moov: Buffer): Mp4VideoFacts | undefined {
  const [root] = boxes(moov, 0, moov.length, false);
  if (root?.type !== 'moov') return undefined;
  const inner = childrenOf(moov, root);
  const mvhd = inner.find((box) => box.type === 'mvhd');
  const durationSec = mvhd && durationOf(moov, mvhd);
  for (const trak of inner.filter((box) => box.type === 'trak')) {
    const mdia = childOf(moov, trak, 'mdia');
    const hdlr = mdia && childOf(moov, mdia, 'hdlr');
    // version/flags (4), pre_defined (4), then the handler type.
    if (
      !mdia ||
      !hdlr ||
      hdlr.body + 12 > hdlr.end ||
      moov.toString('latin1', hdlr.body + 8, hdlr.body + 12) !== 'vide'
    )
      continue;
    const minf = childOf(moov, mdia, 'minf');
    const stbl = minf && childOf(moov, minf, 'stbl');
    const stsd = stbl && childOf(moov, stbl, 'stsd');
    // version/flags (4), entry count (4), then the first sample entry: size (4), format (4),
    // reserved (6), data reference index (2), pre_defined and reserved (16), width (2), height (2).
    const entry = stsd ? stsd.body + 8 : -1;
    if (entry < 0 || entry + 36 > (stsd?.end ?? 0) || durationSec === undefined) return undefined;
    return {
      sampleFormat: moov.toString('latin1', entry + 4, entry + 8),
      width: moov.readUInt16BE(entry + 32),
      height: moov.readUInt16BE(entry + 34),
      durationSec,
    };
  }
  return undefined;
}

interface Box {
  readonly type: string;
  readonly start: number;
  /** Where its contents begin, after the size and type (and a 64-bit size). */
  readonly body: number;
  readonly end: number;
}

/** `mvhd`: version (1), flags (3), then times and the timescale, 32- or 64-bit by version. */
function durationOf(data: Buffer, { body, end }: Box): number | undefined {
  const version = body < end ? data.readUInt8(body) : -1;
  if (body + (version === 1 ? 32 : 20) > end) return undefined;
  const timescale = data.readUInt32BE(body + (version === 1 ? 20 : 12));
  const duration = version === 1 ? Number(data.readBigUInt64BE(body + 24)) : data.readUInt32BE(body + 16);
  return timescale > 0 ? duration / timescale : undefined;
}

function childrenOf(data: Buffer, parent: Box): Box[] {
  return boxes(data, parent.body, parent.end, false);
}

function childOf(data: Buffer, parent: Box, type: string): Box | undefined {
  return childrenOf(data, parent).find((box) => box.type === type);
}

/**
 * The boxes laid end to end from `start` to `end`. `open`: the last may run past `end` (a head
 * read of a file), and is still given, so that its extent is known.
 */
function boxes(data: Buffer, start: number, end: number, open: boolean): Box[] {
  const found: Box[] = [];
  let offset = start;
  while (offset + 8 <= end) {
    let size = data.readUInt32BE(offset);
    let body = offset + 8;
    if (size === 1) {
      if (offset + 16 > end) break;
      size = Number(data.readBigUInt64BE(offset + 8));
      body = offset + 16;
    }
    const boxEnd = size === 0 ? end : offset + size;
    if (boxEnd < body || (boxEnd > end && !open)) break;
    found.push({ type: data.toString('latin1', offset + 4, offset + 8), start: offset, body, end: boxEnd });
    offset = boxEnd;
  }
  return found;
}
