import type { Logger } from '../../core/logger.js';
import type { AdsRequest, CreateAdsOutcome, LibraryCard, ListedCard, UploadTarget } from '../../core/platform.js';
// The campaign CSVs are written in TJ's format, which is ours: its columns name the creatives.
import { CREATIVE_COLUMNS } from '../../core/campaign-format.js';
import type { StorageRepository } from '../../store/storage.repository.js';
import {
  CredentialsRefusedError,
  type LookUpResult,
  type UploadFile,
  type Uploader,
  type UploadResult,
} from '../uploader.js';
import { ExoCampaigns, type NewVariation, type VariationShape } from './campaigns.js';
import { exoName, reviewStatusOf, type ExoFile, type ExoFileType } from './endpoints.js';
import { ExoResults, type ExoResultsSettings } from './exo-results.js';
import { LibraryFiles } from './library-files.js';
import { ExoApiError, ExoTransport } from './transport.js';

/** Statuses by which ExoClick refuses the file itself (too large, not valid): not sent again. */
const FILE_REFUSALS: ReadonlySet<number> = new Set([413, 422]);

/** Where ExoClick is, and the token that opens it. */
export interface ExoConnection {
  readonly apiUrl: string;
  readonly apiToken: string | undefined;
  /** ExoClick's file type for each of our targets (the profile's). */
  readonly fileTypes: Readonly<Record<UploadTarget, ExoFileType>>;
  readonly userAgent: string;
}

export interface ExoAdapterDeps {
  readonly storage: StorageRepository;
  readonly log: Logger;
  /** Waits of the transport, shortened by tests. */
  readonly retryBaseMs?: number;
  /** The ceiling of any one wait (a rate-limit reset, a retry's pause): the transport's 5 minutes unless given. */
  readonly maxWaitMs?: number;
  /** Ends every wait and request of this session at once (the daemon's stop). */
  readonly signal?: AbortSignal;
}

/**
 * ExoClick's media library and campaigns through its API v2: no browser. Every call goes through
 * one transport (login, expiry, rate limits); the library files and the campaigns are a module each.
 */
export class ExoUploader implements Uploader {
  readonly alive = true;

  private constructor(
    private readonly transport: ExoTransport,
    private readonly files: LibraryFiles,
    private readonly campaigns: ExoCampaigns,
    private readonly connection: ExoConnection,
    private readonly deps: ExoAdapterDeps,
  ) {}

  /** Logs in: a refused (or missing) API token throws {@link CredentialsRefusedError} at once. */
  static async open(connection: ExoConnection, deps: ExoAdapterDeps): Promise<ExoUploader> {
    const transport = ExoTransport.to(connection, deps);
    await transport.connect();
    return new ExoUploader(
      transport,
      new LibraryFiles(transport, deps.storage),
      new ExoCampaigns(transport),
      connection,
      deps,
    );
  }

  get pagesRead(): number {
    return this.files.pagesRead;
  }

  /** Requests and logins so far (for `check` and the benchmark). */
  get calls(): { requests: number; logins: number } {
    return { requests: this.transport.requests, logins: this.transport.logins };
  }

  /** One request per file, one after the other: the API has a rate limit, not a batch. */
  async upload(target: UploadTarget, files: readonly UploadFile[]): Promise<Map<string, UploadResult>> {
    const type = this.typeOf(target);
    const results = new Map<string, UploadResult>();
    for (const file of files) {
      const result = await this.files.upload(file, type).then(
        (answer): UploadResult =>
          // An answer without a file id (a wrapped or cut answer): the file may be kept, so it is looked for, not guessed.
          Number.isInteger(answer.id)
            ? { status: 'uploaded', creativeId: String(answer.id) }
            : { status: 'failed', message: 'ExoClick answered without a file id' },
        (error: unknown): UploadResult => {
          if (error instanceof CredentialsRefusedError) throw error;
          // Only ExoClick judging the file is a refusal; a fault, or a request of ours it could not
          // take (a wrong EXO_API_URL, 400, 415), says nothing of the file and is tried again after a look.
          if (error instanceof ExoApiError && FILE_REFUSALS.has(error.status))
            return { status: 'rejected', message: error.words || error.message };
          return { status: 'failed', message: describe(error) };
        },
      );
      results.set(file.name, result);
    }
    return results;
  }

