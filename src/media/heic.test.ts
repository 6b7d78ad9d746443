import fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { sharedHeic, SHARED_HEIC } from '../test/image-fixtures.js';
import { decodeHeic, HeicDecodeError } from './heic.js';

const heic = await sharedHeic();
if (!heic) console.log(`Skipping the HEIC decoder tests: ${SHARED_HEIC} is not there (a clone without ../shared).`);

const failureOf = (work: Promise<unknown>): Promise<HeicDecodeError> =>
  work.then(
    () => {
      throw new Error('The decode succeeded');
    },
    (error: unknown) => error as HeicDecodeError,
  );

describe.skipIf(!heic)('decodeHeic', () => {
  it('decodes the iPhone photo upright (irot 270 applied: portrait), off the main thread', async () => {
    const data = await fs.readFile(heic ?? '');
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 20);
    const started = performance.now();
    const pixels = await decodeHeic(data, { maxPixels: 100_000_000, deadlineMs: 60_000 });
    const ms = performance.now() - started;
    clearInterval(ticker);
    expect(pixels).toMatchObject({ width: 3024, height: 4032, channels: 4 });
    expect(pixels.data.length).toBe(3024 * 4032 * 4);
    // The event loop kept running while the worker decoded.
    expect(ticks).toBeGreaterThan(ms / 20 / 3);
    console.log(`HEIC fixture decoded in ${ms.toFixed(0)} ms`);
  });

  it('refuses a picture over the pixel ceiling from its header, before decoding it', async () => {
    const data = await fs.readFile(heic ?? '');
    const started = performance.now();
    const error = await failureOf(decodeHeic(data, { maxPixels: 1_000_000, deadlineMs: 60_000 }));
    expect(error).toMatchObject({ kind: 'too-large', size: { width: 3024, height: 4032 } });
    expect(performance.now() - started).toBeLessThan(700);
  });

  it('says what libheif said of bytes that are not a HEIC, and stops at once on the stop signal', async () => {
    const data = await fs.readFile(heic ?? '');
    const broken = Buffer.from(data.subarray(0, 2000));
    broken.fill(7, 300);
    expect(await failureOf(decodeHeic(broken, { maxPixels: 100_000_000, deadlineMs: 60_000 }))).toMatchObject({
      kind: 'unreadable',
      detail: expect.stringMatching(/meta/),
    });
    const stop = new AbortController();
    // decodeHeic starts its worker and listens for the stop before it first waits: this stop comes mid-decode.
    const running = decodeHeic(data, { maxPixels: 100_000_000, deadlineMs: 60_000, signal: stop.signal });
    stop.abort();
    expect(await failureOf(running)).toMatchObject({ kind: 'stopped' });
    expect(await failureOf(decodeHeic(data, { maxPixels: 100_000_000, deadlineMs: 1 }))).toMatchObject({
      kind: 'timed-out',
    });
  });
});
