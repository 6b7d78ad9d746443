/**
 * Raw RGBA pixels and their ICC profile as one uncompressed TIFF. sharp takes raw pixels but no
 * profile with them; a TIFF carries both, so a decoded HEIC (in Display P3 on an iPhone) is
 * converted to sRGB through its own profile, like any other photo. Little-endian, one strip.
 */
export function rgbaTiff(
  pixels: { readonly data: Buffer; readonly width: number; readonly height: number },
  icc: Buffer | undefined,
): Buffer {
  const { data, width, height } = pixels;
  const SHORT = 3;
  const LONG = 4;
  const UNDEFINED = 7;
  // [tag, type, count, value or 'where'], in ascending tag order as TIFF requires.
  const entries: [number, number, number, number | 'bits' | 'pixels' | 'icc'][] = [
    [256, LONG, 1, width],
    [257, LONG, 1, height],
    [258, SHORT, 4, 'bits'],
    [259, SHORT, 1, 1], // no compression
    [262, SHORT, 1, 2], // RGB
    [273, LONG, 1, 'pixels'],
    [277, SHORT, 1, 4], // samples per pixel
    [278, LONG, 1, height], // one strip
    [279, LONG, 1, data.length],
    [284, SHORT, 1, 1], // interleaved
    [338, SHORT, 1, 2], // the fourth sample is unassociated alpha
    ...(icc ? [[34675, UNDEFINED, icc.length, 'icc'] as [number, number, number, 'icc']] : []),
  ];
  const ifdAt = 8;
  const bitsAt = ifdAt + 2 + entries.length * 12 + 4;
  const iccAt = bitsAt + 8;
  const pixelsAt = iccAt + (icc ? icc.length + (icc.length % 2) : 0);
  const head = Buffer.alloc(pixelsAt);
  head.write('II', 0, 'latin1');
  head.writeUInt16LE(42, 2);
  head.writeUInt32LE(ifdAt, 4);
  head.writeUInt16LE(entries.length, ifdAt);
  const where = { bits: bitsAt, pixels: pixelsAt, icc: iccAt };
  entries.forEach(([tag, type, count, value], index) => {
    const at = ifdAt + 2 + index * 12;
    const number = typeof value === 'number' ? value : where[value];
    head.writeUInt16LE(tag, at);
    head.writeUInt16LE(type, at + 2);
    head.writeUInt32LE(count, at + 4);
    if (type === SHORT && count === 1) head.writeUInt16LE(number, at + 8);
    else head.writeUInt32LE(number, at + 8);
  });
  for (let sample = 0; sample < 4; sample += 1) head.writeUInt16LE(8, bitsAt + sample * 2);
  icc?.copy(head, iccAt);
  return Buffer.concat([head, data]);
}
