import path from 'node:path';
import type { StorageRepository } from '../store/storage.repository.js';
import type { MediaRepository } from './media.repository.js';

/** What a generated video looks like. */
export interface SampleVideo {
  /** Default 2. */
  readonly seconds?: number;
  /** Default 320×240. */
  readonly width?: number;
  readonly height?: number;
  /** A sine tone as AAC; default none. */
  readonly audio?: boolean;
  /** `libx264` (default), `mpeg4`… */
  readonly codec?: string;
  /** Moves the index to the front, as a streaming copy has it. */
  readonly faststart?: boolean;
  /** Shifts the pattern's hue and the tone, so two videos of the same shape differ in content. */
  readonly seed?: number;
}

/**
 * What a generated still looks like: the seed's colour, shaded from left to right, so it is small
 * and quick and still shows something (an image of one flat colour is refused as blank).
 */
export interface SampleImage {
  /** Default 120×90 (above the smallest size an image creative may have). */
  readonly width?: number;
  readonly height?: number;
  readonly format?: 'png' | 'jpeg' | 'webp';
  /** Picks the colour, so two images differ in content. */
  readonly seed?: number;
}

/**
 * Creatives made on the spot from ffmpeg's lavfi sources and sharp: for the demo, the benchmark and
 * the tests, so no media file is ever committed. Each writes `file` and returns it.
 */
export class SampleMedia {
  constructor(
    private readonly media: MediaRepository,
    private readonly storage: StorageRepository,
  ) {}

  async video(file: string, options: SampleVideo = {}): Promise<string> {
    const {
      seconds = 2,
      width = 320,
      height = 240,
      audio = false,
      codec = 'libx264',
      faststart = false,
      seed = 0,
    } = options;
    const picture = `testsrc2=size=${width}x${height}:rate=25,hue=h=${seed % 360}`;
    // One lavfi graph with two outputs carries both streams, so the job keeps a single input.
    const graph = audio ? `${picture}[out0];sine=frequency=${440 + seed}:sample_rate=44100[out1]` : picture;
    const encode =
      codec === 'libx264' ? ['-c:v', codec, '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'] : ['-c:v', codec];
    await this.lavfi(file, graph, [
      '-t',
      String(seconds),
      ...encode,
      ...(audio ? ['-c:a', 'aac'] : []),
      ...(faststart ? ['-movflags', '+faststart'] : []),
    ]);
    return file;
  }

  /** Random noise: its first frame does not compress, which forces the thumbnail's palette path. */
  async noiseVideo(file: string, seconds = 2): Promise<string> {
    await this.lavfi(file, 'nullsrc=size=1280x720:rate=25,geq=random(1)*255:128:128', [
      '-t',
      String(seconds),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
    ]);
    return file;
  }

  /** A sine tone with no picture. */
  async audio(file: string, seconds = 2): Promise<string> {
    await this.lavfi(file, 'sine=frequency=440', ['-t', String(seconds)]);
    return file;
  }

  async image(file: string, options: SampleImage = {}): Promise<string> {
    const { width = 120, height = 90, format = 'png', seed = 0 } = options;
    const colour = [seed % 256, Math.floor(seed / 256) % 256, Math.floor(seed / 65_536) % 256];
    const data = Buffer.alloc(width * height * 3);
    for (let offset = 0; offset < data.length; offset += 3) {
      const shade = Math.round((((offset / 3) % width) / width) * 64);
      data.set([colour[0] ?? 0, colour[1] ?? 0, ((colour[2] ?? 0) + shade) % 256], offset);
    }
    const encoded = await this.media.renderImageToBuffer({ data, width, height, channels: 3 }, { format });
    await this.storage.writeFileAtomic(file, encoded);
    return file;
  }

  private async lavfi(file: string, graph: string, outputOptions: string[]): Promise<void> {
    await this.storage.ensureDir(path.dirname(file));
    await this.media.runFfmpeg({ input: graph, inputIsGraph: true, outputs: [{ path: file, options: outputOptions }] });
  }
}
