import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportingDay } from '../results/days.js';
import { startExoSimulator, type RunningExoSimulator } from '../simulators/exoclick/server.js';
import type { RunningSimulator } from '../simulators/tj/server.js';
import { runCli, startDaemon, type Daemon } from './cli-runner.js';
import { freePort, listTree, makeVideo, tempRoot, waitFor } from './fixtures.js';
import { liveEnv, records, simState, testSimulator } from './simulated-tj.js';

const EXO_TOKEN = 'exo-results-token';
const TJ_KEY = 'tj-reporting-key-7f3a91';
const EXO_CAMPAIGN = 5_100_001;

interface ResultsJson {
  from: string;
  to: string;
  creatives: {
    unique_id: string;
    name: string;
    test_id: string | null;
    impressions: number;
    clicks: number;
    conversions: number;
    cost: number;
    cost_per_conversion: number | null;
    verdict: string;
    reason: string;
    platforms: Record<string, { impressions: number; conversions: number; cost: number }>;
  }[];
  tests: { test_id: string; best: string | null; conversions: number; cost: number }[];
}

/** Each creative's planned figures a platform reports for today: A the clear winner, B the clear loser, C too new to say. */
const PLAN = {
  A: {
    tj: { impressions: 10_000, clicks: 200, conversions: 50, cost: 50.05 },
    exo: { impressions: 5_000, clicks: 100, cost: 10.1, goals: { g1: 10 } },
  },
  B: {
    tj: { impressions: 10_000, clicks: 90, conversions: 5, cost: 50.01 },
    exo: { impressions: 5_000, clicks: 40, cost: 9.99, goals: { g1: 1 } },
  },
  C: { tj: { impressions: 300, clicks: 3, conversions: 0, cost: 0.33 }, exo: undefined },
} as const;

