import ffmpeg from 'fluent-ffmpeg';
import sharp, { type FormatEnum, type Metadata, type Sharp } from 'sharp';

/** Paths of the two binaries, found by `locateFfmpeg`. */
export interface FfmpegBinaries {
  readonly ffmpeg: string;
  readonly ffprobe: string;
}

/** What ffprobe reports, reduced to what the stages read. */
export interface ProbedContainer {
  readonly formatName: string;
  readonly durationSec: number | undefined;
  readonly streams: readonly ProbedStream[];
}

export interface ProbedStream {
  readonly type: 'video' | 'audio' | 'other';
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  readonly durationSec: number | undefined;
  /** Cover art in an audio file shows up as a video stream with this flag. */
  readonly attachedPicture: boolean;
}

export interface FfmpegJob {
  readonly input: string;
  /** Arguments as arrays, each one word: nothing passes through a shell. */
  readonly inputOptions?: readonly string[];
  /** One or more outputs, all fed by a single read and decode of the input. */
  readonly outputs: readonly FfmpegOutput[];
}

export interface FfmpegOutput {
  readonly path: string;
  readonly options: readonly string[];
}

export class FfmpegFailedError extends Error {
  constructor(
    readonly stderrTail: string,
    readonly killed: boolean,
  ) {
    super(killed ? 'ffmpeg was stopped' : `ffmpeg failed: ${stderrTail}`);
    this.name = 'FfmpegFailedError';
  }
}

/** Decoded pixels, held once so that several encodings can be tried without decoding again. */
export interface RawImage {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 2 | 3 | 4;
}

export type ImageInput = string | Buffer | RawImage;

export interface ImageRender {
  readonly resize?: { readonly width: number; readonly height: number; readonly fit: 'inside' | 'cover' };
  readonly format: keyof FormatEnum;
  readonly formatOptions?: Record<string, unknown>;
  readonly animated?: boolean;
}

/**
 * ffmpeg (through fluent-ffmpeg) and sharp, and nothing else: the stages decide what to ask for.
 * fluent-ffmpeg is archived upstream; this file is the only one that knows it.
 */
export class MediaRepository {
  constructor(
    private readonly binaries: FfmpegBinaries,
    /** Decoded-pixel ceiling handed to sharp, so an image bomb fails instead of eating memory. */
    private readonly maxImagePixels: number,
    /**
     * Threads per job, for libvips and for ffmpeg's decoder and encoder: the cores shared by the
     * jobs run at once. ffmpeg's default (a thread per core, each job) makes jobs run side by side
     * fight for the cores: two single-threaded encodes at once finish 20 native videos 20% sooner
     * than one after another with every core each (`npm run bench -- pipeline`).
     */
    private readonly threadsPerJob = 1,
  ) {
    // A daemon converting thousands of distinct files gains nothing from sharp's cache but memory.
    sharp.cache(false);
    sharp.concurrency(threadsPerJob);
  }

  probe(file: string): Promise<ProbedContainer> {
    return new Promise((resolve, reject) => {
      const command = ffmpeg();
      command.setFfprobePath(this.binaries.ffprobe);
      command.input(file).ffprobe(['-v', 'error'], (error: Error | null, data: ffmpeg.FfprobeData) => {
        if (error) return reject(new FfmpegFailedError(plainMessage(error.message, file), false));
        resolve({
          formatName: data.format.format_name ?? '',
          durationSec: finiteOrUndefined(data.format.duration),
          streams: data.streams.map((stream) => ({
            type: stream.codec_type === 'video' || stream.codec_type === 'audio' ? stream.codec_type : 'other',
            codec: stream.codec_name ?? '',
            width: stream.width ?? 0,
            height: stream.height ?? 0,
            durationSec: finiteOrUndefined(stream.duration),
            attachedPicture: stream.disposition?.attached_pic === 1,
          })),
        });
      });
    });
  }

  /** Runs one ffmpeg job; aborting the signal kills ffmpeg. */
  runFfmpeg(job: FfmpegJob, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new FfmpegFailedError('', true));
      const command = ffmpeg({ stdoutLines: 0 })
        .setFfmpegPath(this.binaries.ffmpeg)
        .input(job.input)
        // A -filter_complex graph takes its threads from its own (global) option, every core by default.
        .inputOptions(['-nostdin', '-threads', String(this.threadsPerJob), '-filter_complex_threads', String(this.threadsPerJob), ...(job.inputOptions ?? [])]);
      for (const output of job.outputs) command.output(output.path).outputOptions(['-threads', String(this.threadsPerJob), ...output.options]);
      let killed = false;
      const onAbort = (): void => {
        killed = true;
        command.kill('SIGKILL');
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      command
        .on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
          signal?.removeEventListener('abort', onAbort);
          reject(new FfmpegFailedError(plainMessage(stderr || error.message, job.input), killed));
        })
        .on('end', () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        })
        .run();
    });
  }

  /** Reads the header only: an image bomb is measured here without being decoded. */
  imageMetadata(file: string): Promise<Metadata> {
    return sharp(file, { limitInputPixels: false }).metadata();
  }

  imageMetadataOf(data: Buffer): Promise<Metadata> {
    return sharp(data).metadata();
  }

  /** Decodes the whole image once, failing on corrupt or truncated data. */
  async checkImageDecodes(file: string): Promise<void> {
    await sharp(file, { limitInputPixels: this.maxImagePixels, failOn: 'error', animated: true }).stats();
  }

  /** Decodes (and shrinks, when asked) once, to raw pixels for {@link renderImageToBuffer}. */
  async decodeImage(input: string, resize?: ImageRender['resize']): Promise<RawImage> {
    let image = sharp(input, { limitInputPixels: this.maxImagePixels, failOn: 'error' });
    if (resize) image = image.resize(resize.width, resize.height, { fit: resize.fit, withoutEnlargement: resize.fit === 'inside' });
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  }

  renderImageToBuffer(input: ImageInput, render: ImageRender): Promise<Buffer> {
    return this.pipelineFor(input, render).toBuffer();
  }

  private pipelineFor(input: ImageInput, render: ImageRender): Sharp {
    const options = { limitInputPixels: this.maxImagePixels, failOn: 'error' as const, animated: render.animated ?? false };
    let image =
      typeof input === 'string' || Buffer.isBuffer(input)
        ? sharp(input, options)
        : sharp(input.data, { ...options, raw: { width: input.width, height: input.height, channels: input.channels } });
    if (render.resize) image = image.resize(render.resize.width, render.resize.height, { fit: render.resize.fit, withoutEnlargement: render.resize.fit === 'inside' });
    return image.toFormat(render.format, render.formatOptions);
  }
}

function finiteOrUndefined(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) && number > 0 ? number : undefined;
}

/**
 * ffmpeg's last few error lines, without its banner, component tags (`[mov,mp4 @ 0x…]`) or the
 * input's absolute path, so they read well in a reason column.
 */
function plainMessage(text: string, file: string, lines = 3): string {
  const kept = text
    .split('\n')
    .map((line) => line.replaceAll(`${file}: `, '').replace(/^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/, '').trim())
    .filter((line) => line !== '' && !/^(ffprobe|ffmpeg) (exited|version)|^(lib\w+|built with|configuration:)/.test(line));
  return [...new Set(kept)].slice(-lines).join('; ').slice(0, 400);
}
