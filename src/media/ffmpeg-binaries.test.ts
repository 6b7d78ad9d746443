import { describe, expect, it } from 'vitest';
import { ToolMissingError } from '../core/errors.js';
import { locateFfmpeg } from './ffmpeg-binaries.js';

// Finding the real ffmpeg and running it is in ffmpeg-binaries.integration.test.ts.
describe('locateFfmpeg', () => {
  it('prefers FFMPEG_PATH, and says how to install when it is wrong', () => {
    expect(() => locateFfmpeg({ ffmpegPath: '/nowhere/ffmpeg' })).toThrow(ToolMissingError);
    expect(() => locateFfmpeg({ ffmpegPath: '/nowhere/ffmpeg' })).toThrow(/FFMPEG_PATH "\/nowhere\/ffmpeg"/);
  });

  it('says how to install it when PATH has none', () => {
    try {
      locateFfmpeg({}, '/nowhere');
      expect.unreachable();
    } catch (error) {
      expect((error as ToolMissingError).plain).toMatch(
        /ffmpeg was not found on PATH\. Install it \(Debian\/Ubuntu: sudo apt-get install -y ffmpeg/,
      );
    }
  });
});
