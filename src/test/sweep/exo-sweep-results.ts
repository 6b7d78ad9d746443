import { CampaignAdsService } from '../../campaigns/campaign-ads.service.js';
import { RunCheckpoint } from '../../campaigns/run-checkpoint.js';
import { Layout } from '../../core/layout.js';
import { USER_AGENT } from '../../core/product.js';
import { ExoResults } from '../../platform/exoclick/exo-results.js';
import type { CreativeIds, ResultsFetch } from '../../platform/results-source.js';
import type { ExoStrike } from '../../simulators/exoclick/options.js';
import { CheckpointRepository } from '../../store/checkpoint.repository.js';
import { tempRoot } from '../fixtures.js';
import {
  API_TOKEN,
  describeThrown,
  openUploader,
  removeDir,
  SILENT_LOG,
  startSimulator,
  strikeAfter,
  STORAGE,
  type PointReport,
  type SweepMedia,
} from './exo-sweep-support.js';
import { jobOf, seedLibrary } from './exo-sweep-variations.js';

/**
 * The results flow of the ExoClick sweep: a statistics fetch, as `fetch-results` runs it, of a
 * campaign whose variations show our files. Setting up (the files uploaded, the variations
 * created, their figures set) comes first and is not counted. A point passes when the fetch gives
 * every creative its figures exactly (nothing counted twice, nothing lost), or fails whole and the
 * next fetch does; a session that dies is never taken for a refused token.
 */

const CAMPAIGN_ID = 5_100_001;
const DAY = '2026-12-01';

export async function resultsPoint(media: SweepMedia, strike: ExoStrike | undefined): Promise<PointReport> {
  const layout = new Layout(await tempRoot('cf-sweep-exo-results-'));
  const sim = await startSimulator({ variationShape: 'json' });
  try {
    const ads = await seedLibrary(sim, media, layout);
    const creator = await openUploader(sim);
    await new CampaignAdsService({ record: async () => undefined }, SILENT_LOG).run(
      [jobOf(ads)],
      await RunCheckpoint.begin(new CheckpointRepository(layout, STORAGE), false),
      (campaignId, request) => creator.createAds(campaignId, request),
      { dryRun: false, retryFailed: false },
    );
    await creator.close();
    const byFile = new Map<string, string>();
    const expected = new Map<string, { impressions: number; cost: number; conversions: number }>();
    for (const [i, ad] of ads.entries()) {
      const uniqueId = /ID-[0-9A-F]{8}/.exec(ad.name)?.[0] ?? '';
      byFile.set(ad.videoId, uniqueId).set(ad.thumbnailId, uniqueId);
      expected.set(uniqueId, { impressions: 100 * (i + 1), cost: 0.1 * (i + 1), conversions: i + 1 });
    }
    const variations = sim.state().campaigns.find((campaign) => campaign.id === CAMPAIGN_ID)?.variations ?? [];
    for (const variation of variations) {
      const figures = expected.get(byFile.get(String(variation.idvariations_file)) ?? '');
      if (figures)
        sim.setVariationStats(variation.idvariation, DAY, {
          impressions: figures.impressions,
          clicks: 1,
          cost: figures.cost,
          goals: { g1: figures.conversions },
        });
    }
    const ids: CreativeIds = {
      isOurs: (uniqueId) => expected.has(uniqueId),
      uniqueIdOfExoFile: (fileId) => byFile.get(fileId),
    };
    const setUp = sim.state().requests;
    sim.configure({ strike: strikeAfter(strike, setUp) });
    const fetchOnce = (): Promise<ResultsFetch> =>
      ExoResults.open(
        { apiUrl: `${sim.url}/v2/`, apiToken: API_TOKEN, userAgent: USER_AGENT },
        { log: SILENT_LOG, retryBaseMs: 2 },
      ).fetchDays([DAY], ids);
    const problems: string[] = [];
    let secondPass = false;
    let fetched = await fetchOnce().catch((error: unknown) => error);
    const requests = sim.state().requests - setUp;
    if (fetched instanceof Error && fetched.name === 'ResultsKeyRefusedError')
      problems.push(`a good token was taken for refused: ${describeThrown(fetched)}`);
    if (fetched instanceof Error) {
      secondPass = true;
      sim.configure({ strike: undefined });
      fetched = await fetchOnce().catch((error: unknown) => error);
    }
    if (fetched instanceof Error) problems.push(`the fetch after the fault failed too: ${describeThrown(fetched)}`);
    else problems.push(...figureProblems(fetched as ResultsFetch, expected));
    return { requests, resends: 0, secondPass, problems };
  } finally {
    await sim.close();
    await removeDir(layout.root);
  }
}

/** Each creative's figures exactly as set: one row, its sums, and nothing counted as not ours. */
function figureProblems(
  fetched: ResultsFetch,
  expected: ReadonlyMap<string, { impressions: number; cost: number; conversions: number }>,
): string[] {
  const problems: string[] = [];
  for (const [uniqueId, figures] of expected) {
    const rows = fetched.rows.filter((row) => row.uniqueId === uniqueId);
    if (rows.length !== 1) problems.push(`${uniqueId} has ${rows.length} rows for the day`);
    const row = rows[0];
    if (
      row &&
      (row.impressions !== figures.impressions ||
        row.conversions !== figures.conversions ||
        Math.round(row.cost * 100) !== Math.round(figures.cost * 100))
    ) {
      problems.push(
        `${uniqueId} got ${row.impressions} impressions, ${row.conversions} conversions, $${row.cost}, not ${figures.impressions}, ${figures.conversions}, $${figures.cost.toFixed(2)}`,
      );
    }
  }
  const strangers = fetched.notOurs.reduce((sum, day) => sum + day.items, 0);
  if (strangers > 0) problems.push(`${strangers} variations were counted as not ours`);
  return problems;
}
