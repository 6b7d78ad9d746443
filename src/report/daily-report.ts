import type { CampaignAdRecord, StuckCampaign } from '../core/campaigns.js';
import { forPeople, localDate } from '../core/dates.js';
import { baseName, fileName } from '../core/files.js';
import type { RootPath } from '../core/layout.js';
import { platformIds, platformName, platformRefusal, type PlatformId, type SessionStatus } from '../core/platform.js';
import type { CreativeRecord } from '../core/record.js';
import { redactText } from '../core/redact.js';

export interface ReviewChangeOfDay {
  readonly name: string;
  readonly creativeId: string;
  readonly to: string;
  readonly at: string;
}

/** One creative as the report shows it. */
export interface ReportCreative {
  readonly key: string;
  readonly name: string;
  readonly source: string;
  readonly state: string;
  /** The ids each platform gave its outputs, by platform name, in registration order (TJ's creative ids, ExoClick's library file ids…); a platform it is not on is absent. */
  readonly ids: Readonly<Record<string, readonly string[]>>;
  readonly reviewStatus: string;
  readonly reason: string;
  /** Root-relative path of the picture the HTML shows, when there is one. */
  readonly picture?: RootPath;
}

export interface DailyReport {
  readonly date: string;
  readonly counts: {
    received: number;
    staged: number;
    uploaded: number;
    duplicates: number;
    rejected: number;
    knownFakes: number;
    failed: number;
    waiting: number;
  };
  /** Files each enabled platform took that day (uploaded, or found there already), by the platform's name. */
  readonly sentTo: Readonly<Record<string, number>>;
  readonly rejected: readonly { file: string; reason: string }[];
  readonly duplicates: readonly { file: string; reason: string }[];
  readonly failed: readonly { file: string; reason: string }[];
  /** Native pairs whose centre crop kept little of the frame (a portrait video), converted that day: to look at before they go up. */
  readonly cropped: readonly { file: string; reason: string }[];
  /** Review statuses on TJ of the creatives uploaded that day. */
  readonly reviewStatuses: Readonly<Record<string, number>>;
  /** Source bytes minus the bytes of what was staged, for the creatives staged that day. */
  readonly bytesSaved: number;
  /** Drop (found in inbox/) to upload, in seconds, for the creatives uploaded that day. */
  readonly dropToUpload: { median: number | undefined; worst: number | undefined };
  readonly batches: readonly { batch: number; dir: string; csvs: readonly string[] }[];
  /** Creatives TJ approved or rejected that day, as the status sync saw it. */
  readonly reviewChanges: readonly ReviewChangeOfDay[];
  readonly creatives: readonly ReportCreative[];
  /** Ads created in campaigns that day, and ads TJ refused, by campaign. */
  readonly campaignAds: { readonly created: readonly CampaignAdLine[]; readonly refused: readonly CampaignAdLine[] };
  /** Things a person must do, in plain words: settings still at a placeholder, and what waits for them. */
  readonly attention: readonly string[];
  /** Which creatives win, from the platforms' results over the last 7 days: absent while there are none. */
  readonly winners?: WinnersSection;
}

/** The report's "Which creatives win": the scale and kill lists with their reasons, and each test's winner. */
export interface WinnersSection {
  readonly from: string;
  readonly to: string;
  readonly scale: readonly WinnerLine[];
  readonly kill: readonly WinnerLine[];
  readonly tests: readonly { readonly testId: string; readonly best: WinnerLine | undefined }[];
}

export interface WinnerLine {
  readonly uniqueId: string;
  readonly name: string;
  readonly reason: string;
  /** The record, whose picture is the thumbnail. */
  readonly key: string | undefined;
  readonly picture: string | undefined;
}

export interface CampaignAdLine {
  readonly campaignId: string;
  readonly campaignName: string;
  readonly adName: string;
  readonly creativeIds: readonly string[];
  readonly reason?: string;
}

