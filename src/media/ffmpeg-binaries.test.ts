import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ToolMissingError } from '../core/errors.js';
import { locateFfmpeg, verifyFfmpeg } from './ffmpeg-binaries.js';

describe('locateFfmpeg', () => {
  it('finds ffmpeg and ffprobe on PATH, and verifies they run with libx264', async () => {
    const binaries = locateFfmpeg({});
    expect(path.basename(binaries.ffmpeg)).toBe('ffmpeg');
    expect(path.basename(binaries.ffprobe)).toBe('ffprobe');
    await expect(verifyFfmpeg(binaries)).resolves.toBeUndefined();
  });

  it('prefers FFMPEG_PATH, and says how to install when it is wrong', () => {
    expect(() => locateFfmpeg({ ffmpegPath: '/nowhere/ffmpeg' })).toThrow(ToolMissingError);
    expect(() => locateFfmpeg({ ffmpegPath: '/nowhere/ffmpeg' })).toThrow(/FFMPEG_PATH "\/nowhere\/ffmpeg"/);
  });

  it('says how to install it when PATH has none', () => {
    try {
      locateFfmpeg({}, '/nowhere');
      expect.unreachable();
    } catch (error) {
      expect((error as ToolMissingError).plain).toMatch(/ffmpeg was not found on PATH\. Install it \(Debian\/Ubuntu: sudo apt-get install -y ffmpeg/);
    }
  });
});
