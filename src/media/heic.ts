import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * HEIC photos (an iPhone's default) hold HEVC pictures, and sharp's prebuilt libvips has no HEVC
 * decoder: it reads their header, never their pixels. heic-decode (libheif and libde265 compiled
 * to WebAssembly) decodes them. Only the media repository uses this module.
 *
 * Each decode runs in a worker thread of its own: the decode is synchronous (about a second for a
 * 12-megapixel photo, which would freeze the daemon's dashboard and the other conversions), and
 * the WebAssembly heap it grows (about 150 MB for that photo) is given back when the worker ends.
 */
const HEIC_DECODE = createRequire(import.meta.url).resolve('heic-decode');

/**
 * The worker, as CommonJS source run with `eval` (the same code from `src/` under the tests and
 * from `dist/`). libheif applies `irot` and `imir` as it decodes, so the pixels come out upright.
 * The first top-level image is the one heic-decode takes. Its size is checked before any pixel is
 * decoded; the pixels go back without a copy.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const decode = require(workerData.module);
(async () => {
  const images = await decode.all({ buffer: workerData.data });
  try {
    const image = images[0];
    if (image.width * image.height > workerData.maxPixels) return parentPort.postMessage({ tooLarge: { width: image.width, height: image.height } });
    const { width, height, data } = await image.decode();
    parentPort.postMessage({ width, height, data }, [data.buffer]);
  } finally {
    images.dispose();
  }
})().catch((error) => parentPort.postMessage({ error: String((error && error.message) || error) }));
`;

/** A HEIC's main picture as 8-bit RGBA, already turned as the file says. */
export interface HeicPixels {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  readonly channels: 4;
}

/** Why a decode gave no pixels: each is told apart by the stage, which words it for people. */
export class HeicDecodeError extends Error {
  constructor(
    readonly kind: 'too-large' | 'unreadable' | 'stopped' | 'timed-out',
    /** libheif's own words, for a person who wants them; empty when it said nothing. */
    readonly detail: string,
    /** The picture's size, for `too-large`. */
    readonly size?: { readonly width: number; readonly height: number },
  ) {
    super(`HEIC decode ${kind}${detail ? `: ${detail}` : ''}`);
    this.name = 'HeicDecodeError';
  }
}

interface WorkerAnswer {
  readonly width?: number;
  readonly height?: number;
  readonly data?: Uint8Array;
  readonly tooLarge?: { readonly width: number; readonly height: number };
  readonly error?: string;
}

/** Decodes `data` (a HEIC file's bytes) in a worker, refusing a picture over `maxPixels` before decoding it. */
export async function decodeHeic(
  data: Buffer,
  options: { maxPixels: number; deadlineMs: number; signal?: AbortSignal | undefined },
): Promise<HeicPixels> {
  if (options.signal?.aborted) throw new HeicDecodeError('stopped', '');
  // stdout and stderr are kept from the daemon's own: libheif prints its complaints there, and they become the detail.
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { module: HEIC_DECODE, data, maxPixels: options.maxPixels },
    stdout: true,
    stderr: true,
  });
  let printed = '';
  const keep = (chunk: Buffer): void => {
    printed = `${printed}${chunk.toString('utf8')}`.slice(-2000);
  };
  worker.stdout.on('data', keep);
  worker.stderr.on('data', keep);
  let onAbort: (() => void) | undefined;
  let deadline: NodeJS.Timeout | undefined;
  try {
    const answer = await new Promise<WorkerAnswer>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', (error) => reject(new HeicDecodeError('unreadable', error.message)));
      worker.once('exit', (code) =>
        reject(new HeicDecodeError('unreadable', `the decoder stopped (exit code ${code})`)),
      );
      onAbort = () => reject(new HeicDecodeError('stopped', ''));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      deadline = setTimeout(
        () =>
          reject(new HeicDecodeError('timed-out', `still decoding after ${Math.round(options.deadlineMs / 1000)} s`)),
        options.deadlineMs,
      );
    });
    if (answer.tooLarge) throw new HeicDecodeError('too-large', '', answer.tooLarge);
    if (answer.error !== undefined || !answer.data || !answer.width || !answer.height) {
      const said = [answer.error, ...printed.split('\n')].map((line) => line?.trim()).filter((line) => line);
      throw new HeicDecodeError('unreadable', [...new Set(said)].join('; ').slice(0, 300));
    }
    return {
      data: Buffer.from(answer.data.buffer, answer.data.byteOffset, answer.data.byteLength),
      width: answer.width,
      height: answer.height,
      channels: 4,
    };
  } finally {
    clearTimeout(deadline);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    await worker.terminate();
  }
}
