import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ToolMissingError } from '../core/errors.js';
import { StorageRepository } from '../store/storage.repository.js';
import { MediaRepository, type FfmpegBinaries } from './media.repository.js';

const run = promisify(execFile);

const INSTALL_HINT =
  'Install it (Debian/Ubuntu: sudo apt-get install -y ffmpeg; macOS: brew install ffmpeg), or set FFMPEG_PATH (and FFPROBE_PATH) to the binaries.';

/** Finds ffmpeg: `FFMPEG_PATH`, then `PATH`. ffprobe: `FFPROBE_PATH`, then beside ffmpeg, then `PATH`. */
export function locateFfmpeg(
  options: { ffmpegPath?: string | undefined; ffprobePath?: string | undefined },
  searchPath = process.env.PATH ?? '',
  storage = new StorageRepository(),
): FfmpegBinaries {
  const isExecutable = (file: string): boolean => storage.isExecutable(file);
  const findOnPath = (name: string): string | undefined => {
    const extensions = process.platform === 'win32' ? ['.exe', ''] : [''];
    const dirs = searchPath.split(path.delimiter).filter(Boolean);
    return dirs.flatMap((dir) => extensions.map((ext) => path.join(dir, name + ext))).find(isExecutable);
  };
  const ffmpeg = options.ffmpegPath ?? findOnPath('ffmpeg');
  if (!ffmpeg || !isExecutable(ffmpeg)) {
    throw new ToolMissingError(
      options.ffmpegPath
        ? `FFMPEG_PATH "${options.ffmpegPath}" is not an executable file`
        : 'ffmpeg was not found on PATH',
      { hint: INSTALL_HINT },
    );
  }
  const sibling = path.join(path.dirname(ffmpeg), `ffprobe${path.extname(ffmpeg)}`);
  const ffprobe = options.ffprobePath ?? (isExecutable(sibling) ? sibling : findOnPath('ffprobe'));
  if (!ffprobe || !isExecutable(ffprobe)) {
    throw new ToolMissingError(
      options.ffprobePath
        ? `FFPROBE_PATH "${options.ffprobePath}" is not an executable file`
        : 'ffprobe was not found beside ffmpeg or on PATH',
      { hint: INSTALL_HINT },
    );
  }
  return { ffmpeg, ffprobe };
}

/** Runs both once and checks that ffmpeg can encode H.264, which native videos need. */
export async function verifyFfmpeg(binaries: FfmpegBinaries): Promise<void> {
  for (const binary of [binaries.ffmpeg, binaries.ffprobe]) {
    try {
      await run(binary, ['-version'], { timeout: 15_000 });
    } catch (error) {
      throw new ToolMissingError(`${binary} does not run (${(error as Error).message.split('\n')[0]})`, {
        hint: INSTALL_HINT,
        cause: error,
      });
    }
  }
  const { stdout } = await run(binaries.ffmpeg, ['-hide_banner', '-encoders'], { timeout: 15_000, maxBuffer: 4 << 20 });
  if (!/\blibx264\b/.test(stdout)) {
    throw new ToolMissingError(`${binaries.ffmpeg} has no libx264 encoder`, {
      hint: "Install a build of ffmpeg with libx264, such as Debian's ffmpeg package.",
    });
  }
}

/** Where ffmpeg is, and how the media adapter is to use it. */
export interface MediaSettings {
  readonly ffmpegPath?: string | undefined;
  readonly ffprobePath?: string | undefined;
  /** Decoded pixels above this are refused (image bombs). */
  readonly maxImagePixels?: number;
  /** libvips threads per image. */
  readonly sharpThreads?: number;
}

/** The media adapter on this machine's ffmpeg; throws {@link ToolMissingError} with an install hint. */
export function openMedia(settings: MediaSettings = {}): MediaRepository {
  return new MediaRepository(
    locateFfmpeg(settings),
    settings.maxImagePixels ?? 100_000_000,
    settings.sharpThreads ?? 1,
  );
}