/** What the report is built from: the day's records and what the services know. */
export interface ReportInput {
  readonly date: string;
  /** The records touched that day (the service streams the database and keeps only those). */
  readonly records: readonly CreativeRecord[];
  /** Files still in progress or staged. */
  readonly waiting: number;
  readonly reviewStatusOf: (name: string) => string | undefined;
  readonly csvsOfBatch: (batch: number) => readonly string[];
  readonly reviewChanges?: readonly ReviewChangeOfDay[];
  /** Campaign settings still at a placeholder, and the CSVs written `_NOT_READY` because of them. */
  readonly notReady?: { readonly missing: readonly string[]; readonly files: readonly string[] } | undefined;
  /** The enabled platforms, and why uploads to each wait for a person, when they do. */
  readonly platforms?: readonly { readonly platform: PlatformId; readonly waiting?: SessionStatus | undefined }[];
  /** The ads recorded in campaigns that day. */
  readonly campaignAds?: readonly CampaignAdRecord[];
  /** Hands-off campaigns that stopped retrying. */
  readonly stuckCampaigns?: readonly StuckCampaign[];
  /** A dry run: what waits, waits for that, and no campaign CSV is written. */
  readonly dryRun?: boolean;
}

const on = (date: string, iso: string | undefined): boolean => iso !== undefined && localDate(iso) === date;

/** Whether anything happened to the record on that day: the only records a day's report reads. */
export function touchedOn(date: string, record: CreativeRecord): boolean {
  return Object.values(record.times).some((iso) => on(date, iso));
}

/**
 * Adds up one day. Pure: the service feeds it the day's records, how many files are still waiting,
 * review statuses and the campaign CSVs it found, so it can be tested on its own.
 */
export function buildDailyReport(input: ReportInput): DailyReport {
  const {
    date,
    records,
    waiting,
    reviewStatusOf,
    csvsOfBatch,
    reviewChanges = [],
    notReady,
    platforms = [{ platform: 'tj' }],
    campaignAds = [],
    stuckCampaigns = [],
    dryRun = false,
  } = input;
  const day = (record: CreativeRecord, state: keyof CreativeRecord['times']): boolean => on(date, record.times[state]);
  const handled = records.filter((record) => touchedOn(date, record));
  const uploadedToday = records.filter((record) => day(record, 'uploaded'));
  const reviewStatuses: Record<string, number> = {};
  const waits: number[] = [];
  for (const record of uploadedToday) {
    for (const output of record.outputs ?? []) {
      if (!output.uploads?.tj?.creativeId) continue;
      const status = reviewStatusOf(baseName(output.path)) ?? 'unknown';
      reviewStatuses[status] = (reviewStatuses[status] ?? 0) + 1;
    }
    const dropped = record.times.discovered;
    const uploaded = record.times.uploaded;
    if (dropped && uploaded) waits.push((Date.parse(uploaded) - Date.parse(dropped)) / 1000);
  }
  waits.sort((a, b) => a - b);
  const batches = new Map<number, string>();
  for (const record of handled)
    if (record.archive && on(date, record.times.archived)) batches.set(record.archive.batch, record.archive.dir);
  // Reasons are errors' and platforms' words, which may quote a credential: redacted, as in the log.
  const reasons = (state: 'rejected' | 'duplicate' | 'failed'): { file: string; reason: string }[] =>
    records
      .filter((record) => record.state === state && day(record, state))
      .map((record) => ({ file: record.source.path, reason: redactText(record.reason ?? '') }));

  return {
    date,
    counts: {
      received: records.filter((record) => day(record, 'discovered')).length,
      staged: records.filter((record) => day(record, 'staged')).length,
      uploaded: uploadedToday.length,
      duplicates: records.filter((record) => day(record, 'duplicate')).length,
      rejected: records.filter((record) => day(record, 'rejected')).length,
      knownFakes: records.filter((record) => record.knownFake && day(record, 'rejected')).length,
      failed: records.filter((record) => day(record, 'failed')).length,
      waiting,
    },
    rejected: reasons('rejected'),
    duplicates: reasons('duplicate'),
    failed: reasons('failed'),
    cropped: records
      .filter((record) => day(record, 'converted'))
      .flatMap((record) =>
        (record.naming?.review ?? [])
          .filter((line) => line.startsWith('cropped:'))
          .map((reason) => ({ file: record.source.path, reason })),
      ),
    reviewStatuses,
    bytesSaved: records
      .filter((record) => day(record, 'staged'))
      .reduce(
        (sum, record) =>
          sum +
          record.source.size -
          (record.outputs ?? [])
            .filter((output) => output.role !== 'original')
            .reduce((bytes, output) => bytes + output.bytes, 0),
        0,
      ),
    sentTo: Object.fromEntries(platforms.map(({ platform: id }) => [platformName(id), sentOn(date, records, id)])),
    dropToUpload: { median: waits.length ? waits[Math.floor((waits.length - 1) / 2)] : undefined, worst: waits.at(-1) },
    batches: [...batches].sort(([a], [b]) => a - b).map(([batch, dir]) => ({ batch, dir, csvs: csvsOfBatch(batch) })),
    reviewChanges: reviewChanges.filter(
      (change) => on(date, change.at) && (change.to === 'approved' || change.to === 'rejected'),
    ),
    creatives: handled.map((record) => reportCreative(record, reviewStatusOf)),
    campaignAds: {
      created: campaignAds.filter((ad) => ad.status === 'created' && on(date, ad.at)).map(toAdLine),
      refused: campaignAds.filter((ad) => ad.status === 'refused' && on(date, ad.at)).map(toAdLine),
    },
    // A platform's words (a wait's message, a campaign's error) may quote a URL or header with a credential.
    attention: [
      ...platforms.flatMap(({ platform: id, waiting: wait }) =>
        wait
          ? [
              `Uploads to ${platformName(id)} wait (${wait.state === 'password-refused' ? platformRefusal(id) : 'login needed'} since ${forPeople(wait.since)}): ${wait.message}`,
            ]
          : [],
      ),
      ...(dryRun && waiting > 0
        ? [
            `${waiting} creative${waiting === 1 ? ' waits' : 's wait'} because this is a dry run: nothing is sent until creative-flow runs with --live (or DRY_RUN=false).`,
          ]
        : []),
      // A dry run writes no campaign CSV: its placeholders matter once it runs live.
      ...(notReady && notReady.missing.length > 0 && !(dryRun && notReady.files.length === 0)
        ? [notReadyLine(notReady.missing, notReady.files.length)]
        : []),
      ...stuckCampaigns.map(
        (stuck) =>
          `Campaign ${stuck.campaignId}: the ads of ${stuck.source} failed ${stuck.attempts} times (${stuck.error}). Fix the cause, then \`creative-flow campaigns create --queued\` tries again.`,
      ),
    ].map(redactText),
  };
}

