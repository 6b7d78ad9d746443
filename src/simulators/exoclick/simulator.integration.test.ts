import { createHash } from 'node:crypto';
import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExoSimulatorOptions } from './options.js';
import { startExoSimulator, type ExoSimState, type RunningExoSimulator } from './server.js';

const UA = 'creative-flow-tests/1.0';
const running: RunningExoSimulator[] = [];

async function start(options: Partial<ExoSimulatorOptions> = {}): Promise<RunningExoSimulator> {
  const sim = await startExoSimulator({ port: 0, ...options });
  running.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

/** A client as the adapter would be: a User-Agent, a session token, JSON bodies. */
class Client {
  token = '';
  constructor(private readonly sim: RunningExoSimulator) {}

  async login(apiToken = 'sim-exo-token'): Promise<Response> {
    const response = await this.call('POST', 'login', { json: { api_token: apiToken } });
    if (response.status === 200) this.token = ((await response.clone().json()) as { token: string }).token;
    return response;
  }

  call(
    method: string,
    path: string,
    body: { json?: unknown; form?: FormData; raw?: string; type?: string } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { 'User-Agent': UA };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let payload: string | FormData | undefined = body.form;
    if (body.json !== undefined) [headers['Content-Type'], payload] = ['application/json', JSON.stringify(body.json)];
    if (body.raw !== undefined) [headers['Content-Type'], payload] = [body.type ?? 'text/plain', body.raw];
    return fetch(`${this.sim.url}/v2/${path}`, { method, headers, body: payload });
  }

  upload(name: string, bytes: string, type = 'image'): Promise<Response> {
    const form = new FormData();
    form.append('type', type);
    form.append('file', new Blob([bytes]), name);
    return this.call('POST', 'library/file', { form });
  }

  async uploadedId(name: string, bytes: string, type = 'image'): Promise<number> {
    const response = await this.upload(name, bytes, type);
    // eslint-disable-next-line vitest/no-standalone-expect -- a helper of the tests below, called inside them
    expect(response.status).toBe(200);
    return ((await response.json()) as { id: number }).id;
  }

  async result<T>(path: string): Promise<T> {
    const response = await this.call('GET', path);
    // eslint-disable-next-line vitest/no-standalone-expect -- a helper of the tests below, called inside them
    expect(response.status).toBe(200);
    return ((await response.json()) as { result: T }).result;
  }
}

async function signedIn(
  options: Partial<ExoSimulatorOptions> = {},
): Promise<{ sim: RunningExoSimulator; client: Client }> {
  const sim = await start(options);
  const client = new Client(sim);
  expect((await client.login()).status).toBe(200);
  return { sim, client };
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('ExoClick simulator: login and sessions', () => {
  it('logs in with a known API token and refuses others, counting both', async () => {
    const sim = await start({ tokenTtlSeconds: 120 });
    const client = new Client(sim);
    const refused = await client.login('not-a-token');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { message: string }).message).toMatch(/Invalid API token/);
    const accepted = await client.login();
    expect(await accepted.json()).toEqual({ token: client.token, type: 'Bearer', expires_in: 120 });
    expect(client.token).not.toBe('');
    expect(sim.state().logins).toEqual({ accepted: 1, refused: 1 });
  });

  it('answers 401 JSON without a token, with an unknown one, and once the token is older than its ttl', async () => {
    const { sim, client } = await signedIn({ tokenTtlSeconds: 1 });
    expect((await client.call('GET', 'campaigns')).status).toBe(200);
    const anonymous = new Client(sim);
    expect((await anonymous.call('GET', 'campaigns')).status).toBe(401);
    anonymous.token = 'exo-sim-made-up';
    const unknown = await anonymous.call('GET', 'campaigns');
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toHaveProperty('message');
    await delay(1100);
    expect((await client.call('GET', 'campaigns')).status).toBe(401);
    expect((await client.login()).status).toBe(200);
    expect((await client.call('GET', 'campaigns')).status).toBe(200);
  });

  it('answers 415 for a wrong content type and 400 for a body that does not decode', async () => {
    const { client } = await signedIn();
    expect(
      (await client.call('POST', 'library/url', { raw: '{"url":"https://a.example"}', type: 'text/plain' })).status,
    ).toBe(415);
    expect((await client.call('POST', 'library/url', { raw: '{"url":', type: 'application/json' })).status).toBe(400);
    expect((await client.call('POST', 'library/file', { json: { type: 'image' } })).status).toBe(415);
    expect(
      (await client.call('POST', 'login', { raw: 'api_token=x', type: 'application/x-www-form-urlencoded' })).status,
    ).toBe(415);
  });

  it('answers 404 JSON for a route it does not have', async () => {
    const { sim, client } = await signedIn();
    const missing = await client.call('GET', 'statistics/a/campaign');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toHaveProperty('message');
    expect((await fetch(`${sim.url}/nowhere`, { headers: { 'User-Agent': UA } })).status).toBe(404);
  });
});