describe('which creatives win: from the drop to the verdicts, through the daemon and both simulators', () => {
  let root: string;
  let tj: RunningSimulator;
  let exo: RunningExoSimulator;
  let daemon: Daemon;
  /** Plan letter → our creative's `ID-…`, by the video each was made from. */
  const ids = new Map<keyof typeof PLAN, string>();

  beforeAll(async () => {
    tj = await testSimulator({ campaigns: [{ id: '1002', name: 'Native Two', type: 'native' }] });
    exo = await startExoSimulator({ port: 0, apiTokens: [EXO_TOKEN], variationShape: 'multipart' });
    root = await tempRoot();
    await fs.mkdir(path.join(root, 'tracking'), { recursive: true });
    await fs.writeFile(
      path.join(root, 'tracking', 'metadata_defaults.csv'),
      'folder_path,category_name,model_sex,style,creator_name,language,content_type,creative_description,test_id\nPromo,Promo,F,Real,Seras,EN,NSFW,Spring,AB1\n',
    );
    await fs.writeFile(
      path.join(root, 'tracking', 'campaign_targets.csv'),
      'folder,category,campaign_id,ad_type\nnative/Promo,,1002,native\n',
    );
    daemon = startDaemon(root, {
      ...liveEnv(tj),
      PLATFORMS: 'tj,exoclick',
      EXO_API_URL: `${exo.url}/v2/`,
      EXO_API_TOKEN: EXO_TOKEN,
      EXO_VIDEO_BANNER_MAX_BYTES: '5000000',
      EXO_IMAGE_MAX_BYTES: '5000000',
      TJ_API_URL: tj.apiUrl,
      TJ_API_KEY: TJ_KEY,
      UPLOAD_CRON: '*/1 * * * * *',
      CAMPAIGN_TARGET_URL: 'https://x.test/?c={CampaignID}',
      CAMPAIGN_BRAND: 'Brand',
      DASHBOARD_PORT: String(await freePort()),
    });
    tj.reporting.configure({ apiKey: TJ_KEY });
    await waitFor(() => daemon.output().includes('Watching inbox/'), 30_000, 'daemon start');
    for (const [seed, letter] of [
      [51, 'A'],
      [52, 'B'],
      [53, 'C'],
    ] as const)
      await makeVideo(path.join(root, 'inbox', 'native', 'Promo', `clip ${letter}.mp4`), { seconds: 2, seed });
    // TJ: the hands-off row makes the ads in campaign 1002.
    await waitFor(
      async () => ((await simState(tj)).campaigns.find((each) => each.id === '1002')?.ads.length ?? 0) >= 3,
      180_000,
      'the three ads in TJ campaign 1002',
      500,
    );
    // ExoClick: the batch's campaign CSV, mapped to an ExoClick campaign, once ExoClick has every drop's files.
    await waitFor(
      async () =>
        (await records(root)).filter((record) => record.outputs?.some((output) => output.uploads?.exoclick?.creativeId))
          .length >= 3,
      120_000,
      'the three drops on ExoClick',
      300,
    );
    // The upload pass runs every second, so the three drops may reach ExoClick in more than one
    // batch, each with its own CSV: every batch CSV is mapped, once they hold the three together.
    const csvDir = path.join(root, 'tracking', 'Upload_CSV');
    const csvs = await waitFor(
      async () => {
        const names = (await listTree(csvDir)).filter((name) => name.endsWith('_Native.csv'));
        let rows = 0;
        for (const name of names)
          rows += (await fs.readFile(path.join(csvDir, name), 'utf8')).split('\n').filter(Boolean).length - 1;
        return rows >= 3 ? names : undefined;
      },
      60_000,
      'the batch CSVs holding the three drops',
      300,
    );
    const mapped = csvs.map((csv) => `${EXO_CAMPAIGN},${csv},Exo one,True,exoclick`);
    await fs.writeFile(
      path.join(root, 'tracking', 'campaign_mapping.csv'),
      `campaign_id,csv_filename,campaign_name,enabled,platform\n${mapped.join('\n')}\n`,
    );
    const created = await runCli(['campaigns', 'create', '--only', String(EXO_CAMPAIGN), '--root', root], {
      DRY_RUN: 'false',
    });
    expect(created.code, created.stderr + created.stdout).toBe(0);
    const variations = exo.state().campaigns.find((each) => each.id === EXO_CAMPAIGN)?.variations ?? [];
    expect(variations, `campaigns create said: ${created.stdout}`).toHaveLength(3);

    for (const record of await records(root)) {
      const letter = /clip ([ABC])\.mp4$/.exec(record.source.path)?.[1] as keyof typeof PLAN | undefined;
      if (letter && record.naming) ids.set(letter, `ID-${record.naming.id}`);
    }
    const today = reportingDay(new Date());
    for (const ad of tj.reporting.adsOf('1002')) {
      const letter = [...ids].find(([, id]) => ad.name.includes(id))?.[0];
      if (letter) tj.reporting.setAdStats(ad.id, today, PLAN[letter].tj);
    }
    // An ad that is none of ours, in the same campaign: counted apart.
    tj.reporting.seedAd('1002', { id: '777', name: 'someone else s banner' });
    tj.reporting.setAdStats('777', today, { impressions: 999, clicks: 9, conversions: 1, cost: 9.99 });
    const exoFiles = new Map<string, keyof typeof PLAN>();
    for (const record of await records(root)) {
      const letter = [...ids].find(([, id]) => id === `ID-${record.naming?.id}`)?.[0];
      for (const output of record.outputs ?? [])
        if (letter && output.uploads?.exoclick?.creativeId) exoFiles.set(output.uploads.exoclick.creativeId, letter);
    }
    let seeded = 0;
    for (const variation of variations) {
      const figures = PLAN[exoFiles.get(String(variation.idvariations_file)) ?? 'C'].exo;
      if (figures) exo.setVariationStats(variation.idvariation, today, figures);
      if (figures) seeded += 1;
    }
    // A's and B's variations, found by the files our records hold: a wrong join would seed fewer.
    expect(seeded).toBe(2);
  }, 400_000);

  afterAll(async () => {
    daemon?.child.kill('SIGTERM');
    await daemon?.exited;
    await Promise.all([tj?.close(), exo?.close()]);
  });

  it('gives each creative the sum of its ads on both platforms to the cent, and the verdicts a person would give', async () => {
    const fetched = await runCli(['fetch-results', '--root', root]);
    expect(fetched.stdout, fetched.stderr).toMatch(/TJ: \d+ days? fetched[\s\S]*ExoClick: \d+ days? fetched/);
    const result = await runCli(['results', '--json', '--root', root]);
    expect(result.code, result.stderr).toBe(0);
    const table = JSON.parse(result.stdout) as ResultsJson;
    const of = (letter: keyof typeof PLAN) =>
      table.creatives.find((creative) => creative.unique_id === ids.get(letter));
    expect(of('A')).toMatchObject({
      test_id: 'AB1',
      impressions: 15_000,
      clicks: 300,
      conversions: 60,
      cost: 60.15,
      verdict: 'scale',
      platforms: { tj: { cost: 50.05 }, exoclick: { cost: 10.1, conversions: 10 } },
    });
    expect(of('B')).toMatchObject({ conversions: 6, cost: 60, verdict: 'kill' });
    expect(of('B')?.reason).toMatch(/× test AB1's median cost per conversion after 6 conversions/);
    expect(of('C')).toMatchObject({ impressions: 300, verdict: 'watch' });
    expect(table.creatives.map((creative) => creative.unique_id)).toEqual([ids.get('A'), ids.get('B'), ids.get('C')]);
    expect(table.tests).toEqual([expect.objectContaining({ test_id: 'AB1', best: ids.get('A'), conversions: 66 })]);
    // The ad that is not ours is in no creative's figures.
    expect(table.creatives.reduce((sum, creative) => sum + creative.impressions, 0)).toBe(30_300);
  });

  it('says the winners in the daily report, and keeps the key out of every file but .env and out of the log', async () => {
    expect((await runCli(['report', '--root', root])).code).toBe(0);
    const reports = path.join(root, 'tracking', 'reports');
    const markdown = await fs.readFile(
      path.join(reports, (await fs.readdir(reports)).find((name) => name.endsWith('.md')) ?? ''),
      'utf8',
    );
    expect(markdown).toMatch(
      new RegExp(
        `## Which creatives win[\\s\\S]*\\*\\*Scale\\*\\*[\\s\\S]*${ids.get('A')}[\\s\\S]*\\*\\*Kill\\*\\*[\\s\\S]*${ids.get('B')}[\\s\\S]*AB1: .*${ids.get('A')}`,
      ),
    );
    expect(await fs.readFile(path.join(root, 'tracking', 'creative_results.csv'), 'utf8')).toMatch(
      new RegExp(`,tj,${ids.get('A')},.*,AB1,10000,200,50,50\\.05`),
    );
    for (const name of await listTree(root)) {
      if (name === '.env') continue;
      expect((await fs.readFile(path.join(root, name))).includes(TJ_KEY), name).toBe(false);
    }
    expect(daemon.output()).not.toContain(TJ_KEY);
  });
});
