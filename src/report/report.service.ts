import path from 'node:path';
import { missingCampaignSettings, type CampaignTemplate } from '../config/campaign-template.js';
import { localDayStart } from '../core/dates.js';
import { baseName, fileName } from '../core/files.js';
import { NOT_READY_SUFFIX, uploadCsvPrefix, type Layout, type RootPath } from '../core/layout.js';
import type { PlatformId } from '../core/platform.js';
import type { CreativeRecord } from '../core/record.js';
import { INGEST_STATES } from '../core/state.js';
import type { Logger } from '../core/logger.js';
import type { SessionStatusFile } from '../platform/session-status.js';
import type { CreativeRepository } from '../store/creative.repository.js';
import type { LibraryRepository } from '../store/library.repository.js';
import type { MediaRepository } from '../media/media.repository.js';
import type { StorageRepository } from '../store/storage.repository.js';
import type { CampaignAdsRepository } from '../store/campaign-ads.repository.js';
import type { StuckCampaign } from '../core/campaigns.js';
import { buildDailyReport, touchedOn, type DailyReport } from './daily-report.js';
import { renderHtml, renderMarkdown } from './render.js';
import { winnersOf } from './winners.js';
import { daysBefore } from '../results/days.js';
import type { ResultsService } from '../results/results.service.js';

/** What the daily report is made from. */
export interface ReportDeps {
  readonly layout: Layout;
  readonly storage: StorageRepository;
  readonly creatives: CreativeRepository;
  /** TJ's library cache: review statuses by name. */
  readonly library: LibraryRepository;
  readonly media: MediaRepository;
  /** What campaign CSVs put in every ad: the report says which settings still hold placeholders. */
  readonly template: CampaignTemplate;
  /** A dry run: the report says that is why files wait, and that no campaign CSV is written. */
  readonly dryRun: boolean;
  /** The enabled platforms and why uploads to each wait for a person, when they do: the report says so. */
  readonly platforms: readonly { platform: PlatformId; status: Pick<SessionStatusFile, 'read'> }[];
  /** The ads created in campaigns, and the hands-off campaigns that wait for a person. */
  readonly campaigns: { ads: Pick<CampaignAdsRepository, 'onDate'>; stuck: () => Promise<StuckCampaign[]> };
  readonly log: Logger;
  /** The creatives' results, for "Which creatives win" over the 7 days ending on the report's day. */
  readonly results?: Pick<ResultsService, 'table'>;
}

/** Writes `tracking/reports/daily_{date}.{md,json,html}`. */
export class ReportService {
  constructor(private readonly deps: ReportDeps) {}

  /** `signal` stops the thumbnails' ffmpeg runs (a shutdown). */
  async write(date: string, signal?: AbortSignal): Promise<{ report: DailyReport; files: readonly string[] }> {
    // Only the day's records are kept: a report must not hold the whole library in memory.
    const records: CreativeRecord[] = [];
    await this.deps.creatives.forEachSegment(
      (segment) => void records.push(...segment.filter((record) => touchedOn(date, record))),
      { touchedSince: localDayStart(date) },
    );
    const counts = this.deps.creatives.index.countsByState();
    const waiting = [...INGEST_STATES, 'staged' as const].reduce((sum, state) => sum + (counts.get(state) ?? 0), 0);
    const csvs = await this.campaignCsvs();
    const reviewChanges = this.deps.library
      .entries()
      .flatMap(([name, entry]) =>
        entry.reviewChangedAt
          ? [{ name, creativeId: entry.creativeId, to: entry.reviewStatus, at: entry.reviewChangedAt }]
          : [],
      );
    const built = buildDailyReport({
      date,
      records,
      waiting,
      reviewStatusOf: (name) => this.deps.library.get(name)?.reviewStatus,
      csvsOfBatch: (batch) => csvs.filter((csv) => fileName(csv).startsWith(uploadCsvPrefix(batch))),
      reviewChanges,
      notReady: {
        missing: missingCampaignSettings(this.deps.template),
        files: csvs.filter((csv) => baseName(csv).endsWith(NOT_READY_SUFFIX)),
      },
      platforms: await Promise.all(
        this.deps.platforms.map(async ({ platform, status }) => ({ platform, waiting: await status.read() })),
      ),
      campaignAds: await this.deps.campaigns.ads.onDate(date),
      stuckCampaigns: await this.deps.campaigns.stuck(),
      dryRun: this.deps.dryRun,
    });
    const winners = this.deps.results
      ? winnersOf(await this.deps.results.table(daysBefore(date, 7)[0] ?? date, date))
      : undefined;
    const report: DailyReport = winners ? { ...built, winners } : built;
    const thumbnails = new Map<string, string>();
    const pictures = [...report.creatives, ...(winners?.scale ?? []), ...(winners?.kill ?? [])].flatMap((shown) =>
      shown.key && shown.picture ? [[shown.key, shown.picture] as const] : [],
    );
    for (const [key, picture] of pictures) {
      if (thumbnails.has(key)) continue;
      const thumbnail = await this.thumbnail(picture as RootPath, signal).catch(() => undefined);
      if (thumbnail) thumbnails.set(key, `data:image/jpeg;base64,${thumbnail.toString('base64')}`);
    }
    const files = [
      this.deps.layout.reportFile(date, 'md'),
      this.deps.layout.reportFile(date, 'json'),
      this.deps.layout.reportFile(date, 'html'),
    ] as const;
    await this.deps.storage.writeFileAtomic(files[0], renderMarkdown(report));
    await this.deps.storage.writeFileAtomic(files[1], `${JSON.stringify(report, null, 2)}\n`);
    await this.deps.storage.writeFileAtomic(files[2], renderHtml(report, thumbnails));
    this.deps.log.info({ date, files }, 'Wrote the daily report');
    return { report, files };
  }

  /** A small JPEG of a creative's picture: an image is shrunk; a video gives its first frame. */
  async thumbnail(picture: RootPath, signal?: AbortSignal): Promise<Buffer> {
    const file = this.deps.layout.abs(picture);
    let source = file;
    const frame = this.deps.storage.tempPathFor(path.join(this.deps.layout.tmp, `report-${fileName(file)}.png`));
    if (/\.(mp4|mov|webm|mkv)$/i.test(file)) {
      await this.deps.storage.ensureDir(this.deps.layout.tmp);
      await this.deps.media.runFfmpeg(
        {
          input: file,
          outputs: [{ path: frame, options: ['-map', '0:v:0', '-frames:v', '1', '-c:v', 'png', '-f', 'image2'] }],
        },
        signal,
      );
      source = frame;
    }
    try {
      return await this.deps.media.renderImageToBuffer(source, {
        format: 'jpeg',
        formatOptions: { quality: 70 },
        resize: { width: 440, height: 248, fit: 'inside' },
      });
    } finally {
      await this.deps.storage.remove(frame);
    }
  }

  private async campaignCsvs(): Promise<string[]> {
    const names = await this.deps.storage.list(this.deps.layout.uploadCsvDir);
    return names
      .filter((name) => name.endsWith('.csv'))
      .map((name) => this.deps.layout.rel(path.join(this.deps.layout.uploadCsvDir, name)));
  }
}
