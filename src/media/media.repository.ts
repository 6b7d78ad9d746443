import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import ffmpeg from 'fluent-ffmpeg';
import sharp, { type FormatEnum, type Metadata, type Sharp } from 'sharp';
import { decodeHeic } from './heic.js';
import { spanOf, type PixelSpan } from './pixel-span.js';
import { rgbaTiff } from './raw-tiff.js';

export { HeicDecodeError } from './heic.js';
export type { PixelSpan } from './pixel-span.js';

const execFileAsync = promisify(execFile);

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
  /** Width over height of one coded pixel (`sample_aspect_ratio`); 1 when square or unknown. */
  readonly sampleAspect: number;
  /** Degrees a player turns the picture by (the display matrix, or an old `rotate` tag), one of 0, 90, 180, 270. */
  readonly rotation: number;
  /** The transfer function (`smpte2084` for PQ, `arib-std-b67` for HLG); empty when untagged. */
  readonly colorTransfer: string;
}

export interface FfmpegJob {
  readonly input: string;
  /** The input is a lavfi filter graph (a test pattern we generate), not a file: no demuxer allow-list applies. */
  readonly inputIsGraph?: boolean;
  /** The input's duration, when known: the run's deadline grows with it (see {@link Deadlines}). */
  readonly inputSeconds?: number | undefined;
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
    /** Stopped by its stop signal (a shutdown), not failed. */
    readonly killed: boolean,
  ) {
    super(killed ? 'ffmpeg was stopped' : `ffmpeg failed: ${stderrTail}`);
    this.name = 'FfmpegFailedError';
  }
}

/** A run of ffprobe or ffmpeg passed its deadline and was killed: a stuck tool or a crafted file, not a shutdown. */
export class FfmpegTimedOutError extends FfmpegFailedError {
  constructor(
    readonly tool: 'ffprobe' | 'ffmpeg',
    readonly deadlineMs: number,
  ) {
    super(`${tool} was still running after ${Math.round(deadlineMs / 1000)} s and was stopped`, false);
    this.name = 'FfmpegTimedOutError';
  }
}

/** The file's container is one we do not read (a playlist, a list of other files, an image format for ffmpeg). */
export class FormatNotAllowedError extends FfmpegFailedError {
  constructor(readonly format: string) {
    super(`the ${format} format is not one we read`, false);
    this.name = 'FormatNotAllowedError';
  }
}

/**
 * The demuxers a dropped file may be opened with: media containers of one file. A playlist (`hls`), a
 * list (`concat`) or an image sequence names other files, which ffmpeg would then read, so they
 * are refused whatever the file's extension. ffmpeg checks the list after its content sniffing.
 */
export const INPUT_DEMUXERS = [
  ...['mov', 'mp4', 'm4a', '3gp', '3g2', 'mj2', 'matroska', 'webm', 'avi', 'flv', 'mpegts', 'mpeg', 'asf'],
  // Audio files read as what they are, so a song dropped by mistake is told apart from a broken video.
  ...['mp3', 'wav', 'ogg', 'flac', 'aac'],
  // An APNG's frames: sharp reads only its first (see `animationSpans`).
  'apng',
] as const;

/** The time an animation's frame may take to decode, on top of a run's base deadline: a 4K frame takes about 50 ms here. */
const PER_FRAME_MS = 100;

/** Options that keep ffprobe and ffmpeg to the one local file and the demuxers above. */
const CONFINED_INPUT = ['-format_whitelist', INPUT_DEMUXERS.join(','), '-protocol_whitelist', 'file'];

/**
 * How long a run may take before it is killed: ffprobe a fixed time; ffmpeg a base plus a time
 * per second of input (a conversion's work grows with its duration), never more than a cap.
 */
export interface Deadlines {
  readonly probeMs: number;
  readonly baseMs: number;
  readonly perInputSecondMs: number;
  readonly maxMs: number;
}

/** Generous on a slow 2-core machine (a 30-s 1080p encode takes about 40 s there), and an hour of a stuck tool never. */
export const DEFAULT_DEADLINES: Deadlines = {
  probeMs: 60_000,
  baseMs: 60_000,
  perInputSecondMs: 10_000,
  maxMs: 20 * 60_000,
};

