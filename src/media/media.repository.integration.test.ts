import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { makeVideo, tempRoot } from '../test/fixtures.js';
import { locateFfmpeg } from './ffmpeg-binaries.js';
import {
  DEFAULT_DEADLINES,
  FfmpegFailedError,
  FfmpegTimedOutError,
  FormatNotAllowedError,
  MediaRepository,
} from './media.repository.js';

const run = promisify(execFile);

/** A named pipe with no writer: ffprobe and ffmpeg block on it for ever, as on a stuck network read. */
async function stuckInput(dir: string): Promise<string> {
  const fifo = path.join(dir, 'stuck.mp4');
  await run('mkfifo', [fifo]);
  return fifo;
}

describe('MediaRepository', () => {
  const binaries = locateFfmpeg({});

  it('refuses a playlist or a list named .mp4 before it reads a file the list names, and reads the containers we take', async () => {
    const dir = await tempRoot();
    const outside = await tempRoot();
    const segment = await makeVideo(path.join(outside, 'private.mp4'), { seconds: 1 });
    const relative = path.relative(dir, segment);
    await fs.writeFile(
      path.join(dir, 'playlist.mp4'),
      `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1.0,\n${relative}\n#EXT-X-ENDLIST\n`,
    );
    await fs.writeFile(path.join(dir, 'list.mp4'), `ffconcat version 1.0\nfile '${segment}'\n`);
    const media = new MediaRepository(binaries, 100_000_000);
    // Before the allow-list, ffprobe took both, and ffmpeg converted the private file they name.
    await expect(media.probe(path.join(dir, 'playlist.mp4'))).rejects.toMatchObject({
      name: 'FormatNotAllowedError',
      format: 'hls',
    });
    await expect(media.probe(path.join(dir, 'list.mp4'))).rejects.toMatchObject({
      name: 'FormatNotAllowedError',
      format: 'concat',
    });
    const converted = media.runFfmpeg({
      input: path.join(dir, 'playlist.mp4'),
      outputs: [{ path: path.join(dir, 'out.mp4'), options: ['-c', 'copy'] }],
    });
    await expect(converted).rejects.toBeInstanceOf(FormatNotAllowedError);
    expect(await fs.stat(path.join(dir, 'out.mp4')).catch(() => undefined)).toBeUndefined();

    for (const [name, codec] of [
      ['clip.mkv', 'libx264'],
      ['clip.webm', 'libvpx'],
      ['clip.avi', 'mpeg4'],
      ['clip.mov', 'libx264'],
    ] as const) {
      const file = await makeVideo(path.join(dir, name), { seconds: 1, codec });
      expect(
        (await media.probe(file)).streams.some((stream) => stream.type === 'video'),
        name,
      ).toBe(true);
    }
  });

  it('stops a stuck ffprobe or ffmpeg at its deadline, and at once on the stop signal', async () => {
    const dir = await tempRoot();
    const fifo = await stuckInput(dir);
    const quick = new MediaRepository(binaries, 100_000_000, 1, {
      ...DEFAULT_DEADLINES,
      probeMs: 400,
      baseMs: 400,
      perInputSecondMs: 0,
    });
    const started = Date.now();
    await expect(quick.probe(fifo)).rejects.toBeInstanceOf(FfmpegTimedOutError);
    await expect(
      quick.runFfmpeg({ input: fifo, outputs: [{ path: path.join(dir, 'out.mp4'), options: [] }] }),
    ).rejects.toBeInstanceOf(FfmpegTimedOutError);
    expect(Date.now() - started).toBeLessThan(10_000);

    const patient = new MediaRepository(binaries, 100_000_000);
    for (const work of [
      (signal: AbortSignal) => patient.probe(fifo, signal),
      (signal: AbortSignal) =>
        patient.runFfmpeg({ input: fifo, outputs: [{ path: path.join(dir, 'out.mp4'), options: [] }] }, signal),
    ]) {
      const stop = new AbortController();
      const running = work(stop.signal);
      // Opening the pipe for writing returns once the tool has opened it to read: it is running, and waits on bytes that never come.
      const writer = await fs.open(fifo, 'w');
      stop.abort();
      const error = await running.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      await writer.close();
      expect(error).toBeInstanceOf(FfmpegFailedError);
      expect((error as FfmpegFailedError).killed).toBe(true);
    }
  });

  it('gives a conversion more time the longer its input, up to the cap', async () => {
    const dir = await tempRoot();
    const source = await makeVideo(path.join(dir, 'clip.mp4'), { seconds: 2 });
    // A base too short for any run, and a second of input worth a minute: only the input's length lets it finish.
    const scaled = new MediaRepository(binaries, 100_000_000, 1, {
      probeMs: 60_000,
      baseMs: 1,
      perInputSecondMs: 60_000,
      maxMs: 120_000,
    });
    await scaled.runFfmpeg({
      input: source,
      inputSeconds: 2,
      outputs: [{ path: path.join(dir, 'a.mp4'), options: ['-c', 'copy'] }],
    });
    await expect(
      scaled.runFfmpeg({ input: source, outputs: [{ path: path.join(dir, 'b.mp4'), options: ['-c', 'copy'] }] }),
    ).rejects.toBeInstanceOf(FfmpegTimedOutError);
    const capped = new MediaRepository(binaries, 100_000_000, 1, {
      probeMs: 60_000,
      baseMs: 1,
      perInputSecondMs: 60_000,
      maxMs: 1,
    });
    await expect(
      capped.runFfmpeg({
        input: source,
        inputSeconds: 2,
        outputs: [{ path: path.join(dir, 'c.mp4'), options: ['-c', 'copy'] }],
      }),
    ).rejects.toBeInstanceOf(FfmpegTimedOutError);
  });
});
