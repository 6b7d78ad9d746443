import type { ImageRender } from '../media/media.repository.js';

/**
 * Encodings to try, best quality first, until one fits the byte limit. PNG stays PNG: lossless,
 * then palette PNG with fewer colours; JPEG lowers its quality.
 */
export function encodingLadder(format: 'png' | 'jpeg'): ImageRender[] {
  if (format === 'png') {
    return [
      { format: 'png', formatOptions: { compressionLevel: 9, adaptiveFiltering: true } },
      ...[100, 90, 80, 70].map((quality) => ({
        format: 'png' as const,
        formatOptions: { palette: true, quality, effort: 7, compressionLevel: 9 },
      })),
      ...[128, 64, 32, 16].map((colours) => ({
        format: 'png' as const,
        formatOptions: { palette: true, colours, dither: 1, effort: 7, compressionLevel: 9 },
      })),
    ];
  }
  return [90, 85, 75, 65, 50].map((quality) => ({
    format: 'jpeg' as const,
    formatOptions: { quality, mozjpeg: false },
  }));
}

/** Tries each encoding in turn and returns the first that fits, or undefined when none does. */
export async function firstThatFits(
  encode: (render: ImageRender, rung: number) => Promise<Buffer>,
  ladder: readonly ImageRender[],
  maxBytes: number,
): Promise<{ data: Buffer; render: ImageRender } | undefined> {
  for (const [rung, render] of ladder.entries()) {
    const data = await encode(render, rung);
    if (data.length <= maxBytes) return { data, render };
  }
  return undefined;
}
