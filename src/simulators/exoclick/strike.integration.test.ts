import { afterEach, describe, expect, it } from 'vitest';
import type { ExoStrike } from './options.js';
import { startExoSimulator, type RunningExoSimulator } from './server.js';

/** The strike option a fault sweep drives: one fault at the Nth `/v2/` request, whatever its route. */

const running: RunningExoSimulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

/** A simulator, and a client as the adapter is (a User-Agent, a session token once logged in). */
async function struck(strike: ExoStrike): Promise<{
  sim: RunningExoSimulator;
  send: (method: string, path: string, body?: FormData | object) => Promise<Response>;
  login: () => Promise<Response>;
}> {
  const sim = await startExoSimulator({ port: 0, strike });
  running.push(sim);
  let token = '';
  const send = (method: string, path: string, body?: FormData | object): Promise<Response> => {
    const headers: Record<string, string> = {
      'User-Agent': 'creative-flow-tests/1.0',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    };
    if (body !== undefined && !(body instanceof FormData)) headers['Content-Type'] = 'application/json';
    return fetch(`${sim.url}/v2/${path}`, {
      method,
      headers,
      body: body instanceof FormData || body === undefined ? body : JSON.stringify(body),
    });
  };
  const login = async (): Promise<Response> => {
    const response = await send('POST', 'login', { api_token: 'sim-exo-token' });
    if (response.ok) token = ((await response.clone().json()) as { token: string }).token;
    return response;
  };
  return { sim, send, login };
}

function image(name: string): FormData {
  const form = new FormData();
  form.set('type', 'image');
  form.set('file', new Blob([name]), name);
  return form;
}

/** The request's fate: its status, or 'dropped' when the connection died unanswered. */
const fate = (request: Promise<Response>): Promise<number | 'dropped'> =>
  request.then(
    (response) => response.status,
    () => 'dropped' as const,
  );

describe('ExoClick simulator: a fault struck at the Nth request', () => {
  it('numbers every /v2/ request from 1, logins and refusals too, and strikes only the one', async () => {
    const { sim, send, login } = await struck({ at: 3, fault: 'server-error' });
    expect((await login()).status).toBe(200);
    expect((await send('GET', 'campaigns/404')).status).toBe(404);
    const error = await send('POST', 'library/file', image('a.png'));
    expect([error.status, error.headers.get('content-type'), await error.text()]).toEqual([
      500,
      'text/plain; charset=utf-8',
      'Internal Server Error',
    ]);
    expect((await send('POST', 'library/file', image('a.png'))).status).toBe(200);
    expect(sim.state()).toMatchObject({ requests: 4, files: [{ name: 'a.png' }], faults: { serverErrors: 1 } });
  });

  it("'rate-limited': a 429 with the strike's reset, and a request before it counted too early", async () => {
    const { sim, send, login } = await struck({ at: 2, fault: 'rate-limited', resetSeconds: 2 });
    await login();
    const limited = await send('POST', 'library/file', image('a.png'));
    expect([
      limited.status,
      limited.headers.get('x-rate-limit-reset'),
      limited.headers.get('x-rate-limit-remaining'),
    ]).toEqual([429, '2', '0']);
    expect((await send('POST', 'library/file', image('a.png'))).status).toBe(200);
    expect(sim.state()).toMatchObject({ tooEarly: 1, faults: { rateLimited: 1 } });
    expect(sim.state().files).toHaveLength(1);
  });

  it("'session-expired': the session dies at the request, which answers 401; a login struck so is answered as usual", async () => {
    const { sim, send, login } = await struck({ at: 2, fault: 'session-expired' });
    await login();
    expect((await send('GET', 'campaigns/5100001')).status).toBe(401);
    expect((await send('GET', 'campaigns/5100001')).status).toBe(401);
    expect((await login()).status).toBe(200);
    expect((await send('GET', 'campaigns/5100001')).status).toBe(200);
    sim.configure({ strike: { at: 6, fault: 'session-expired' } });
    expect((await login()).status).toBe(200);
    expect((await send('GET', 'campaigns/5100001')).status).toBe(200);
  });

  it("'dropped-after-kept': an upload or a variation is kept and not answered; a read or a refused request drops having changed nothing", async () => {
    const { sim, send, login } = await struck({ at: 2, fault: 'dropped-after-kept' });
    await login();
    expect(await fate(send('POST', 'library/file', image('a.png')))).toBe('dropped');
    const [file] = sim.state().files;
    expect(file?.name).toBe('a.png');
    sim.configure({ strike: { at: 4, fault: 'dropped-after-kept' } });
    expect((await send('GET', 'campaigns/5100001')).status).toBe(200);
    expect(await fate(send('PUT', 'campaigns/5100001/variations', [{ name: 'Ad', id_library_file: file?.id }]))).toBe(
      'dropped',
    );
    sim.configure({ strike: { at: 5, fault: 'dropped-after-kept' } });
    expect(await fate(send('PUT', 'campaigns/5100001/variations', {}))).toBe('dropped');
    sim.configure({ strike: { at: 6, fault: 'dropped-after-kept' } });
    expect(await fate(send('GET', 'library/file?type=image'))).toBe('dropped');
    expect(sim.state()).toMatchObject({ requests: 6, variationCreates: 1, faults: { dropped: 4 } });
    expect(sim.state().campaigns[0]?.variations.map((variation) => variation.name)).toEqual(['Ad']);
  });
});
