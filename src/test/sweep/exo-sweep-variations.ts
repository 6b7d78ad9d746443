import { CampaignAdsService, type CampaignRunSummary, type CreateAds } from '../../campaigns/campaign-ads.service.js';
import { campaignJob, type CampaignJob } from '../../campaigns/campaign-job.js';
import { RunCheckpoint } from '../../campaigns/run-checkpoint.js';
import type { CampaignAdRecord } from '../../core/campaigns.js';
import { Layout, rootPath } from '../../core/layout.js';
import type { UploadTarget } from '../../core/platform.js';
import { NATIVE_HEADER } from '../../core/campaign-format.js';
import type { ExoStrike } from '../../simulators/exoclick/options.js';
import type { ExoSimState, RunningExoSimulator } from '../../simulators/exoclick/server.js';
import { CampaignAdsRepository } from '../../store/campaign-ads.repository.js';
import { CheckpointRepository } from '../../store/checkpoint.repository.js';
import { tempRoot } from '../fixtures.js';
import {
  describeThrown,
  limitProblems,
  openUploader,
  placeMedium,
  removeDir,
  resendProblems,
  SILENT_LOG,
  startSimulator,
  strikeAfter,
  STORAGE,
  type PointReport,
  type SweepMedia,
  type SweepMedium,
} from './exo-sweep-support.js';

/**
 * The variation flow of the ExoClick sweep: a campaign job of native ads, run by
 * `CampaignAdsService` as `campaigns create` runs it, creates one variation per ad through the
 * real adapter, in the variation shape the simulator's account answers. Setting up (the ads'
 * files put in the library) comes first and is not counted: the flow's requests start at its own
 * login.
 */

/** Ads of the job; two landing pages between them, so a URL is registered more than once a run. */
export const VARIATION_ADS = 3;
const CAMPAIGN_ID = 5_100_001;
const LANDING_PAGES = ['https://land.example/one', 'https://land.example/two'];

/** One ad, and the library files of its native pair as setting up uploaded them. */
export interface Ad {
  readonly name: string;
  readonly videoId: string;
  readonly thumbnailId: string;
  readonly url: string;
}

export type VariationShape = 'json' | 'multipart';

/** Runs the variation flow once, with `strike` or none, and checks it. */
export async function variationPoint(
  media: SweepMedia,
  shape: VariationShape,
  strike: ExoStrike | undefined,
): Promise<PointReport> {
  const layout = new Layout(await tempRoot('cf-sweep-exo-ads-'));
  const sim = await startSimulator({ variationShape: shape });
  try {
    const ads = await seedLibrary(sim, media, layout);
    const setUp = sim.state().requests;
    sim.configure({ strike: strikeAfter(strike, setUp) });
    const repository = await CampaignAdsRepository.open(layout.db, STORAGE);
    const recorded: CampaignAdRecord[] = [];
    // The records go to the repository as in the daemon, and are kept here to be checked.
    const record = (records: readonly CampaignAdRecord[]): Promise<void> => {
      recorded.push(...records);
      return repository.record(records);
    };
    const service = new CampaignAdsService({ record }, SILENT_LOG);
    const checkpoints = new CheckpointRepository(layout, STORAGE);
    const job = jobOf(ads);
    const problems: string[] = [];
    let secondPass = false;
    const uploader = await openUploader(sim).catch(
      (error: unknown) => void problems.push(`the API session did not open: ${describeThrown(error)}`),
    );
    if (uploader) {
      const createAds: CreateAds = (campaignId, request) => uploader.createAds(campaignId, request);
      const first = await service.run([job], await RunCheckpoint.begin(checkpoints, false), createAds, {
        dryRun: false,
        retryFailed: false,
      });
      problems.push(...stopProblems(first), ...variationProblems(sim.state(), ads, false));
      // A campaign that failed (a fault where nothing may be sent again blindly) is run again, as `--retry-failed` does.
      secondPass = first.results.some((result) => result.result !== 'succeeded');
      const last = secondPass
        ? await service.run([job], await RunCheckpoint.begin(checkpoints, false), createAds, {
            dryRun: false,
            retryFailed: true,
          })
        : first;
      if (secondPass) problems.push(...stopProblems(last));
      problems.push(...outcomeProblems(last, ads, recorded, repository));
    }
    const state = sim.state();
    const variations = state.campaigns.find((campaign) => campaign.id === CAMPAIGN_ID)?.variations ?? [];
    const resends =
      variations.length -
      new Set(variations.map((variation) => `${variation.name} ${variation.idvariations_file}`)).size;
    problems.push(
      ...variationProblems(state, ads, true),
      ...libraryProblems(state, ads),
      ...limitProblems(state),
      ...resendProblems(resends, 'variation'),
    );
    return { requests: state.requests - setUp, resends, secondPass, problems };
  } finally {
    await sim.close();
    await removeDir(layout.root);
  }
}

