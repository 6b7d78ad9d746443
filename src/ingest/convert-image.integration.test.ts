import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { TJ_PROFILE } from '../config/profile.js';
import { BadInputError } from '../core/errors.js';
import { Layout } from '../core/layout.js';
import { createLogger } from '../core/logger.js';
import type { CreativeRecord } from '../core/record.js';
import { locateFfmpeg } from '../media/ffmpeg-binaries.js';
import { MediaRepository } from '../media/media.repository.js';
import { CreativeRepository } from '../store/creative.repository.js';
import { StorageRepository } from '../store/storage.repository.js';
import { sha256, tempRoot } from '../test/fixtures.js';
import {
  makeAnimation,
  makePhoto,
  meanColour,
  outputFacts,
  pixels,
  sharedHeic,
  SHARED_HEIC,
} from '../test/image-fixtures.js';
import type { StageContext } from './context.js';
import { convert } from './convert.js';
import { probe } from './probe.js';

const heic = await sharedHeic();
if (!heic) console.log(`Skipping the HEIC tests: ${SHARED_HEIC} is not there (a clone without ../shared).`);

const run = promisify(execFile);

async function context(profile = TJ_PROFILE): Promise<StageContext> {
  const layout = new Layout(await tempRoot());
  const storage = new StorageRepository();
  await storage.ensureDir(layout.inbox);
  const media = new MediaRepository(locateFfmpeg({}), profile.input.maxImagePixels);
  return {
    layout,
    profile,
    storage,
    media,
    creatives: await CreativeRepository.open(layout.db, storage),
    log: createLogger({ level: 'silent', pretty: false }),
    signal: new AbortController().signal,
  };
}

/** Probes, names and converts one file of inbox/; the record, or the error that stopped it. */
async function converted(ctx: StageContext, file: string): Promise<CreativeRecord> {
  const stat = await ctx.storage.stat(file);
  const discovered: CreativeRecord = {
    key: 'c0',
    state: 'discovered',
    source: { path: ctx.layout.rel(file), size: stat?.size ?? 0, mtimeMs: stat?.mtimeMs ?? 0 },
    attempts: 0,
    times: {},
  };
  const probed = await probe(discovered, ctx);
  const named = {
    ...probed,
    state: 'named' as const,
    naming: {
      id: 'ABCDEF01',
      tokens: {
        language: 'EN',
        category: 'C',
        modelSex: 'F',
        style: 'Real',
        rating: 'NSFW',
        description: 'D',
        creator: 'X',
      },
      review: [],
    },
  };
  return convert(named, ctx);
}

async function failure(ctx: StageContext, file: string): Promise<BadInputError> {
  const error = await converted(ctx, file).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(BadInputError);
  return error as BadInputError;
}

/** Where, along the middle row, a sample gradient's bright green band is centred. */
async function bandColumn(file: string): Promise<number> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const row = Math.floor(info.height / 2) * info.width * 3;
  const bright = Array.from({ length: info.width }, (_, x) => x).filter((x) => (data[row + x * 3 + 1] ?? 0) > 128);
  return Math.round(bright.reduce((sum, x) => sum + x, 0) / Math.max(1, bright.length));
}

function creativeOf(ctx: StageContext, record: CreativeRecord): string {
  const creative = record.outputs?.find((output) => output.role === 'creative');
  if (!creative) throw new Error('No creative was made');
  return ctx.layout.abs(creative.path);
}

