import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXO_PROFILE } from '../../config/profile.js';
import { createLogger } from '../../core/logger.js';
import { USER_AGENT } from '../../core/product.js';
import type { ExoSimulatorOptions } from '../../simulators/exoclick/options.js';
import { startExoSimulator, type RunningExoSimulator } from '../../simulators/exoclick/server.js';
import { StorageRepository } from '../../store/storage.repository.js';
import { tempRoot } from '../../test/fixtures.js';
import { ExoCampaigns } from './campaigns.js';
import { checkExo } from './check.js';
import { ExoUploader } from './exo-uploader.js';
import { ExoTransport } from './transport.js';

/**
 * Issue 27, item 7: `check` writes nothing, and creating variations by PUT (which may replace the
 * whole list) loses nothing of what the campaign had, and sees a change made meanwhile.
 */

const log = createLogger({ level: 'silent', pretty: false });
const TOKEN = 'sim-exo-token';
const CAMPAIGN = 5_100_001;
const PUT = `PUT /v2/campaigns/${CAMPAIGN}/variations`;
const storage = new StorageRepository();
let sim: RunningExoSimulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const connection = (api: RunningExoSimulator) => ({
  apiUrl: `${api.url}/v2/`,
  apiToken: TOKEN,
  fileTypes: EXO_PROFILE.fileTypes,
  userAgent: USER_AGENT,
});

/** A simulator with `count` image files in its library (uploaded through the adapter), and their ids. */
async function withFiles(
  count: number,
  options: Partial<ExoSimulatorOptions>,
): Promise<{ api: RunningExoSimulator; ids: number[] }> {
  sim = await startExoSimulator({ port: 0, apiTokens: [TOKEN], ...options });
  const uploader = await ExoUploader.open(connection(sim), { storage, log });
  const dir = await tempRoot();
  const sent = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const name = `IMG_EN_Put_F_Real_SFW_Test_Me_ID-0000000${i}`;
      await fs.writeFile(path.join(dir, `${name}.png`), randomBytes(1_000 + i));
      return { path: path.join(dir, `${name}.png`), name };
    }),
  );
  const results = await uploader.upload('static-banner', sent);
  const ids = sent.map((file) => {
    const result = results.get(file.name);
    if (result?.status !== 'uploaded') throw new Error(`setting up: ${file.name} was not uploaded`);
    return Number(result.creativeId);
  });
  return { api: sim, ids };
}

/** The campaigns module on its own transport, as the uploader holds it, so a test sees what it says of a change meanwhile. */
function campaigns(api: RunningExoSimulator): ExoCampaigns {
  return new ExoCampaigns(new ExoTransport({ baseUrl: `${api.url}/v2/`, apiToken: TOKEN, userAgent: USER_AGENT, log }));
}

const ours = (fileId: number) => ({ name: 'Ours', description: 'Our ad', fileId: String(fileId), url: '' });