/** What {@link MediaRepository.packetsEnd} found. */
export interface PacketsEnd {
  readonly packets: number;
  /** The end of the last packet (its time plus its duration), in seconds. */
  readonly endSec: number | undefined;
  /** The demuxer's complaints, plain; empty when it had none. */
  readonly errors: string;
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
  /** The frame of an animated image to take; the first unless said. */
  readonly page?: number;
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
    private readonly deadlines: Deadlines = DEFAULT_DEADLINES,
  ) {
    // A daemon converting thousands of distinct files gains nothing from sharp's cache but memory.
    sharp.cache(false);
    sharp.concurrency(threadsPerJob);
  }

  /**
   * What the container holds, by ffprobe, confined to {@link INPUT_DEMUXERS} and the local file.
   * Run directly (not through fluent-ffmpeg, which cannot stop it): it has a deadline, and the
   * stop signal kills it.
   */
  async probe(file: string, signal?: AbortSignal): Promise<ProbedContainer> {
    const { stdout } = await this.ffprobe(file, ['-print_format', 'json', '-show_format', '-show_streams'], signal);
    const data = JSON.parse(stdout) as FfprobeOutput;
    return {
      formatName: data.format?.format_name ?? '',
      durationSec: finiteOrUndefined(data.format?.duration),
      streams: (data.streams ?? []).map((stream) => ({
        type: stream.codec_type === 'video' || stream.codec_type === 'audio' ? stream.codec_type : 'other',
        codec: stream.codec_name ?? '',
        width: stream.width ?? 0,
        height: stream.height ?? 0,
        durationSec: finiteOrUndefined(stream.duration),
        attachedPicture: stream.disposition?.attached_pic === 1,
        sampleAspect: ratioOf(stream.sample_aspect_ratio),
        rotation: quarterTurns(
          stream.side_data_list?.find((data) => typeof data.rotation === 'number')?.rotation ??
            Number(stream.tags?.rotate ?? 0),
        ),
        colorTransfer: stream.color_transfer ?? '',
      })),
    };
  }

  /**
   * How far the first video stream's packets (or, with `streams: 'all'`, any stream's) really go,
   * from `fromSec` on (ffprobe seeks to the keyframe before it): packets are demuxed, not decoded,
   * so this costs little. `errors` holds what the demuxer said about the data on the way ("File
   * ended prematurely", "partial file").
   */
  async packetsEnd(
    file: string,
    fromSec: number,
    signal?: AbortSignal,
    streams: 'video' | 'all' = 'video',
  ): Promise<PacketsEnd> {
    const options = [
      ...(streams === 'video' ? ['-select_streams', 'v:0'] : []),
      '-read_intervals',
      `${fromSec.toFixed(3)}%`,
      '-show_entries',
      'packet=pts_time,duration_time',
      '-of',
      'csv=p=0',
    ];
    const { stdout, stderr } = await this.ffprobe(file, options, signal);
    let packets = 0;
    let endSec: number | undefined;
    for (const line of stdout.split('\n')) {
      const [pts, duration] = line.split(',').map(Number);
      if (pts === undefined || !Number.isFinite(pts)) continue;
      packets += 1;
      const end = pts + (duration !== undefined && Number.isFinite(duration) ? duration : 0);
      endSec = endSec === undefined ? end : Math.max(endSec, end);
    }
    return { packets, endSec, errors: plainMessage(stderr, file) };
  }

  /** One ffprobe run on `file`, confined, with its deadline and stop signal; its output is capped (a packet list of 15 minutes at 60 fps is 2 MB). */
  private async ffprobe(
    file: string,
    options: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<{ stdout: string; stderr: string }> {
    const args = ['-v', 'error', ...CONFINED_INPUT, ...options, file];
    const { stdout, stderr } = await this.runConfined(
      'ffprobe',
      args,
      file,
      { maxBytes: 32 << 20, deadlineMs: this.deadlines.probeMs },
      signal,
    );
    return { stdout: stdout.toString(), stderr };
  }

  /**
   * How much a picture varies: the largest standard deviation of its channels (0–255). Near 0 it
   * is one flat colour (a black first frame, a blank image).
   */
  async pictureSpread(input: string): Promise<number> {
    const { channels } = await sharp(input, { limitInputPixels: this.maxImagePixels }).stats();
    return Math.max(...channels.map((channel) => channel.stdev));
  }

  /** Runs one ffmpeg job; aborting the signal kills ffmpeg, and so does its deadline. */
  runFfmpeg(job: FfmpegJob, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new FfmpegFailedError('', true));
      const command = ffmpeg({ stdoutLines: 0 })
        .setFfmpegPath(this.binaries.ffmpeg)
        .input(job.input)
        // A -filter_complex graph takes its threads from its own (global) option, every core by default.
        .inputOptions([
          '-nostdin',
          '-threads',
          String(this.threadsPerJob),
          '-filter_complex_threads',
          String(this.threadsPerJob),
          ...(job.inputIsGraph ? ['-f', 'lavfi'] : CONFINED_INPUT),
          ...(job.inputOptions ?? []),
        ]);
      for (const output of job.outputs)
        command.output(output.path).outputOptions(['-threads', String(this.threadsPerJob), ...output.options]);
      let stopped: 'signal' | 'deadline' | undefined;
      const stop = (why: 'signal' | 'deadline'): void => {
        stopped ??= why;
        command.kill('SIGKILL');
      };
      const onAbort = (): void => stop('signal');
      const deadlineMs = Math.min(
        this.deadlines.maxMs,
        this.deadlines.baseMs + (job.inputSeconds ?? 0) * this.deadlines.perInputSecondMs,
      );
      const deadline = setTimeout(() => stop('deadline'), deadlineMs);
      const settle = (): void => {
        clearTimeout(deadline);
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      command
        // fluent-ffmpeg spawns after its own checks, and a kill before the spawn is dropped: a stop
        // or a deadline that came first is carried out as soon as the process exists.
        .on('start', () => {
          if (stopped) command.kill('SIGKILL');
        })
        .on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
          settle();
          if (stopped === 'deadline') reject(new FfmpegTimedOutError('ffmpeg', deadlineMs));
          else if (stopped === 'signal') reject(new FfmpegFailedError('', true));
          else reject(failedRun(stderr || error.message, job.input));
        })
        .on('end', () => {
          settle();
          resolve();
        })
        .run();
    });
  }

  /** Reads the header only: an image bomb is measured here without being decoded. A HEIC's header too, though sharp cannot decode its pixels. */
  imageMetadata(input: string | Buffer): Promise<Metadata> {
    return sharp(input, { limitInputPixels: false }).metadata();
  }

  imageMetadataOf(data: Buffer): Promise<Metadata> {
    return sharp(data).metadata();
  }

  /** Decodes the whole image (failing on corrupt or truncated data) and says what its channels span. */
  async imageSpan(input: ImageInput, signal?: AbortSignal): Promise<PixelSpan> {
    const image = await this.open(input, 0, signal);
    const [{ hasAlpha }, { channels }] = await Promise.all([image.clone().metadata(), image.stats()]);
    return { hasAlpha, channels: channels.map(({ min, max }) => ({ min, max })) };
  }

  /**
   * What each frame of an animated GIF or WebP spans, from one decode of them all at a small size:
   * enough to find the first frame that is not blank without decoding each on its own. Only as
   * many frames as fit in the pixel ceiling together are read.
   */
  async frameSpans(input: string | Buffer): Promise<PixelSpan[]> {
    const { pages: all = 1, width = 1, height = 1 } = await this.imageMetadata(input);
    const pages = Math.max(1, Math.min(all, Math.floor(this.maxImagePixels / (width * height))));
    const { data, info } = await sharp(input, { limitInputPixels: this.maxImagePixels, failOn: 'error', pages })
      // Nearest neighbour: a smoother kernel blends the last rows of one frame into the next.
      .resize({ width: 128, withoutEnlargement: true, kernel: 'nearest' })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const frameBytes = Math.floor(info.height / pages) * info.width * 4;
    return Array.from({ length: pages }, (_, page) =>
      spanOf(data.subarray(page * frameBytes, (page + 1) * frameBytes)),
    );
  }

  /**
   * Each frame of an animation sharp reads only the first of (an APNG, an AVIF or HEIF image
   * sequence), decoded by ffmpeg and shrunk to 64×64 (nearest neighbour, so no frame blurs into
   * a neighbour and a flat frame stays flat): enough to tell which frames are blank. At most
   * `maxFrames` are read.
   */
  async animationSpans(file: string, maxFrames: number, signal?: AbortSignal): Promise<PixelSpan[]> {
    const side = 64;
    const frameBytes = side * side * 4;
    // `passthrough`: one output frame per decoded frame, however long each shows. The rawvideo
    // muxer is constant-rate otherwise, and would repeat or drop frames by their delays, so a
    // frame's place here would not be its number for `animationFrame`.
    const options = ['-vf', `scale=${side}:${side}:flags=neighbor,format=rgba`, '-fps_mode', 'passthrough'];
    const raw = await this.ffmpegToBuffer(
      file,
      [...options, '-frames:v', String(maxFrames), '-f', 'rawvideo'],
      { maxBytes: maxFrames * frameBytes, deadlineMs: this.deadlines.baseMs + maxFrames * PER_FRAME_MS },
      signal,
    );
    return Array.from({ length: Math.floor(raw.length / frameBytes) }, (_, index) =>
      spanOf(raw.subarray(index * frameBytes, (index + 1) * frameBytes)),
    );
  }

  /**
   * One frame of such an animation (counted from 0, as decoded), as a lossless PNG for sharp,
   * shrunk to fit `fit` (never enlarged): the creative is no larger, and the frame held in memory
   * is no larger than the creative's.
   */
  async animationFrame(
    file: string,
    index: number,
    fit: { readonly width: number; readonly height: number },
    signal?: AbortSignal,
  ): Promise<Buffer> {
    const shrink = `scale='min(iw,${fit.width})':'min(ih,${fit.height})':force_original_aspect_ratio=decrease`;
    const options = ['-vf', `select=eq(n\\,${index}),${shrink}`, '-fps_mode', 'passthrough', '-frames:v', '1'];
    // A PNG of these pixels, 4 bytes each, is no larger than them plus its row filters.
    const png = await this.ffmpegToBuffer(
      file,
      [...options, '-f', 'image2pipe', '-c:v', 'png', '-pix_fmt', 'rgba'],
      { maxBytes: fit.width * fit.height * 5, deadlineMs: this.deadlines.baseMs + (index + 1) * PER_FRAME_MS },
      signal,
    );
    if (png.length === 0) throw new FfmpegFailedError(`no frame ${index + 1} came out`, false);
    return png;
  }

  /** One ffmpeg run on `file`, confined like {@link probe}, whose output (on stdout) is returned. */
  private async ffmpegToBuffer(
    file: string,
    outputOptions: readonly string[],
    limits: { readonly maxBytes: number; readonly deadlineMs: number },
    signal: AbortSignal | undefined,
  ): Promise<Buffer> {
    const threads = ['-threads', String(this.threadsPerJob)];
    const args = ['-v', 'error', '-nostdin', ...threads, ...CONFINED_INPUT, '-i', file, ...outputOptions, 'pipe:1'];
    return (await this.runConfined('ffmpeg', args, file, limits, signal)).stdout;
  }

  /**
   * Runs ffprobe or ffmpeg directly (not through fluent-ffmpeg, which cannot stop ffprobe): its
   * output capped at `maxBytes`, killed at its deadline (never past the cap of {@link Deadlines})
   * and by the stop signal, and its failure said as one of ours.
   */
  private async runConfined(
    tool: 'ffprobe' | 'ffmpeg',
    args: readonly string[],
    file: string,
    limits: { readonly maxBytes: number; readonly deadlineMs: number },
    signal: AbortSignal | undefined,
  ): Promise<{ stdout: Buffer; stderr: string }> {
    const deadlineMs = Math.min(this.deadlines.maxMs, limits.deadlineMs);
    try {
      const { stdout, stderr } = await execFileAsync(this.binaries[tool], args, {
        encoding: 'buffer',
        signal,
        timeout: deadlineMs,
        killSignal: 'SIGKILL',
        maxBuffer: limits.maxBytes,
      });
      return { stdout, stderr: stderr.toString() };
    } catch (error) {
      const failure = error as NodeJS.ErrnoException & { stderr?: Buffer; killed?: boolean };
      if (signal?.aborted) throw new FfmpegFailedError('', true);
      // Node kills the process for output past `maxBuffer` too: that is the file's doing, not a slow machine's.
      if (failure.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
        throw new FfmpegFailedError(`its output comes to more than ${limits.maxBytes} bytes`, false);
      if (failure.killed) throw new FfmpegTimedOutError(tool, deadlineMs);
      throw failedRun(failure.stderr?.toString() || failure.message, file);
    }
  }

  /** Decodes (and shrinks, when asked) once, to raw pixels for {@link renderImageToBuffer}: upright, sRGB, 8-bit. */
  async decodeImage(
    input: string | Buffer,
    resize?: ImageRender['resize'],
    options: { page?: number; signal?: AbortSignal } = {},
  ): Promise<RawImage> {
    let image = await this.open(input, options.page, options.signal);
    if (resize)
      image = image.resize(resize.width, resize.height, {
        fit: resize.fit,
        withoutEnlargement: resize.fit === 'inside',
      });
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  }

  /** Encodes an image; like every output of sharp, with no metadata (EXIF, GPS, XMP, ICC) left in it. */
  async renderImageToBuffer(input: ImageInput, render: ImageRender, signal?: AbortSignal): Promise<Buffer> {
    let image = await this.open(input, render.page, signal);
    if (render.resize)
      image = image.resize(render.resize.width, render.resize.height, {
        fit: render.resize.fit,
        withoutEnlargement: render.resize.fit === 'inside',
      });
    return image.toFormat(render.format, render.formatOptions).toBuffer();
  }

  /**
   * A pipeline from which every image comes out upright (its EXIF orientation applied once, then
   * dropped), in sRGB through its own ICC profile (CMYK included), 8-bit. A HEIC (HEVC) is decoded
   * by heic.ts from its bytes, already upright (libheif applies `irot` and `imir`; its EXIF
   * orientation only describes that), and handed on with its profile.
   */
  private async open(input: ImageInput, page = 0, signal?: AbortSignal): Promise<Sharp> {
    const options = { limitInputPixels: this.maxImagePixels, failOn: 'error' as const };
    if (typeof input !== 'string' && !Buffer.isBuffer(input))
      return sharp(input.data, {
        ...options,
        raw: { width: input.width, height: input.height, channels: input.channels },
      });
    const header = await this.imageMetadata(input);
    if (header.compression === 'hevc') {
      if (typeof input === 'string')
        throw new Error('A HEIC photo is decoded from its bytes: read the file and pass them');
      const pixels = await decodeHeic(input, {
        maxPixels: this.maxImagePixels,
        deadlineMs: this.deadlines.baseMs,
        signal,
      });
      return sharp(rgbaTiff(pixels, header.icc), options);
    }
    const image = sharp(input, { ...options, autoOrient: true, page });
    // A 16-bit image sharp would convert through its profile into P3 and then only narrow, leaving
    // P3 values in an sRGB file: read as 8-bit sRGB first, it is converted into sRGB. CMYK keeps
    // sharp's own path (through its profile, or a standard CMYK one).
    return header.depth === 'ushort' && header.space !== 'cmyk' ? image.pipelineColourspace('srgb') : image;
  }
}

