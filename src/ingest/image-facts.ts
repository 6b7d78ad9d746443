import type { PixelSpan } from '../media/media.repository.js';

/**
 * What an image's bytes say beyond its pixels, read from its structure (no decoder): what may pass
 * through untouched and what must be stripped, whether a file is animated or cut short, whether a
 * colour profile is sRGB, whether the pixels show anything at all.
 */

/**
 * A channel whose values all lie this close (of 255) counts as one value: lossy codecs spread a flat
 * colour (a lossy WebP's over ±5), while a picture with anything on it spans far more.
 */
const FLAT_TOLERANCE = 12;

/**
 * The blocks of a JPEG, PNG or GIF that are neither pixels nor how to show them: EXIF (GPS position,
 * camera, time), XMP (editor history), IPTC, comments, C2PA credentials, thumbnails, bytes after
 * the image's end. Empty when the file holds nothing a person did not mean to publish. A structure
 * that cannot be walked to its end is named too: the file is then re-encoded (or refused by the decoder).
 */
export function privateBlocks(data: Buffer, format: string): string[] {
  const { blocks, end } = walk(data, format);
  const unsure = end === 'unknown' ? 'a structure not checked here' : 'an unreadable structure';
  return [...new Set(end === 'whole' ? blocks : [...blocks, unsure])];
}

/**
 * Whether a file ends before its structure does (an interrupted copy), as opposed to being garbled:
 * a decoder says the same words of both ("libpng read error"). Undefined for a format not walked.
 */
export function isCutShort(data: Buffer, format: string): boolean | undefined {
  if (format === 'webp') return data.length >= 12 && data.readUInt32LE(4) + 8 > data.length;
  if (['heif', 'heic', 'avif'].includes(format)) return missingShare(data) > 0;
  const { end } = walk(data, format);
  return end === 'unknown' ? undefined : end === 'cut short';
}

/** What a file's walk found: its private blocks, and how it ended. */
interface Walk {
  readonly blocks: string[];
  readonly end: 'whole' | 'cut short' | 'garbled' | 'unknown';
}

function walk(data: Buffer, format: string): Walk {
  try {
    if (format === 'jpeg') return jpegBlocks(data);
    if (format === 'png') return pngBlocks(data);
    if (format === 'gif') return gifBlocks(data);
    return { blocks: [], end: 'unknown' };
  } catch {
    // A length that points past the end of the data.
    return { blocks: [], end: 'cut short' };
  }
}

function jpegBlocks(data: Buffer): Walk {
  const found: string[] = [];
  if (data[0] !== 0xff || data[1] !== 0xd8) return { blocks: found, end: 'garbled' };
  let at = 2;
  while (at + 1 < data.length) {
    if (data[at] !== 0xff) return { blocks: found, end: 'garbled' };
    const marker = data[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd9)
      return { blocks: at + 2 < data.length ? [...found, 'data after the image'] : found, end: 'whole' };
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2; // markers without a length
      continue;
    }
    const length = data.readUInt16BE(at + 2);
    const name = jpegSegment(marker, data.toString('latin1', at + 4, Math.min(at + 2 + length, at + 40)));
    if (name) found.push(name);
    at += 2 + length;
    // A scan's coded data runs to the next marker that is not a stuffed 0xFF00 or a restart.
    if (marker === 0xda) {
      for (at = data.indexOf(0xff, at); at >= 0 && at + 1 < data.length; at = data.indexOf(0xff, at + 1)) {
        const next = data[at + 1] ?? 0;
        if (next !== 0 && !(next >= 0xd0 && next <= 0xd7)) break;
      }
      if (at < 0) break;
    }
  }
  return { blocks: found, end: 'cut short' };
}