describe('image creatives: upright, sRGB, 8-bit, and nothing private', () => {
  it('turns a phone photo stored 4032×3024 with EXIF orientation 6 upright, once, and drops its GPS, camera and editor tags', async () => {
    const ctx = await context();
    const source = await makePhoto(path.join(ctx.layout.inbox, 'pixel.jpg'), {
      width: 4032,
      height: 3024,
      orientation: 6,
      private: true,
    });
    expect(await outputFacts(source)).toMatchObject({
      width: 4032,
      height: 3024,
      orientation: 6,
      gps: true,
      camera: true,
    });
    const record = await converted(ctx, source);
    expect(record.media).toMatchObject({ width: 3024, height: 4032 });
    const out = await outputFacts(creativeOf(ctx, record));
    expect(out).toMatchObject({
      format: 'jpeg',
      width: 1440,
      height: 1920,
      orientation: undefined,
      exif: false,
      gps: false,
      camera: false,
      icc: false,
    });
    // Turned clockwise: the stored picture's left edge (no red) is now its top.
    const strip = async (top: number): Promise<number> => {
      const red = await sharp(creativeOf(ctx, record))
        .extract({ left: 0, top, width: 1440, height: 100 })
        .extractChannel(0)
        .raw()
        .toBuffer();
      return red.reduce((sum, value) => sum + value, 0) / red.length;
    };
    expect(await strip(0)).toBeLessThan(30);
    expect(await strip(1820)).toBeGreaterThan(220);
    // The ORG_ original is the source as it came, tags and all.
    const original = record.outputs?.find((output) => output.role === 'original');
    expect(original).toMatchObject({ converted: false, width: 3024, height: 4032 });
    expect(await outputFacts(source)).toMatchObject({ gps: true, orientation: 6 });
  });

  it('re-encodes a photo that fits the limits when it carries EXIF, and passes a clean one through byte for byte', async () => {
    const ctx = await context();
    const tagged = await converted(ctx, await makePhoto(path.join(ctx.layout.inbox, 'tagged.jpg'), { private: true }));
    expect(tagged.outputs?.find((output) => output.role === 'creative')).toMatchObject({
      converted: true,
      format: 'jpeg',
      width: 400,
      height: 300,
    });
    expect(await outputFacts(creativeOf(ctx, tagged))).toMatchObject({ exif: false, gps: false });
    expect(tagged.notes?.join(' ')).toMatch(/removed EXIF/);

    // An editor's XMP in a PNG: re-encoded, still a lossless PNG, without it.
    const edited = path.join(ctx.layout.inbox, 'edited.png');
    await sharp(await fs.readFile(await makePhoto(path.join(ctx.layout.tmp, 'plain.png'), { format: 'png' })))
      .withXmp(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Adobe Photoshop 25.0"/></rdf:RDF></x:xmpmeta>',
      )
      .png()
      .toFile(edited);
    expect((await sharp(edited).metadata()).xmp).toBeDefined();
    const fromEditor = await converted(ctx, edited);
    expect(fromEditor.outputs?.find((output) => output.role === 'creative')).toMatchObject({
      converted: true,
      format: 'png',
    });
    expect((await sharp(creativeOf(ctx, fromEditor)).metadata()).xmp).toBeUndefined();
    expect(fromEditor.notes?.join(' ')).toMatch(/removed text/);

    const cleanFile = await makePhoto(path.join(ctx.layout.inbox, 'clean.png'), { format: 'png' });
    const hash = await sha256(cleanFile);
    const clean = await converted(ctx, cleanFile);
    expect(clean.outputs).toHaveLength(1);
    expect(clean.outputs?.[0]).toMatchObject({ role: 'creative', converted: false });
    expect(clean.notes).toEqual(['passed through unchanged: nothing in it to strip or fix']);
    expect(await sha256(cleanFile)).toBe(hash);
  });

  it('converts a CMYK JPEG that fits the limits to sRGB, a 16-bit PNG to 8 bits, and Display P3 through its profile', async () => {
    const ctx = await context();
    const cmyk = await makePhoto(path.join(ctx.layout.inbox, 'print.jpg'), { colour: 'cmyk' });
    expect(await outputFacts(cmyk)).toMatchObject({ space: 'cmyk', channels: 4 });
    const fromCmyk = await converted(ctx, cmyk);
    expect(await outputFacts(creativeOf(ctx, fromCmyk))).toMatchObject({
      format: 'jpeg',
      space: 'srgb',
      channels: 3,
      icc: false,
    });
    expect(fromCmyk.notes?.join(' ')).toMatch(/CMYK to sRGB/);

    const reference = await meanColour(await makePhoto(path.join(ctx.layout.tmp, 'reference.png'), { format: 'png' }));
    for (const colour of ['rgb16', 'p3-16', 'p3'] as const) {
      const file = await makePhoto(path.join(ctx.layout.inbox, `${colour}.png`), { format: 'png', colour });
      const record = await converted(ctx, file);
      const out = creativeOf(ctx, record);
      expect(await outputFacts(out), colour).toMatchObject({
        format: 'png',
        depth: 'uchar',
        space: 'srgb',
        icc: false,
      });
      // The same colours as the sRGB original, not P3 values shown as sRGB (duller by 10 or more).
      const mean = await meanColour(out);
      mean.forEach((value, channel) =>
        expect(Math.abs(value - (reference[channel] ?? 0)), `${colour} channel ${channel}`).toBeLessThanOrEqual(3),
      );
    }
  });

  it('keeps transparency in a PNG it re-encodes', async () => {
    const ctx = await context();
    const record = await converted(
      ctx,
      await makePhoto(path.join(ctx.layout.inbox, 'logo.webp'), { format: 'webp', fill: 'cutout' }),
    );
    expect(await outputFacts(creativeOf(ctx, record))).toMatchObject({ format: 'png', channels: 4 });
    expect((await sharp(creativeOf(ctx, record)).stats()).channels[3]).toMatchObject({ min: 0, max: 255 });
  });
});

