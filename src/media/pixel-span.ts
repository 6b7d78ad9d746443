/** What each channel of a decoded image spans (0–255), alpha last when there is one: enough to tell a blank image. */
export interface PixelSpan {
  readonly hasAlpha: boolean;
  readonly channels: readonly { readonly min: number; readonly max: number }[];
}

/** The span of each channel of interleaved RGBA pixels. */
export function spanOf(rgba: Buffer): PixelSpan {
  const channels = [0, 1, 2, 3].map(() => ({ min: 255, max: 0 }));
  for (let offset = 0; offset < rgba.length; offset += 4) {
    for (let channel = 0; channel < 4; channel += 1) {
      const value = rgba[offset + channel] ?? 0;
      const span = channels[channel];
      if (span && value < span.min) span.min = value;
      if (span && value > span.max) span.max = value;
    }
  }
  return { hasAlpha: true, channels };
}