/** A JPEG segment's name when it is private, from its marker and the first bytes of its body. */
function jpegSegment(marker: number, start: string): string | undefined {
  if (marker === 0xfe) return 'a comment';
  if (marker < 0xe0 || marker > 0xef) return undefined; // tables, frame and scan headers
  if (marker === 0xe0 && start.startsWith('JFIF\0')) return undefined;
  if (marker === 0xe2 && start.startsWith('ICC_PROFILE\0')) return undefined; // colour: judged apart
  if (marker === 0xee && start.startsWith('Adobe')) return undefined; // how CMYK is stored
  if (marker === 0xe1 && start.startsWith('Exif\0')) return 'EXIF';
  if (marker === 0xe1 && start.startsWith('http://ns.adobe.com/')) return 'XMP';
  if (marker === 0xe2 && start.startsWith('MPF\0')) return 'extra pictures (MPF)';
  if (marker === 0xeb) return 'C2PA credentials';
  if (marker === 0xed) return 'IPTC';
  if (marker === 0xe0 && start.startsWith('JFXX')) return 'a thumbnail';
  return `APP${marker - 0xe0} data`;
}

/** PNG chunks that only draw the picture or say how to show it. */
const PNG_PICTURE = new Set([
  'IHDR',
  'PLTE',
  'IDAT',
  'IEND',
  'tRNS',
  'gAMA',
  'cHRM',
  'sRGB',
  'iCCP',
  'cICP',
  'sBIT',
  'pHYs',
  'bKGD',
  'hIST',
]);
const PNG_NAMED: Readonly<Record<string, string>> = {
  tEXt: 'text',
  zTXt: 'text',
  iTXt: 'text',
  eXIf: 'EXIF',
  tIME: 'a timestamp',
  caBX: 'C2PA credentials',
  acTL: 'animation',
  fcTL: 'animation',
  fdAT: 'animation',
};

function pngBlocks(data: Buffer): Walk {
  const found: string[] = [];
  for (let at = 8; at + 12 <= data.length;) {
    const type = data.toString('latin1', at + 4, at + 8);
    // A type that is no chunk's (a critical one, capitalised, must be one of four) is garbage, not an end.
    if (!/^[A-Za-z]{4}$/.test(type) || (/^[A-Z]/.test(type) && !['IHDR', 'PLTE', 'IDAT', 'IEND'].includes(type)))
      return { blocks: found, end: 'garbled' };
    at += 12 + data.readUInt32BE(at);
    if (type === 'IEND') return { blocks: at < data.length ? [...found, 'data after the image'] : found, end: 'whole' };
    if (!PNG_PICTURE.has(type)) found.push(PNG_NAMED[type] ?? `a ${type} chunk`);
  }
  return { blocks: found, end: 'cut short' };
}