describe('images that cannot be creatives', () => {
  it('sets aside a tracking pixel, a fully transparent image and one of one flat colour, each with its reason', async () => {
    const ctx = await context();
    const pixel = path.join(ctx.layout.inbox, 'pixel.png');
    await sharp(pixels(1, 1, 'transparent'), { raw: { width: 1, height: 1, channels: 4 } })
      .png()
      .toFile(pixel);
    expect((await failure(ctx, pixel)).plain).toMatch(
      /The image is 1×1 pixels, under the 50×50 minimum: too small to be a creative/,
    );
    const clear = await failure(
      ctx,
      await makePhoto(path.join(ctx.layout.inbox, 'clear.png'), { format: 'png', fill: 'transparent' }),
    );
    expect(clear.plain).toMatch(/The image shows nothing: it is fully transparent/);
    expect(clear.hint).not.toMatch(/complete/);
    expect(
      (await failure(ctx, await makePhoto(path.join(ctx.layout.inbox, 'flat.jpg'), { fill: 'flat' }))).plain,
    ).toMatch(/one flat colour \(#C81E3[BCD]\)/);
  });

  it('words a broken image plainly, with the library’s text after, and asks for a complete copy only of a file cut short', async () => {
    const ctx = await context();
    const whole = await fs.readFile(
      await makePhoto(path.join(ctx.layout.tmp, 'whole.jpg'), { width: 800, height: 600 }),
    );
    await fs.writeFile(path.join(ctx.layout.inbox, 'cut.jpg'), whole.subarray(0, Math.floor(whole.length * 0.6)));
    const cut = await failure(ctx, path.join(ctx.layout.inbox, 'cut.jpg'));
    expect(cut.message).toMatch(/^The image file is cut short: it ends before its last pixels \(libvips: .+\)$/);
    expect(cut.hint).toMatch(/complete copy/);
    // libpng says "read error" of a PNG cut short and of a garbled one alike: the file's chunks tell them apart.
    const png = await fs.readFile(
      await makePhoto(path.join(ctx.layout.tmp, 'whole.png'), { format: 'png', width: 800, height: 600 }),
    );
    await fs.writeFile(path.join(ctx.layout.inbox, 'cut.png'), png.subarray(0, Math.floor(png.length * 0.6)));
    const cutPng = await failure(ctx, path.join(ctx.layout.inbox, 'cut.png'));
    expect(cutPng.plain).toMatch(
      /^The image file is cut short: it ends before its last pixels \(libvips: vipspng: libpng read error\) \(inbox\/cut\.png\)\. Replace it with a complete copy/,
    );
    const garbled = Buffer.from(png);
    garbled.fill(0x41, Math.floor(png.length * 0.4), Math.floor(png.length * 0.5));
    await fs.writeFile(path.join(ctx.layout.inbox, 'garbled.png'), garbled);
    const damaged = await failure(ctx, path.join(ctx.layout.inbox, 'garbled.png'));
    expect(damaged.message).toMatch(/^The image is damaged and cannot be decoded \(libvips: .*read error\)$/);
    expect(damaged.hint).toBe('Open it in an image editor, export it again as PNG or JPEG, and drop that.');
  });
});

describe('animated images: a still of the first frame that shows something', () => {
  it('takes the first frame that is not blank of a GIF, a WebP, an APNG and an AVIF sequence alike, and refuses an animation that never shows anything', async () => {
    const ctx = await context();
    for (const [format, extension, named] of [
      ['gif', 'gif', 'GIF'],
      ['webp', 'webp', 'WEBP'],
      ['apng', 'png', 'PNG'],
      ['avif', 'avif', 'AVIF'],
    ] as const) {
      const record = await converted(
        ctx,
        await makeAnimation(path.join(ctx.layout.inbox, `banner-${format}.${extension}`), {
          format,
          blank: 2,
          frames: 4,
        }),
      );
      expect(record.media, format).toMatchObject({ animated: true, width: 160, height: 120 });
      const out = creativeOf(ctx, record);
      expect(await outputFacts(out), format).toMatchObject({ pages: 1, width: 160, height: 120 });
      expect(record.naming?.review, format).toEqual([`animated ${named}: uploaded as a still of frame 3 of 6`]);
      expect((await sharp(out).stats()).isOpaque, format).toBe(true);
      // Frame 3 is the gradient whose bright band sits at x = 2·17 (a blank frame, or frame 1, would not have it there).
      expect(await bandColumn(out), format).toBe(34);
    }
    const blank = await failure(
      ctx,
      await makeAnimation(path.join(ctx.layout.inbox, 'nothing.gif'), { format: 'gif', blank: 3, frames: 0 }),
    );
    expect(blank.plain).toMatch(/Every frame of the animated GIF is blank \(fully transparent\)/);
    const blankApng = await failure(
      ctx,
      await makeAnimation(path.join(ctx.layout.inbox, 'nothing.png'), { format: 'apng', blank: 3, frames: 0 }),
    );
    expect(blankApng.plain).toMatch(/Every frame of the animated PNG is blank \(fully transparent\)/);
    // Garbled past its header: ffmpeg's words come after plain ones, and the advice fits a garbled file, not a cut one.
    const garbled = await makeAnimation(path.join(ctx.layout.inbox, 'garbled.avif'), {
      format: 'avif',
      blank: 2,
      frames: 40,
    });
    const bytes = await fs.readFile(garbled);
    for (let at = 2000; at < bytes.length; at += 7) bytes[at] = 0xff;
    await fs.writeFile(garbled, bytes);
    const refused = await failure(ctx, garbled);
    expect(refused.plain).toMatch(
      /The animation's frames cannot be decoded \(ffmpeg: .+\).*Export it as a GIF, or as a video/,
    );
    expect(refused.plain).not.toMatch(/complete copy/);
  });

  it('counts the frames of an APNG whose frames show for different times as they are stored, not as they play', async () => {
    const ctx = await context();
    // One blank frame held 2 s, then five that show something, 0.1 s each: played at a constant
    // rate, the blank frame would stand for twenty.
    const file = path.join(ctx.layout.inbox, 'held.png');
    const [blank, shown, list] = ['blank.png', 'shown.png', 'frames.txt'].map((name) =>
      path.join(ctx.layout.root, name),
    );
    await sharp(pixels(160, 120, 'transparent'), { raw: { width: 160, height: 120, channels: 4 } })
      .png()
      .toFile(blank ?? '');
    await sharp(pixels(160, 120, 'gradient'), { raw: { width: 160, height: 120, channels: 4 } })
      .png()
      .toFile(shown ?? '');
    const entries = [
      `file '${blank}'`,
      'duration 2',
      ...Array.from({ length: 5 }, () => [`file '${shown}'`, 'duration 0.1']).flat(),
    ];
    await fs.writeFile(list ?? '', `${entries.join('\n')}\n`);
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      list ?? '',
      '-fps_mode',
      'vfr',
      '-plays',
      '0',
      '-f',
      'apng',
      file,
    ]);
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-count_frames',
      '-show_entries',
      'stream=nb_read_frames',
      '-of',
      'csv=p=0',
      file,
    ]);
    const stored = Number(stdout.trim());
    expect(stored).toBeLessThanOrEqual(6);
    const record = await converted(ctx, file);
    expect(record.naming?.review).toEqual([`animated PNG: uploaded as a still of frame 2 of ${stored}`]);
    expect((await sharp(creativeOf(ctx, record)).stats()).isOpaque).toBe(true);
  });
});