/** What `ffprobe -print_format json -show_format -show_streams` prints, as far as it is read. */
interface FfprobeOutput {
  readonly format?: { readonly format_name?: string; readonly duration?: string };
  readonly streams?: readonly {
    readonly codec_type?: string;
    readonly codec_name?: string;
    readonly width?: number;
    readonly height?: number;
    readonly duration?: string;
    readonly disposition?: { readonly attached_pic?: number };
    readonly sample_aspect_ratio?: string;
    readonly color_transfer?: string;
    readonly side_data_list?: readonly { readonly rotation?: number }[];
    readonly tags?: { readonly rotate?: string };
  }[];
}

/** `2:1` → 2; square, unknown (`0:1`, `N/A`) or absent → 1. */
function ratioOf(text: string | undefined): number {
  const [num, den] = (text ?? '').split(':').map(Number);
  return num !== undefined && den !== undefined && num > 0 && den > 0 ? num / den : 1;
}

/** A display matrix's rotation (ffprobe says -90 for a quarter turn clockwise) as 0, 90, 180 or 270. */
function quarterTurns(degrees: number): number {
  return Number.isFinite(degrees) ? (((Math.round(degrees / 90) * 90) % 360) + 360) % 360 : 0;
}

/** A failed run's error: a refused format by its demuxer's name (`[hls @ 0x…] Format not on whitelist`), else ffmpeg's last lines. */
function failedRun(stderr: string, file: string): FfmpegFailedError {
  const refused = /\[([\w,]+) @ 0x[0-9a-f]+\] Format not on whitelist/.exec(stderr);
  return refused?.[1]
    ? new FormatNotAllowedError(refused[1])
    : new FfmpegFailedError(plainMessage(stderr, file), false);
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
    .map((line) =>
      line
        .replaceAll(`${file}: `, '')
        .replace(/^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/, '')
        .trim(),
    )
    .filter(
      (line) => line !== '' && !/^(ffprobe|ffmpeg) (exited|version)|^(lib\w+|built with|configuration:)/.test(line),
    );
  return [...new Set(kept)].slice(-lines).join('; ').slice(0, 400);
}