  /** Reads the type's newest files to the end (API pages are cheap, and a kept copy is among the newest): `maxPages` is TJ's bound. */
  async find(target: UploadTarget, files: readonly UploadFile[], _maxPages?: number): Promise<LookUpResult> {
    const hashed = await Promise.all(files.map((file) => this.files.hashed(file)));
    const found = await this.files.find(this.typeOf(target), hashed);
    return { found: new Map([...found].map(([name, file]) => [name, cardOf(file)])), complete: true };
  }

  async listAll(maxPages: number, _olderThan?: string, signal?: AbortSignal): Promise<ListedCard[]> {
    const cards: ListedCard[] = [];
    for (const type of new Set(Object.values(this.connection.fileTypes))) {
      if (signal?.aborted) break;
      for (const file of await this.files.list(type, maxPages)) cards.push({ ...cardOf(file), creativeType: type });
    }
    return cards;
  }

  /**
   * Creates variations from rows in our campaign format, whose creative-id columns hold ExoClick
   * library file ids: one variation per ad, of its first creative (a native pair's video, a
   * preroll's video), named after the ad.
   */
  async createAds(campaignId: string, ads: AdsRequest): Promise<CreateAdsOutcome> {
    const [column = ''] = CREATIVE_COLUMNS[ads.kind];
    const wanted: NewVariation[] = ads.rows.map((row) => ({
      name: row['Ad Name'] ?? '',
      description: row.Headline ?? row['Custom CTA Text'] ?? '',
      fileId: row[column] ?? '',
      url: row['Target URL'] ?? '',
      ...(row['Brand Name'] ? { brand: row['Brand Name'] } : {}),
    }));
    const outcome = await this.campaigns.create(campaignId, wanted);
    for (const change of outcome.changedMeanwhile) this.deps.log.warn({ campaignId }, change);
    return {
      campaignName: outcome.campaignName,
      alreadyThere: outcome.alreadyThere.map((variation) => variation.name),
      created: outcome.created.map((variation) => variation.name),
      refused: [],
      invalidIds: [],
      missing: outcome.missing.map(({ variation, reason }) => ({ adName: variation.name, reason })),
    };
  }

  /** Which variation-creating call the account answers, once a creation has shown it (nothing is written only to find out). */
  get variationShape(): VariationShape | undefined {
    return this.campaigns.knownShape;
  }

  /** A campaign's name and how many variations it has: a read, for `check`. */
  async readCampaign(campaignId: string): Promise<{ name: string; variations: number }> {
    const campaign = await this.campaigns.read(campaignId);
    return { name: campaign.name, variations: campaign.listed.length };
  }

  /** Per-creative results over this session's transport: one login, the statistics calls in their own rate-limit bucket. */
  results(settings: ExoResultsSettings = {}): ExoResults {
    return new ExoResults(this.transport, { log: this.deps.log, ...settings });
  }

  /** The session token is renewed when it runs out; nothing to keep alive. */
  async keepAlive(): Promise<void> {}

  close(): Promise<void> {
    this.deps.log.debug({ ...this.calls }, 'ExoClick session closed');
    return Promise.resolve();
  }

  private typeOf(target: UploadTarget): ExoFileType {
    return this.connection.fileTypes[target];
  }
}

function cardOf(file: ExoFile): LibraryCard {
  return {
    creativeId: String(file.id),
    name: exoName(file),
    dimensions: file.width && file.height ? `${file.width}x${file.height}` : '',
    fileType: file.file_extension ? `.${file.file_extension.replace(/^\./, '')}` : '',
    reviewStatus: reviewStatusOf(file.status),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