/** The ads' native pairs uploaded under their names, with no fault: their ids are what the job's rows name. */
export async function seedLibrary(sim: RunningExoSimulator, media: SweepMedia, layout: Layout): Promise<Ad[]> {
  const uploader = await openUploader(sim);
  const uploaded = async (target: UploadTarget, medium: SweepMedium | undefined, name: string): Promise<string> => {
    if (!medium) throw new Error('the sweep made too few media for the variation flow');
    const file = layout.abs(rootPath(`uploaded/${name}.${medium.ext}`));
    await placeMedium(medium, file);
    const result = (await uploader.upload(target, [{ path: file, name }])).get(name);
    if (result?.status !== 'uploaded')
      throw new Error(`setting up: ${name} was not uploaded (${JSON.stringify(result)})`);
    return result.creativeId;
  };
  const ads: Ad[] = [];
  for (let i = 0; i < VARIATION_ADS; i += 1) {
    const name = `NAT_EN_Sweep_ID-0000D00${i}`;
    const videoId = await uploaded('native-rollover', media.videos[i], `${name}-VID`);
    const thumbnailId = await uploaded('native-static', media.images[i], `${name}-IMG`);
    ads.push({ name, videoId, thumbnailId, url: LANDING_PAGES[i % LANDING_PAGES.length] ?? '' });
  }
  await uploader.close();
  return ads;
}

export function jobOf(ads: readonly Ad[]): CampaignJob {
  const rows = ads.map((ad) => ({
    'Ad Name': ad.name,
    'Target URL': ad.url,
    'Video Creative ID': ad.videoId,
    'Thumbnail Creative ID': ad.thumbnailId,
    Headline: `Headline of ${ad.name}`,
    'Brand Name': 'Sweep',
  }));
  return campaignJob(
    String(CAMPAIGN_ID),
    'Sweep campaign',
    'tracking/Upload_CSV/sweep.csv',
    { kind: 'native', header: [...NATIVE_HEADER], rows, problems: [] },
    'exoclick',
  );
}

/** A run that stopped to wait for a person, when the API token is good. */
function stopProblems(summary: CampaignRunSummary): string[] {
  const waiting = summary.results.filter((result) => result.result === 'waiting');
  return summary.stopped !== undefined || waiting.length > 0
    ? [`the run stopped for a person: ${summary.stopped ?? waiting[0]?.reason ?? ''}`]
    : [];
}

/** Each ad's variation in the campaign once (at most once while work is left), of its own file; nothing else there. */
function variationProblems(state: ExoSimState, ads: readonly Ad[], final: boolean): string[] {
  const variations = state.campaigns.find((campaign) => campaign.id === CAMPAIGN_ID)?.variations ?? [];
  const when = final ? 'at the end' : 'after the first pass';
  const problems: string[] = [];
  for (const ad of ads) {
    const copies = variations
      .filter((variation) => variation.name === ad.name)
      .map((variation) => String(variation.idvariations_file));
    if (copies.length > 1 || (final && copies.length === 0))
      problems.push(`${ad.name} has ${copies.length} variations ${when}`);
    if (copies.some((fileId) => fileId !== ad.videoId))
      problems.push(`a variation of ${ad.name} shows the file ${copies.join(', ')}, not its video ${ad.videoId}`);
  }
  const strangers = variations.filter((variation) => !ads.some((ad) => ad.name === variation.name));
  if (strangers.length > 0)
    problems.push(
      `the campaign holds variations not asked for: ${strangers.map((variation) => variation.name).join(', ')}`,
    );
  return problems;
}

/** What the last run recorded: the campaign done with every ad, and each ad's ids those of its own files. */
function outcomeProblems(
  summary: CampaignRunSummary,
  ads: readonly Ad[],
  recorded: readonly CampaignAdRecord[],
  repository: CampaignAdsRepository,
): string[] {
  const problems: string[] = [];
  const progress = summary.results[0]?.progress;
  if (progress?.status !== 'succeeded')
    problems.push(
      `the campaign ends ${progress?.status ?? 'not run'}: ${progress?.error ?? summary.results[0]?.reason ?? ''}`,
    );
  const done = new Set([...(progress?.created ?? []), ...(progress?.alreadyThere ?? [])]);
  for (const ad of ads) {
    if (!done.has(ad.name)) problems.push(`the checkpoint does not have ${ad.name} as created`);
    const records = recorded.filter((record) => record.adName === ad.name && record.status === 'created');
    if (records.length === 0) problems.push(`no record of ${ad.name} as created`);
    for (const record of records) {
      if (record.creativeIds.join(' ') !== `${ad.videoId} ${ad.thumbnailId}`)
        problems.push(
          `${ad.name} is recorded with the ids ${record.creativeIds.join(' ')}, not ${ad.videoId} ${ad.thumbnailId}`,
        );
    }
    if (!repository.campaignsOf(ad.videoId).includes(String(CAMPAIGN_ID)))
      problems.push(`the inventory does not place ${ad.videoId} in campaign ${CAMPAIGN_ID}`);
  }
  return problems;
}

/** Each id the rows name is the file of that ad's own name: setting up, and nothing after, put them there. */
function libraryProblems(state: ExoSimState, ads: readonly Ad[]): string[] {
  const problems: string[] = [];
  for (const ad of ads) {
    for (const [id, suffix] of [
      [ad.videoId, 'VID'],
      [ad.thumbnailId, 'IMG'],
    ] as const) {
      const file = state.files.find((each) => String(each.id) === id);
      if (!file?.name.startsWith(`${ad.name}-${suffix}.`))
        problems.push(`the file ${id} is ${file?.name ?? 'not in the library'}, not ${ad.name}-${suffix}`);
    }
  }
  if (state.files.length !== ads.length * 2)
    problems.push(`the library holds ${state.files.length} files, not the ${ads.length * 2} set up`);
  return problems;
}
