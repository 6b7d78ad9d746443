import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateFfmpeg, verifyFfmpeg } from './ffmpeg-binaries.js';

describe('locateFfmpeg', () => {
  it('finds ffmpeg and ffprobe on PATH, and verifies they run with libx264', async () => {
    const binaries = locateFfmpeg({});
    expect(path.basename(binaries.ffmpeg)).toBe('ffmpeg');
    expect(path.basename(binaries.ffprobe)).toBe('ffprobe');
    await expect(verifyFfmpeg(binaries)).resolves.toBeUndefined();
  });
});