describe('ExoClick simulator: rate limit and firewall', () => {
  it('puts the headers on every answer, answers 429 past the limit and counts requests sent before the reset', async () => {
    const sim = await start({ rateLimit: { limit: 3, windowSeconds: 2 } });
    const client = new Client(sim);
    const refused = await client.login('wrong');
    expect(refused.status).toBe(401);
    expect([refused.headers.get('x-rate-limit-limit'), refused.headers.get('x-rate-limit-remaining')]).toEqual([
      '3',
      '2',
    ]);
    expect(Number(refused.headers.get('x-rate-limit-reset'))).toBeGreaterThanOrEqual(1);
    await client.login();
    expect((await client.call('GET', 'campaigns')).headers.get('x-rate-limit-remaining')).toBe('0');
    const limited = await client.call('GET', 'campaigns');
    expect(limited.status).toBe(429);
    expect(await limited.json()).toHaveProperty('message');
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
    const reset = Number(limited.headers.get('x-rate-limit-reset'));
    expect(reset).toBeGreaterThanOrEqual(1);
    expect(reset).toBeLessThanOrEqual(2);
    expect(sim.state().tooEarly).toBe(0);
    expect((await client.call('GET', 'campaigns')).status).toBe(429);
    expect(sim.state().tooEarly).toBe(1);
    await delay(reset * 1000 + 50);
    const after = await client.call('GET', 'campaigns');
    expect(after.status).toBe(200);
    expect(after.headers.get('x-rate-limit-remaining')).toBe('2');
    expect(sim.state().tooEarly).toBe(1);
  });

  it('serves the firewall HTML page to a bare client, before login or anything else', async () => {
    const sim = await start();
    const bare = await fetch(`${sim.url}/v2/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ api_token: 'sim-exo-token' }),
    });
    expect(bare.status).toBe(403);
    expect(bare.headers.get('content-type')).toMatch(/text\/html/);
    expect(await bare.text()).toMatch(/Access denied/);
    const undici = await fetch(`${sim.url}/v2/campaigns`, { headers: { 'User-Agent': 'undici' } });
    expect(undici.status).toBe(403);
    // node:http sends no User-Agent at all.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http.get(`${sim.url}/v2/campaigns`, (res) => resolve(res.resume().statusCode)).on('error', reject);
    });
    expect(status).toBe(403);
    expect(sim.state().faults.firewall).toBe(3);
    expect(sim.state().logins.accepted).toBe(0);
    sim.configure({ bareClientFirewall: false });
    expect((await fetch(`${sim.url}/v2/campaigns`)).status).toBe(401);
  });
});

describe('ExoClick simulator: the media library', () => {
  it('keeps an upload and answers the file object, the hash being md5 or sha256 as asked', async () => {
    const { sim, client } = await signedIn();
    const response = await client.upload('Banner_300x250.PNG', 'png bytes');
    expect(response.status).toBe(200);
    const file = (await response.json()) as Record<string, unknown>;
    expect(file).toMatchObject({
      type: 'image',
      file_name: 'Banner_300x250.PNG',
      file_extension: 'png',
      file_size_original: 9,
      file_hash_original: md5('png bytes'),
      status: 0,
      is_archived: false,
      is_adult: true,
      width: 0,
      height: 0,
      duration: 0,
    });
    expect(Number.isInteger(file.id)).toBe(true);
    expect(typeof file.url).toBe('string');
    sim.configure({ fileHash: 'sha256' });
    const [listed] = await client.result<Record<string, unknown>[]>(
      'library/file?type=image&orderBy=a:id&limit=10&offset=0',
    );
    expect(listed?.file_hash_original).toBe(sha256('png bytes'));
    expect(sim.state().files).toEqual([
      {
        id: file.id,
        name: 'Banner_300x250.PNG',
        type: 'image',
        md5: md5('png bytes'),
        sha256: sha256('png bytes'),
        size: 9,
        status: 0,
      },
    ]);
    sim.setStatus(file.id as number, 1);
    expect(sim.state().files[0]?.status).toBe(1);
    expect(() => sim.setStatus(1, 1)).toThrow(/no file/);
  });

  it('refuses a bad type or a missing file with 422, and a name matching rejectPattern', async () => {
    const { sim, client } = await signedIn({ rejectPattern: 'forbidden' });
    expect((await client.upload('a.png', 'x', 'banner')).status).toBe(422);
    const noFile = new FormData();
    noFile.append('type', 'image');
    expect((await client.call('POST', 'library/file', { form: noFile })).status).toBe(422);
    const rejected = await client.upload('forbidden-ad.png', 'x');
    expect(rejected.status).toBe(422);
    expect(((await rejected.json()) as { message: string }).message).toMatch(/forbidden-ad\.png/);
    expect(sim.state().files).toHaveLength(0);
    expect(sim.state().uploads).toEqual({ 'forbidden-ad.png': 1 });
  });

  it('lists one type by id, ascending or descending, a page at a time with a short last page', async () => {
    const { client } = await signedIn();
    const ids: number[] = [];
    for (const n of [1, 2, 3, 4, 5]) ids.push(await client.uploadedId(`image-${n}.png`, `image ${n}`));
    await client.uploadedId('clip.mp4', 'video', 'video');
    const pages: number[][] = [];
    for (let offset = 0; ; offset += 2) {
      const page = await client.result<{ id: number }[]>(
        `library/file?type=image&orderBy=a:id&limit=2&offset=${offset}`,
      );
      pages.push(page.map((file) => file.id));
      if (page.length < 2) break;
    }
    expect(pages).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
    const descending = await client.result<{ id: number }[]>('library/file?type=image&orderBy=d:id&limit=3&offset=0');
    expect(descending.map((file) => file.id)).toEqual([...ids].reverse().slice(0, 3));
    const videos = await client.result<{ type: string }[]>('library/file?type=video&orderBy=a:id&limit=10&offset=0');
    expect(videos.map((file) => file.type)).toEqual(['video']);
    expect((await client.call('GET', 'library/file?orderBy=a:id&limit=10')).status).toBe(400);
    expect((await client.call('GET', 'library/file?type=image&limit=501')).status).toBe(400);
    expect((await client.call('GET', 'library/file?type=image&orderBy=name')).status).toBe(400);
  });

  it('makes a second file for the same bytes, counting it resent only when the name matches too', async () => {
    const { sim, client } = await signedIn();
    const first = await client.uploadedId('same.png', 'same bytes');
    const second = await client.uploadedId('same.png', 'same bytes');
    await client.uploadedId('other-name.png', 'same bytes');
    await client.uploadedId('same.png', 'different bytes');
    expect(second).toBeGreaterThan(first);
    const state = sim.state();
    expect(state.files).toHaveLength(4);
    expect(state.resent).toEqual({ 'same.png': 1 });
    expect(state.uploads).toEqual({ 'same.png': 3, 'other-name.png': 1 });
    expect(state.uploadsByHash).toEqual({ [sha256('same bytes')]: 3, [sha256('different bytes')]: 1 });
  });

  it('serves each planned fault: 500 and 503 with text, a drop after keeping, the firewall, a 429', async () => {
    const { sim, client } = await signedIn({
      uploadFaultPlan: ['server-error', 'server-error', 'dropped-after-kept', 'firewall', 'rate-limited'],
      rateLimit: { limit: 100, windowSeconds: 1 },
    });
    const errors = [await client.upload('a.png', 'a'), await client.upload('a.png', 'a')];
    expect(errors.map((response) => response.status)).toEqual([500, 503]);
    expect(errors[0]?.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await errors[1]?.text()).toBe('Service Temporarily Unavailable');
    expect(sim.state().files).toHaveLength(0);
    await expect(client.upload('a.png', 'a')).rejects.toThrow();
    expect(sim.state().files.map((file) => file.name)).toEqual(['a.png']);
    const firewall = await client.upload('b.png', 'b');
    expect([firewall.status, (await firewall.text()).includes('<html>')]).toEqual([403, true]);
    const limited = await client.upload('b.png', 'b');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(Number(limited.headers.get('x-rate-limit-reset'))).toBeGreaterThanOrEqual(1);
    await delay(Number(limited.headers.get('x-rate-limit-reset')) * 1000 + 50);
    expect((await client.upload('b.png', 'b')).status).toBe(200);
    const state = sim.state();
    expect(state.files.map((file) => file.name)).toEqual(['a.png', 'b.png']);
    expect(state.faults).toEqual({ serverErrors: 2, dropped: 1, firewall: 1, rateLimited: 1 });
    expect(state.uploads).toEqual({ 'a.png': 3, 'b.png': 3 });
    expect(state.resent).toEqual({});
    expect(state.tooEarly).toBe(0);
  });

  it('draws random faults after the plan, and starts a new plan given by configure from its first entry', async () => {
    const { sim, client } = await signedIn({ uploadFaultPlan: ['ok'], errorRate: 1 });
    expect((await client.upload('a.png', 'a')).status).toBe(200);
    expect([500, 503]).toContain((await client.upload('b.png', 'b')).status);
    sim.configure({ errorRate: 0, uploadFaultPlan: ['firewall'] });
    expect((await client.upload('c.png', 'c')).status).toBe(403);
    expect((await client.upload('c.png', 'c')).status).toBe(200);
  });

  it('registers a landing page and answers its id as an object or an array of one', async () => {
    const { sim, client } = await signedIn();
    const object = (await (
      await client.call('POST', 'library/url', { json: { url: 'https://land.example/a' } })
    ).json()) as { id: number; url: string };
    expect(object).toEqual({ id: expect.any(Number) as number, url: 'https://land.example/a' });
    sim.configure({ urlResultShape: 'array' });
    const array = (await (
      await client.call('POST', 'library/url', { json: { url: 'https://land.example/b' } })
    ).json()) as { id: number }[];
    expect(array).toEqual([{ id: object.id + 1, url: 'https://land.example/b' }]);
    expect((await client.call('POST', 'library/url', { json: { url: 'not a url' } })).status).toBe(422);
  });
});

describe('ExoClick simulator: campaigns and variations', () => {
  const campaigns = [
    { id: 11, name: 'First' },
    { id: 12, name: 'Second' },
  ];

  it('lists campaigns as an array newest first, or as an object keyed by id', async () => {
    const { sim, client } = await signedIn({ campaigns });
    const array = await client.result<{ id: number; name: string }[]>(
      'campaigns?status=1&orderBy=d:id&limit=10&offset=0',
    );
    expect(array.map((campaign) => [campaign.id, campaign.name])).toEqual([
      [12, 'Second'],
      [11, 'First'],
    ]);
    expect(await client.result<unknown[]>('campaigns?status=0&orderBy=d:id&limit=10&offset=0')).toEqual([]);
    sim.configure({ campaignsResultShape: 'object' });
    const object = await client.result<Record<string, { id: number }>>(
      'campaigns?status=&orderBy=d:id&limit=10&offset=0',
    );
    expect(Array.isArray(object)).toBe(false);
    expect(object['11']?.id).toBe(11);
    expect(Object.keys(object).sort()).toEqual(['11', '12']);
    const missing = await client.call('GET', 'campaigns/99');
    expect([missing.status, Object.keys((await missing.json()) as object)]).toEqual([404, ['message']]);
  });

  it("'multipart': creates variations by POST .../variation, never refusing a second of a file; PUT answers 404", async () => {
    const { sim, client } = await signedIn({ campaigns, variationShape: 'multipart' });
    const fileId = await client.uploadedId('ad.png', 'ad');
    const form = (idLibraryFile: string): FormData => {
      const data = new FormData();
      for (const [key, value] of Object.entries({
        name: 'Ad one',
        description: 'Desc',
        id_library_file: idLibraryFile,
        url: 'https://land.example/x',
      }))
        data.append(key, value);
      return data;
    };
    expect(
      (await client.call('PUT', 'campaigns/11/variations', { json: [{ name: 'x', id_library_file: fileId }] })).status,
    ).toBe(404);
    expect((await client.call('POST', 'campaigns/11/variation', { form: form('123') })).status).toBe(422);
    expect((await client.call('POST', 'campaigns/11/variation', { json: { name: 'x' } })).status).toBe(415);
    const created = await client.call('POST', 'campaigns/11/variation', { form: form(String(fileId)) });
    expect(created.status).toBe(200);
    expect((await client.call('POST', 'campaigns/11/variation', { form: form(String(fileId)) })).status).toBe(200);
    sim.setStatus(fileId, 1);
    const detail = await client.result<{ campaign: { id: number }; variations: Record<string, unknown>[] }>(
      'campaigns/11',
    );
    expect(detail.campaign.id).toBe(11);
    expect(detail.variations).toHaveLength(2);
    expect(detail.variations[0]).toMatchObject({
      name: 'Ad one',
      description: 'Desc',
      url: 'https://land.example/x',
      idvariations_file: fileId,
      idvariations_url: null,
      brand: '',
      status: 1,
      active: true,
      calculated_status: 'active',
      file_type: 'image',
    });
    expect(Object.keys(detail.variations[0] ?? {}).sort()).toEqual([
      'active',
      'brand',
      'calculated_status',
      'description',
      'file_type',
      'idvariation',
      'idvariations_file',
      'idvariations_url',
      'name',
      'status',
      'url',
    ]);
    const state = sim.state();
    expect(state.variationCreates).toBe(2);
    expect(
      state.campaigns.find((campaign) => campaign.id === 11)?.variations.map((variation) => variation.creates),
    ).toEqual([2, 2]);
  });

  it("'json': creates and updates by PUT .../variations; POST answers 404; a planned drop creates and then drops", async () => {
    const { sim, client } = await signedIn({
      campaigns,
      variationShape: 'json',
      variationFaultPlan: ['dropped-after-kept', 'server-error'],
    });
    const fileId = await client.uploadedId('clip.mp4', 'clip', 'video');
    const url = (await (
      await client.call('POST', 'library/url', { json: { url: 'https://land.example/v' } })
    ).json()) as { id: number };
    const entry = {
      name: 'Clip ad',
      description: 'D',
      brand: 'Brand',
      id_library_file: fileId,
      id_library_url: url.id,
      active: 1,
      share: 100,
    };
    const post = new FormData();
    post.append('name', 'x');
    expect((await client.call('POST', 'campaigns/12/variation', { form: post })).status).toBe(404);
    expect(
      (await client.call('PUT', 'campaigns/12/variations', { json: [{ ...entry, id_library_file: 1 }] })).status,
    ).toBe(422);
    expect((await client.call('PUT', 'campaigns/12/variations', { json: { entry } })).status).toBe(422);
    // A probe that creates nothing draws no fault.
    expect(await (await client.call('PUT', 'campaigns/12/variations', { json: [] })).json()).toEqual({ result: [] });
    await expect(client.call('PUT', 'campaigns/12/variations', { json: [entry] })).rejects.toThrow();
    expect(sim.state().campaigns[1]?.variations).toHaveLength(1);
    expect((await client.call('PUT', 'campaigns/12/variations', { json: [entry] })).status).toBe(500);
    const [variation] = (
      await client.result<{
        variations: { idvariation: number; url: string; idvariations_url: number; calculated_status: string }[];
      }>('campaigns/12')
    ).variations;
    expect(variation).toMatchObject({
      url: 'https://land.example/v',
      idvariations_url: url.id,
      calculated_status: 'in review',
    });
    const updated = await client.call('PUT', 'campaigns/12/variations', {
      json: [{ idvariation: variation?.idvariation, name: 'Renamed', active: false }],
    });
    expect(((await updated.json()) as { result: { name: string; active: boolean }[] }).result).toMatchObject([
      { name: 'Renamed', active: false },
    ]);
    const state: ExoSimState = sim.state();
    expect(state.variationCreates).toBe(1);
    expect(state.faults).toMatchObject({ dropped: 1, serverErrors: 1 });
    expect(state.campaigns[1]?.variations).toEqual([
      { idvariation: variation?.idvariation, name: 'Renamed', idvariations_file: fileId, creates: 1, extra: {} },
    ]);
    expect(await (await fetch(`${sim.url}/_sim/state`)).json()).toEqual(state);
  });
});
