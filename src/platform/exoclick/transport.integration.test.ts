import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXO_PROFILE } from '../../config/profile.js';
import { loadConfig } from '../../config/config.js';
import { ConfigError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { USER_AGENT } from '../../core/product.js';
import type { ExoSimulatorOptions } from '../../simulators/exoclick/options.js';
import { startExoSimulator, type RunningExoSimulator } from '../../simulators/exoclick/server.js';
import { StorageRepository } from '../../store/storage.repository.js';
import { tempRoot, waitFor, within } from '../../test/fixtures.js';
import { ExoAnswerTooLargeError, readCapped } from './answers.js';
import { ExoApiUrlError } from './api-url.js';
import { ExoUploader } from './exo-uploader.js';
import { ExoLoginRedirectError, ExoStoppedError, ExoTransport, type ExoTransportOptions } from './transport.js';

/** Issue 27, item 8: waits with a ceiling that a signal ends, a reset given as a time, capped answers, no redirect on login, https only. */

const log = createLogger({ level: 'silent', pretty: false });
const TOKEN = 'sim-exo-token';
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function start(options: Partial<ExoSimulatorOptions> = {}): Promise<RunningExoSimulator> {
  const sim = await startExoSimulator({ port: 0, apiTokens: [TOKEN], ...options });
  closers.push(() => sim.close());
  return sim;
}

function transport(sim: RunningExoSimulator, options: Partial<ExoTransportOptions> = {}): ExoTransport {
  return new ExoTransport({
    baseUrl: `${sim.url}/v2/`,
    apiToken: TOKEN,
    userAgent: USER_AGENT,
    log,
    retryBaseMs: 5,
    ...options,
  });
}

const listing = { query: { type: 'image', orderBy: 'a:id', limit: 200, offset: 0 }, idempotent: true } as const;

describe('ExoClick transport: waits, answers, login and address', () => {
  it('takes X-Rate-Limit-Reset given as a Unix time for one, waiting until it rather than not at all', async () => {
    const sim = await start({ rateLimit: { limit: 2, windowSeconds: 1 }, rateLimitReset: 'epoch' });
    const uploader = await ExoUploader.open(
      { apiUrl: `${sim.url}/v2/`, apiToken: TOKEN, fileTypes: EXO_PROFILE.fileTypes, userAgent: USER_AGENT },
      { storage: new StorageRepository(), log, retryBaseMs: 5 },
    );
    const dir = await tempRoot();
    const files = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const name = `IMG_EN_Epoch_F_Real_SFW_Test_Me_ID-0000000${i}`;
        await fs.writeFile(path.join(dir, `${name}.png`), randomBytes(500 + i));
        return { path: path.join(dir, `${name}.png`), name };
      }),
    );
    const results = await within(uploader.upload('static-banner', files), 30_000, 'four uploads in windows of two');
    expect([...results.values()].map((result) => result.status)).toEqual([
      'uploaded',
      'uploaded',
      'uploaded',
      'uploaded',
    ]);
    expect(sim.state().tooEarly).toBe(0);
  });

  it('waits no longer than its ceiling, however far off the reset is said to be', async () => {
    // The login is request 1; the listing, request 2, is told to wait an hour.
    const sim = await start({ strike: { at: 2, fault: 'rate-limited', resetSeconds: 3_600 } });
    const answer = await within(
      transport(sim, { maxWaitMs: 100 }).call<{ result: unknown[] }>('GET', 'library/file', listing),
      20_000,
      'a listing after an hour-long reset',
    );
    expect(answer.result).toEqual([]);
    expect(sim.state().requests).toBe(3);
  });

  it("ends a rate-limit wait at once when the call's signal, or the transport's, is aborted, sending nothing more", async () => {
    for (const whose of ['call', 'transport'] as const) {
      const sim = await start({ strike: { at: 2, fault: 'rate-limited', resetSeconds: 3_600 } });
      const stop = new AbortController();
      const exo = transport(sim, whose === 'transport' ? { signal: stop.signal } : {});
      const call = exo
        .call('GET', 'library/file', { ...listing, ...(whose === 'call' ? { signal: stop.signal } : {}) })
        .catch((error: unknown) => error);
      await waitFor(() => sim.state().faults.rateLimited === 1, 10_000, 'the 429', 10);
      stop.abort();
      expect(await within(call, 10_000, `the stop of a wait by the ${whose}'s signal`), whose).toBeInstanceOf(
        ExoStoppedError,
      );
      expect(sim.state().requests, whose).toBe(2);
    }
  });

  it('does not read an answer past its cap: a typed error, the rest of the stream left unread', async () => {
    const sim = await start();
    const exo = transport(sim, { maxBodyBytes: 200 });
    await exo.connect();
    const form = new FormData();
    form.set('type', 'image');
    form.set(
      'file',
      new Blob([randomBytes(300)]),
      'a-rather-long-file-name-to-make-the-listing-longer-than-its-cap.png',
    );
    await transport(sim).call('POST', 'library/file', { form });
    await expect(exo.call('GET', 'library/file', listing)).rejects.toBeInstanceOf(ExoAnswerTooLargeError);

    // A body with no length announced, streamed without end: read up to the cap, then cancelled.
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        pulled += 1;
        controller.enqueue(new Uint8Array(1_024));
      },
      cancel: () => void (cancelled = true),
    });
    await expect(readCapped(new Response(endless), 10 * 1_024, 'a listing')).rejects.toBeInstanceOf(
      ExoAnswerTooLargeError,
    );
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(20);
  });

  it('does not follow a redirect on login: the API token is not sent where it points', async () => {
    const sim = await start();
    const redirecting = http.createServer((req, res) => {
      req.resume();
      res.writeHead(307, { Location: `${sim.url}/v2/login` }).end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => redirecting.close(() => resolve())));
    const { port } = redirecting.address() as AddressInfo;
    const exo = new ExoTransport({
      baseUrl: `http://127.0.0.1:${port}/v2/`,
      apiToken: TOKEN,
      userAgent: USER_AGENT,
      log,
      retryBaseMs: 5,
    });
    const error = await exo.connect().catch((caught: unknown) => caught);
    expect(sim.state().logins).toEqual({ accepted: 0, refused: 0 });
    expect(error).toBeInstanceOf(ExoLoginRedirectError);
    expect((error as ExoLoginRedirectError).plain).toMatch(
      /answered a redirect \(307 to http:\/\/127\.0\.0\.1:\d+\).*not followed.*EXO_API_URL/,
    );
    expect((error as Error).message).not.toContain(TOKEN);
  });

  it('takes https anywhere and plain http only to this machine, refusing others plainly, with any password left out', async () => {
    const make = (baseUrl: string) => () => new ExoTransport({ baseUrl, apiToken: TOKEN, userAgent: USER_AGENT, log });
    for (const good of [
      'https://api.exoclick.com/v2/',
      'http://127.0.0.1:4781/v2/',
      'http://localhost:4781/v2',
      'http://[::1]:4781/v2/',
    ])
      expect(make(good), good).not.toThrow();
    for (const bad of [
      'http://api.exoclick.com/v2/',
      'http://192.168.1.20:4781/v2/',
      'ftp://api.exoclick.com/v2/',
      'https://bob:hunter2@api.exoclick.com/v2/',
      'http://bob:hunter2@api.exoclick.com/v2/',
    ]) {
      expect(make(bad), bad).toThrow(ExoApiUrlError);
      const error = (() => {
        try {
          make(bad)();
        } catch (caught) {
          return caught as ExoApiUrlError;
        }
      })();
      expect(error?.message, bad).toMatch(/^EXO_API_URL \S+ /);
      expect(error?.message, bad).not.toContain('hunter2');
      expect(error?.plain, bad).toMatch(/https/);
    }
    const root = await tempRoot();
    const refused = await loadConfig({ root, env: { EXO_API_URL: 'http://api.exoclick.com/v2/' } }).catch(
      (caught: unknown) => caught,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).message).toMatch(/EXO_API_URL must be an https address/);
    expect((await loadConfig({ root, env: { EXO_API_URL: 'http://127.0.0.1:4781/v2/' } })).exoApiUrl).toBe(
      'http://127.0.0.1:4781/v2/',
    );
  });
});