function gifBlocks(data: Buffer): Walk {
  const found: string[] = [];
  const colourTable = (flags: number): number => (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  let at = 13 + colourTable(data[10] ?? 0);
  while (at < data.length) {
    const block = data[at];
    if (block === 0x3b)
      return { blocks: at + 1 < data.length ? [...found, 'data after the image'] : found, end: 'whole' };
    if (block === 0x2c) {
      at = skipSubBlocks(data, at + 10 + colourTable(data[at + 9] ?? 0) + 1);
    } else if (block === 0x21) {
      const label = data[at + 1];
      const application = data.toString('latin1', at + 3, at + 14);
      if (label === 0xfe) found.push('a comment');
      if (label === 0xff && application.startsWith('XMP DataXMP')) found.push('XMP');
      else if (label === 0xff && !['NETSCAPE2.0', 'ANIMEXTS1.0'].includes(application)) found.push('application data');
      at = skipSubBlocks(data, at + 2);
    } else {
      return { blocks: found, end: 'garbled' };
    }
  }
  return { blocks: found, end: 'cut short' };
}

function skipSubBlocks(data: Buffer, from: number): number {
  let at = from;
  while (at < data.length) {
    const size = data[at] ?? 0;
    at += 1 + size;
    if (size === 0) return at;
  }
  return data.length + 1;
}

/** An image's format by its first bytes, as sharp names it; undefined when not one walked here. */
export function formatOf(head: Buffer): string | undefined {
  const ascii = head.toString('latin1', 0, 12);
  if (head[0] === 0xff && head[1] === 0xd8) return 'jpeg';
  if (ascii.startsWith('\x89PNG')) return 'png';
  if (ascii.startsWith('GIF8')) return 'gif';
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'webp';
  return fileBrands(head).length > 0 ? 'heif' : undefined;
}

/** Whether a PNG's first chunks (up to its first picture data) announce an animation (APNG). */
export function isAnimatedPng(head: Buffer): boolean {
  for (let at = 8; at + 8 <= head.length;) {
    const type = head.toString('latin1', at + 4, at + 8);
    if (type === 'acTL') return true;
    if (type === 'IDAT') return false;
    at += 12 + head.readUInt32BE(at);
  }
  return false;
}

/** The brands of an ISO file's `ftyp` box (major first), from its first bytes; empty when it has none. */
export function fileBrands(head: Buffer): string[] {
  if (head.length < 16 || head.toString('latin1', 4, 8) !== 'ftyp') return [];
  const end = Math.min(head.readUInt32BE(0), head.length);
  const brands = [head.toString('latin1', 8, 12)];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(head.toString('latin1', at, at + 4));
  return brands;
}

/** HEIF still-image brands (HEIC, AVIF and the generic `mif1`), and those of image sequences. */
export const HEIF_STILL_BRANDS = ['heic', 'heix', 'heim', 'heis', 'mif1', 'mif2', 'avif', 'avio'];
export const HEIF_SEQUENCE_BRANDS = ['msf1', 'hevc', 'hevx', 'hevm', 'hevs', 'avis'];

/**
 * The share of an ISO file (HEIC) that is missing: the last box claims bytes past the end. 0 when
 * whole. libheif decodes a HEIC cut short without a word (its missing tiles come out grey), so the
 * boxes are measured first.
 */
export function missingShare(data: Buffer): number {
  let at = 0;
  while (at + 8 <= data.length) {
    let size = data.readUInt32BE(at);
    if (size === 1 && at + 16 <= data.length) size = Number(data.readBigUInt64BE(at + 8));
    if (size === 0) return 0; // the box runs to the end of the file, whatever its length
    if (size < 8) return 0; // not a box: left to the decoder to refuse
    at += size;
  }
  return at > data.length ? (at - data.length) / at : 0;
}

/** An ICC profile's description (`sRGB IEC61966-2.1`, `Display P3`), when it has a readable one. */
export function iccDescription(icc: Buffer): string | undefined {
  try {
    const count = icc.readUInt32BE(128);
    for (let index = 0; index < count; index += 1) {
      const entry = 132 + index * 12;
      if (icc.toString('latin1', entry, entry + 4) !== 'desc') continue;
      const tag = icc.subarray(icc.readUInt32BE(entry + 4), icc.readUInt32BE(entry + 4) + icc.readUInt32BE(entry + 8));
      const type = tag.toString('latin1', 0, 4);
      // ICC v2 holds ASCII; v4 a table of UTF-16BE strings, the first taken.
      if (type === 'desc')
        return tag
          .toString('latin1', 12, 12 + tag.readUInt32BE(8))
          .replace(/\0[\s\S]*$/, '')
          .trim();
      if (type === 'mluc' && tag.readUInt32BE(8) > 0) {
        const text = Buffer.from(
          tag.subarray(tag.readUInt32BE(24), tag.readUInt32BE(24) + (tag.readUInt32BE(20) & ~1)),
        );
        return text
          .swap16()
          .toString('utf16le')
          .replace(/\0[\s\S]*$/, '')
          .trim();
      }
    }
  } catch {
    // A profile too short for its own table: no description.
  }
  return undefined;
}

export function isSrgbProfile(description: string | undefined): boolean {
  return description !== undefined && /\bsRGB\b|IEC ?61966-2[.-]1/i.test(description);
}

/** Why decoded pixels show nothing, or undefined when they do: wholly transparent, or one flat colour. */
export function blankness(span: PixelSpan): string | undefined {
  const alpha = span.hasAlpha ? span.channels.at(-1) : undefined;
  if (alpha?.max === 0) return 'fully transparent';
  if (!span.channels.every(({ min, max }) => max - min <= FLAT_TOLERANCE)) return undefined;
  const colour = span.channels
    .slice(0, span.hasAlpha ? -1 : undefined)
    .map(({ min, max }) => Math.round((min + max) / 2));
  const rgb = colour.length >= 3 ? colour.slice(0, 3) : [colour[0], colour[0], colour[0]];
  return `one flat colour (#${rgb
    .map((value) => (value ?? 0).toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase()})`;
}