describe.skipIf(!heic)('HEIC photos', () => {
  it('decodes an iPhone HEIC (a grid of HEVC tiles, irot 270) into an upright sRGB JPEG with no metadata, found by its content whatever its name', async () => {
    const ctx = await context();
    const file = path.join(ctx.layout.inbox, 'IMG_0001.jpg');
    await fs.copyFile(heic ?? '', file);
    const started = performance.now();
    const record = await converted(ctx, file);
    const seconds = (performance.now() - started) / 1000;
    expect(record.media).toMatchObject({ format: 'heic', width: 3024, height: 4032 });
    expect(record.outputs?.find((output) => output.role === 'creative')?.path).toMatch(/\.jpg$/);
    expect(record.outputs?.find((output) => output.role === 'original')?.path).toMatch(/ORG_.*\.heic$/);
    const out = await outputFacts(creativeOf(ctx, record));
    expect(out).toMatchObject({
      format: 'jpeg',
      width: 1440,
      height: 1920,
      space: 'srgb',
      exif: false,
      orientation: undefined,
      icc: false,
    });
    console.log(
      `HEIC fixture converted in ${seconds.toFixed(2)} s; main-thread RSS now ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
    );
  });

  it('refuses a HEIC cut short, and an oversized one from its header, in plain words', async () => {
    const ctx = await context();
    const whole = await fs.readFile(heic ?? '');
    await fs.writeFile(path.join(ctx.layout.inbox, 'cut.heic'), whole.subarray(0, 500_000));
    const cut = await failure(ctx, path.join(ctx.layout.inbox, 'cut.heic'));
    expect(cut.plain).toMatch(/The HEIC photo is cut short: 62% of it is missing/);
    const small = await context({ ...TJ_PROFILE, input: { ...TJ_PROFILE.input, maxImagePixels: 10_000_000 } });
    await fs.writeFile(path.join(small.layout.inbox, 'big.heic'), whole);
    expect((await failure(small, path.join(small.layout.inbox, 'big.heic'))).plain).toMatch(
      /claims 3024×4032 pixels \(12 megapixels\), over the 10-megapixel limit/,
    );
  });
});