/** Files a platform took on that day. */
function sentOn(date: string, records: readonly CreativeRecord[], platform: PlatformId): number {
  let count = 0;
  for (const record of records) {
    for (const output of record.outputs ?? []) {
      const upload = output.uploads?.[platform];
      if ((upload?.status === 'uploaded' || upload?.status === 'duplicate') && on(date, upload.at)) count += 1;
    }
  }
  return count;
}

function toAdLine(ad: CampaignAdRecord): CampaignAdLine {
  return {
    campaignId: ad.campaignId,
    campaignName: ad.campaignName,
    adName: ad.adName,
    creativeIds: ad.creativeIds,
    ...(ad.reason ? { reason: redactText(ad.reason) } : {}),
  };
}

function notReadyLine(missing: readonly string[], files: number): string {
  const held =
    files > 0
      ? `${files} campaign CSV${files === 1 ? ' is' : 's are'} written as _NOT_READY and must not be sent to TJ`
      : 'Campaign CSVs will be written as _NOT_READY';
  return `${held}: set ${missing.join(', ')} in .env (they still hold placeholders); the CSVs are then written again, ready.`;
}

/** A creative as reports and the dashboard show it: its name, each platform's ids, TJ's review status and its picture. */
export function reportCreative(
  record: CreativeRecord,
  reviewStatusOf: (name: string) => string | undefined,
): ReportCreative {
  const outputs = record.outputs ?? [];
  const shown =
    outputs.find((output) => output.role === 'video') ??
    outputs.find((output) => output.role === 'creative') ??
    outputs[0];
  const picture =
    outputs.find((output) => output.role === 'image') ??
    outputs.find((output) => output.role === 'creative' && record.kind === 'image');
  const ids = Object.fromEntries(
    platformIds().flatMap((platform) => {
      const given = outputs.flatMap((output) => output.uploads?.[platform]?.creativeId ?? []);
      return given.length > 0 ? [[platformName(platform), given]] : [];
    }),
  );
  const base = {
    key: record.key,
    name: shown ? baseName(shown.path) : fileName(record.source.path),
    source: record.source.path,
    state: record.state,
    ids,
    reviewStatus: shown?.uploads?.tj?.creativeId ? (reviewStatusOf(baseName(shown.path)) ?? 'unknown') : '',
    reason: redactText(record.reason ?? ''),
  };
  const pictureSource = picture?.path ?? (record.kind === 'preroll' ? shown?.path : undefined);
  return pictureSource ? { ...base, picture: pictureSource } : base;
}