describe('ExoClick variations: check writes nothing, a PUT keeps what it does not know', () => {
  it('check logs in and reads only: the simulator receives no write, and the variation shape is said to be unverified', async () => {
    for (const variationShape of ['json', 'multipart'] as const) {
      sim = await startExoSimulator({ port: 0, apiTokens: [TOKEN], variationShape });
      const lines = await checkExo(connection(sim), { storage, log }, { campaignId: String(CAMPAIGN) });
      expect(sim.state().writes, variationShape).toEqual([]);
      expect(sim.state().writeCount, variationShape).toBe(0);
      expect(
        lines.map((line) => [line.name, line.result]),
        variationShape,
      ).toEqual([
        ['exoclick.login', 'ok'],
        ['exoclick.library', 'ok'],
        ['exoclick.campaign', 'ok'],
        ['exoclick.variations', 'skipped'],
      ]);
      expect(lines.at(-1)?.detail).toMatch(/^not verified: .*check changes nothing/);
      await sim.close();
      sim = undefined;
    }
  });

  it('a PUT that replaces the list sends each existing variation back whole, fields it does not model included', async () => {
    const { api, ids } = await withFiles(2, { variationShape: 'json', variationsPut: 'replace' });
    api.addVariationByPerson(CAMPAIGN, {
      name: 'By a person',
      idvariations_file: ids[0] ?? 0,
      extra: { tracking_template: '{clickid}', schedule: { days: [1, 2, 3] } },
    });
    const outcome = await campaigns(api).create(String(CAMPAIGN), [ours(ids[1] ?? 0)]);
    const variations = api.state().campaigns.find((campaign) => campaign.id === CAMPAIGN)?.variations ?? [];
    expect(variations.map((variation) => [variation.name, variation.creates, variation.extra])).toEqual([
      ['By a person', 1, { tracking_template: '{clickid}', schedule: { days: [1, 2, 3] } }],
      ['Ours', 1, {}],
    ]);
    expect([outcome.created.map((variation) => variation.name), outcome.missing, outcome.changedMeanwhile]).toEqual([
      ['Ours'],
      [],
      [],
    ]);
    expect(api.state().writes.filter((write) => write === PUT)).toHaveLength(1);
  });

  it('a variation deleted between the read and the PUT: the refused PUT is sent again from a fresh read, and the change is said', async () => {
    const { api, ids } = await withFiles(2, { variationShape: 'json', variationsPut: 'replace' });
    const theirs = api.addVariationByPerson(CAMPAIGN, { name: 'Deleted meanwhile', idvariations_file: ids[0] ?? 0 });
    let deleted = false;
    api.onRequest((request) => {
      if (request.method === 'PUT' && !deleted) {
        deleted = true;
        api.removeVariationByPerson(CAMPAIGN, theirs);
      }
    });
    const outcome = await campaigns(api).create(String(CAMPAIGN), [ours(ids[1] ?? 0)]);
    expect([outcome.created.map((variation) => variation.name), outcome.missing]).toEqual([['Ours'], []]);
    expect(outcome.changedMeanwhile).toEqual([expect.stringMatching(new RegExp(`${theirs} "Deleted meanwhile" gone`))]);
    expect(
      api
        .state()
        .campaigns.find((campaign) => campaign.id === CAMPAIGN)
        ?.variations.map((variation) => [variation.name, variation.creates]),
    ).toEqual([['Ours', 1]]);
    expect(api.state().writes.filter((write) => write === PUT)).toHaveLength(2);
  });

  it('ours replaced by another client between the PUT and the read back: sent once more from that read, keeping theirs', async () => {
    const { api, ids } = await withFiles(2, { variationShape: 'json', variationsPut: 'replace' });
    let sawPut = false;
    let replaced = false;
    api.onRequest((request) => {
      if (request.method === 'PUT') sawPut = true;
      else if (sawPut && !replaced && request.method === 'GET' && request.path === `/v2/campaigns/${CAMPAIGN}`) {
        // Another client's PUT of its own list, which did not have ours, lands just before our read back.
        replaced = true;
        const mine = api
          .state()
          .campaigns.find((campaign) => campaign.id === CAMPAIGN)
          ?.variations.find((variation) => variation.name === 'Ours');
        if (mine) api.removeVariationByPerson(CAMPAIGN, mine.idvariation);
        api.addVariationByPerson(CAMPAIGN, {
          name: 'Another client',
          idvariations_file: ids[0] ?? 0,
          extra: { note: 'kept' },
        });
      }
    });
    const outcome = await campaigns(api).create(String(CAMPAIGN), [ours(ids[1] ?? 0)]);
    expect([outcome.created.map((variation) => variation.name), outcome.missing]).toEqual([['Ours'], []]);
    expect(outcome.changedMeanwhile).toEqual([expect.stringMatching(/"Another client" appeared/)]);
    const variations = api.state().campaigns.find((campaign) => campaign.id === CAMPAIGN)?.variations ?? [];
    expect(variations.map((variation) => [variation.name, variation.creates, variation.extra])).toEqual([
      ['Another client', 1, { note: 'kept' }],
      ['Ours', 1, {}],
    ]);
  });

  it('a variation added by someone after the PUT is said, and nothing is sent again', async () => {
    const { api, ids } = await withFiles(2, { variationShape: 'json' });
    let sawPut = false;
    let added = false;
    api.onRequest((request) => {
      if (request.method === 'PUT') sawPut = true;
      else if (sawPut && !added && request.method === 'GET') {
        added = true;
        api.addVariationByPerson(CAMPAIGN, { name: 'Added by a person', idvariations_file: ids[0] ?? 0 });
      }
    });
    const outcome = await campaigns(api).create(String(CAMPAIGN), [ours(ids[1] ?? 0)]);
    expect(outcome.created.map((variation) => variation.name)).toEqual(['Ours']);
    expect(outcome.changedMeanwhile).toEqual([expect.stringMatching(/"Added by a person" appeared/)]);
    expect(api.state().writes.filter((write) => write === PUT)).toHaveLength(1);
  });
});
