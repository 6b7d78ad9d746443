import { afterEach, describe, expect, it } from 'vitest';
import { startExoSimulator, type RunningExoSimulator } from './server.js';

/** The simulator's parts that show what a client wrote: every write named, a PUT that replaces the list, a reset given as a time. */

const UA = 'creative-flow-tests/1.0';
const CAMPAIGN = 5_100_001;
let sim: RunningExoSimulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function signedIn(
  options: Parameters<typeof startExoSimulator>[0],
): Promise<{ api: RunningExoSimulator; call: (method: string, path: string, json?: unknown) => Promise<Response> }> {
  const api = await startExoSimulator({ port: 0, ...options });
  sim = api;
  const login = await fetch(`${api.url}/v2/login`, {
    method: 'POST',
    headers: { 'User-Agent': UA, 'Content-Type': 'application/json' },
    body: JSON.stringify({ api_token: 'sim-exo-token' }),
  });
  const { token } = (await login.json()) as { token: string };
  const call = (method: string, path: string, json?: unknown): Promise<Response> =>
    fetch(`${api.url}/v2/${path}`, {
      method,
      headers: {
        'User-Agent': UA,
        Authorization: `Bearer ${token}`,
        ...(json === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
  return { api, call };
}

describe('ExoClick simulator: writes, replacing PUTs, reset times', () => {
  it('names every write that reached it, refused or not, and no read or login', async () => {
    const { api, call } = await signedIn({ variationShape: 'json' });
    await call('GET', `campaigns/${CAMPAIGN}`);
    expect((await call('POST', `campaigns/${CAMPAIGN}/variation`)).status).toBe(404);
    expect((await call('PUT', `campaigns/${CAMPAIGN}/variations`, {})).status).toBe(422);
    expect(api.state().writes).toEqual([
      `POST /v2/campaigns/${CAMPAIGN}/variation`,
      `PUT /v2/campaigns/${CAMPAIGN}/variations`,
    ]);
    expect(api.state().writeCount).toBe(2);
  });

  it("'replace': the PUT's array is the whole list; fields not modelled stay only when sent again; a person's change is no write", async () => {
    const { api, call } = await signedIn({ variationShape: 'json', variationsPut: 'replace' });
    const kept = api.addVariationByPerson(CAMPAIGN, { name: 'Kept', idvariations_file: 1, extra: { tracking: 'a' } });
    const stripped = api.addVariationByPerson(CAMPAIGN, {
      name: 'Stripped',
      idvariations_file: 2,
      extra: { tracking: 'b' },
    });
    api.addVariationByPerson(CAMPAIGN, { name: 'Left out', idvariations_file: 3 });
    const read = (await (await call('GET', `campaigns/${CAMPAIGN}`)).json()) as {
      result: { variations: Record<string, unknown>[] };
    };
    expect(read.result.variations[0]).toMatchObject({ idvariation: kept, name: 'Kept', tracking: 'a' });
    const put = await call('PUT', `campaigns/${CAMPAIGN}/variations`, [
      read.result.variations[0],
      { idvariation: stripped, name: 'Stripped' },
    ]);
    expect(put.status).toBe(200);
    expect(
      api
        .state()
        .campaigns.find((campaign) => campaign.id === CAMPAIGN)
        ?.variations.map((variation) => [variation.name, variation.extra]),
    ).toEqual([
      ['Kept', { tracking: 'a' }],
      ['Stripped', {}],
    ]);
    expect(api.state().writes).toEqual([`PUT /v2/campaigns/${CAMPAIGN}/variations`]);
  });

  it("'epoch': X-Rate-Limit-Reset is the Unix second the window ends, never before it", async () => {
    const { call } = await signedIn({ rateLimit: { limit: 2, windowSeconds: 5 }, rateLimitReset: 'epoch' });
    const before = Date.now();
    const answer = await call('GET', 'campaigns');
    const reset = Number(answer.headers.get('x-rate-limit-reset'));
    expect(reset * 1000).toBeGreaterThanOrEqual(before + 4_000);
    expect(reset * 1000).toBeLessThanOrEqual(Date.now() + 6_000);
  });
});
