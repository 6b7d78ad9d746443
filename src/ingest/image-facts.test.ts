import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { pixels } from '../test/image-fixtures.js';
import { blankness, iccDescription, isCutShort, isSrgbProfile, privateBlocks } from './image-facts.js';

const still = (format: 'jpeg' | 'png' | 'gif'): Promise<Buffer> =>
  sharp(pixels(64, 48), { raw: { width: 64, height: 48, channels: 4 } })
    .toFormat(format)
    .toBuffer();

/** A PNG chunk (its CRC left zero: only the walk reads it here). */
const chunk = (type: string, body: string): Buffer => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, Buffer.from(type + body, 'latin1'), Buffer.alloc(4)]);
};

describe('privateBlocks', () => {
  it('finds nothing in what sharp writes, and names EXIF, comments, XMP, C2PA and trailing bytes where they are', async () => {
    for (const format of ['jpeg', 'png', 'gif'] as const)
      expect(privateBlocks(await still(format), format), format).toEqual([]);

    const jpeg = await still('jpeg');
    const withExif = await sharp(jpeg)
      .withExif({ IFD0: { Model: 'Pixel 7' } })
      .jpeg()
      .toBuffer();
    expect(privateBlocks(withExif, 'jpeg')).toEqual(['EXIF']);
    const withXmp = await sharp(jpeg)
      .withXmp(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>',
      )
      .jpeg()
      .toBuffer();
    expect(privateBlocks(withXmp, 'jpeg')).toEqual(['XMP']);
    const comment = Buffer.concat([
      jpeg.subarray(0, 2),
      Buffer.from([0xff, 0xfe, 0x00, 0x10]),
      Buffer.from('Created w GIMP', 'latin1'),
      jpeg.subarray(2),
    ]);
    expect(privateBlocks(comment, 'jpeg')).toEqual(['a comment']);
    expect(privateBlocks(Buffer.concat([jpeg, Buffer.from('ftypmp42 a motion photo')]), 'jpeg')).toEqual([
      'data after the image',
    ]);

    const png = await still('png');
    const tagged = Buffer.concat([
      png.subarray(0, 33),
      chunk('tEXt', 'Software\0Adobe Photoshop'),
      chunk('caBX', 'jumb'),
      png.subarray(33),
    ]);
    expect(privateBlocks(tagged, 'png')).toEqual(['text', 'C2PA credentials']);

    const gif = await still('gif');
    const trailer = gif.length - 1;
    const gifComment = Buffer.concat([
      gif.subarray(0, trailer),
      Buffer.from([0x21, 0xfe, 0x05]),
      Buffer.from('hello'),
      Buffer.from([0x00, 0x3b]),
    ]);
    expect(privateBlocks(gifComment, 'gif')).toEqual(['a comment']);
  });

  it('tells a file cut short from a whole one by its structure', async () => {
    for (const format of ['jpeg', 'png', 'gif'] as const) {
      const whole = await still(format);
      expect(isCutShort(whole, format), format).toBe(false);
      expect(isCutShort(whole.subarray(0, whole.length - 20), format), format).toBe(true);
    }
  });
});

describe('colour profiles and blank pictures', () => {
  it('reads a profile’s description, v2 and v4', async () => {
    const p3 = (
      await sharp(await still('png'))
        .withIccProfile('p3')
        .png()
        .toBuffer()
        .then((data) => sharp(data).metadata())
    ).icc;
    const srgb = (
      await sharp(await still('png'))
        .withIccProfile('srgb')
        .png()
        .toBuffer()
        .then((data) => sharp(data).metadata())
    ).icc;
    expect(iccDescription(p3 ?? Buffer.alloc(0))).toMatch(/P3/);
    expect(isSrgbProfile(iccDescription(p3 ?? Buffer.alloc(0)))).toBe(false);
    expect(isSrgbProfile(iccDescription(srgb ?? Buffer.alloc(0)))).toBe(true);
    expect(iccDescription(Buffer.alloc(10))).toBeUndefined();
  });

  it('calls wholly transparent or one-colour pixels blank, and a single mark on a flat ground not', () => {
    expect(
      blankness({
        hasAlpha: true,
        channels: [
          { min: 0, max: 255 },
          { min: 0, max: 255 },
          { min: 0, max: 255 },
          { min: 0, max: 0 },
        ],
      }),
    ).toBe('fully transparent');
    expect(
      blankness({
        hasAlpha: false,
        channels: [
          { min: 250, max: 255 },
          { min: 250, max: 255 },
          { min: 250, max: 255 },
        ],
      }),
    ).toBe('one flat colour (#FDFDFD)');
    expect(
      blankness({
        hasAlpha: false,
        channels: [
          { min: 0, max: 255 },
          { min: 250, max: 255 },
          { min: 250, max: 255 },
        ],
      }),
    ).toBeUndefined();
  });
});
