import { CreativeFlowError } from '../../core/errors.js';
import { EXO, type ExoVariationRecord } from './endpoints.js';
import { ExoApiError, type ExoTransport } from './transport.js';

/** Which of the two variation-creating calls the account answers (the contract is unsure). */
export type VariationShape = 'multipart' | 'json';

/** A variation to create: an ad of one library file. */
export interface NewVariation {
  readonly name: string;
  readonly description: string;
  readonly fileId: string;
  readonly url: string;
  readonly brand?: string;
}

/** What became of one variation asked for, by file id. */
export interface VariationOutcome {
  readonly created: readonly NewVariation[];
  readonly alreadyThere: readonly NewVariation[];
  /** Asked for, and not in the campaign afterwards, with ExoClick's words. */
  readonly missing: readonly { variation: NewVariation; reason: string }[];
  readonly campaignName: string;
  /** Changes to the campaign that were not ours, seen while ours were sent (a person's edit, another client): said, never undone. */
  readonly changedMeanwhile: readonly string[];
}

/** A campaign as read: its variations as typed records, and the list exactly as it came, to be sent back whole. */
export interface CampaignRead {
  readonly name: string;
  readonly variations: readonly ExoVariationRecord[];
  readonly listed: readonly unknown[];
}

interface CampaignAnswer {
  readonly result?: { campaign?: { name?: unknown }; variations?: unknown };
}

/** Answers that say a route does not exist: nothing was done, so the other shape may be tried. */
const NO_ROUTE: ReadonlySet<number> = new Set([404, 405]);

/** A PUT would lose or duplicate a variation: the campaign lists one we cannot send back as it is. */
export class ExoUnsafePutError extends CreativeFlowError {
  constructor(campaignId: string) {
    super(
      `Campaign ${campaignId} lists a variation without an idvariation; sent back in a PUT it would be created a second time, so nothing was sent`,
      {
        hint: 'Look at the campaign in ExoClick and create these ads there by hand; the others go on.',
      },
    );
  }
}

/**
 * A campaign's variations. Each is found by its library file (`idvariations_file`) and name,
 * never by a count: what the campaign has before is not sent again, and what it has after is what
 * was created. Which call creates them is learnt from the first creation, never from a write that
 * only probes: a POST of one variation first (it only adds), then, on a 404 or 405, a PUT.
 */
export class ExoCampaigns {
  private shape: VariationShape | undefined;
  private readonly urlIds = new Map<string, number>();

  constructor(private readonly transport: ExoTransport) {}

  /** The shape a creation has shown; undefined until one has (`check` writes nothing to learn it). */
  get knownShape(): VariationShape | undefined {
    return this.shape;
  }

  async read(campaignId: string, signal?: AbortSignal): Promise<CampaignRead> {
    const answer = await this.transport.call<CampaignAnswer>('GET', EXO.campaign(campaignId), {
      idempotent: true,
      signal,
    });
    const name = answer.result?.campaign?.name;
    const listed: unknown[] = Array.isArray(answer.result?.variations) ? answer.result.variations : [];
    return {
      name: typeof name === 'string' ? name : campaignId,
      variations: listed.filter(isRecord) as ExoVariationRecord[],
      listed,
    };
  }

  /**
   * Every campaign's id, whatever its status (a paused or ended one still has figures), read in
   * pages until a short one. Ids ascending, so a campaign made meanwhile comes last and none is
   * skipped; `result` is an array or an object keyed by id (the contract is unsure).
   */
  async listIds(signal?: AbortSignal): Promise<string[]> {
    const ids = new Set<string>();
    for (let offset = 0; ;) {
      const answer = await this.transport.call<{ result?: unknown }>('GET', EXO.campaigns, {
        query: { orderBy: 'a:id', limit: EXO.pageSize, offset },
        idempotent: true,
        signal,
      });
      const page = Array.isArray(answer.result)
        ? answer.result
        : isRecord(answer.result)
          ? Object.values(answer.result)
          : [];
      for (const campaign of page) {
        const id = isRecord(campaign) ? campaign.id : undefined;
        if (typeof id !== 'number' && typeof id !== 'string')
          throw new ExoApiError('listing the campaigns', 200, 'a campaign without an id');
        ids.add(String(id));
      }
      if (page.length < EXO.pageSize) return [...ids];
      offset += page.length;
    }
  }

  async create(campaignId: string, wanted: readonly NewVariation[]): Promise<VariationOutcome> {
    let before = await this.read(campaignId);
    const alreadyThere = wanted.filter((variation) =>
      before.variations.some((existing) => matches(existing, variation)),
    );
    let toCreate = wanted.filter((variation) => !alreadyThere.includes(variation));
    const created: NewVariation[] = [];
    const failures = new Map<NewVariation, string>();
    const changedMeanwhile: string[] = [];
    // A second round, from the fresh read, only when the campaign changed under the first: a PUT
    // refused for a variation deleted meanwhile, or ours replaced by another client's list.
    for (let round = 0; toCreate.length > 0 && round < 2; round += 1) {
      const tried = await this.send(campaignId, before, toCreate, failures);
      // Whatever the answers were (a dropped connection after ExoClick kept it), the campaign tells.
      const after = await this.read(campaignId);
      const landed = toCreate.filter((variation) => after.variations.some((existing) => matches(existing, variation)));
      if (landed.length > 0) this.shape ??= tried;
      created.push(...landed);
      toCreate = toCreate.filter((variation) => !landed.includes(variation));
      const changes = changesBesides(before, after, [...created, ...toCreate]);
      before = after;
      if (changes === undefined) break;
      changedMeanwhile.push(
        `campaign ${campaignId} changed while variations were sent to it: ${changes} (not by this program; left as it is)`,
      );
    }
    const missing = toCreate.map((variation) => ({
      variation,
      reason: failures.get(variation) ?? 'not in the campaign after it was sent',
    }));
    return { created, alreadyThere, missing, campaignName: before.name, changedMeanwhile };
  }

  /**
   * Sends the new variations in the account's shape, and says which it tried last. Until a
   * creation has shown the shape: POSTs first, and the PUT once a POST answers that its route does
   * not exist (404, 405) before any POST worked: then none can have created anything. Any other
   * answer is the account's, kept as the failure of the variations it was for.
   */
  private async send(
    campaignId: string,
    before: CampaignRead,
    toCreate: readonly NewVariation[],
    failures: Map<NewVariation, string>,
  ): Promise<VariationShape> {
    const learning = this.shape === undefined;
    if (this.shape !== 'json') {
      let noPostRoute = false;
      for (const variation of toCreate) {
        const error = await this.postOne(campaignId, variation).then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        if (error === undefined) this.shape = 'multipart';
        else if (this.shape === undefined && isNoRoute(error)) noPostRoute = true;
        else failures.set(variation, describe(error));
        if (noPostRoute) break;
      }
      if (!noPostRoute) return 'multipart';
    }
    const error = await this.putWith(campaignId, before.listed, toCreate).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    if (error === undefined) this.shape = 'json';
    else if (learning && isNoRoute(error))
      throw new ExoApiError(
        `creating variations in campaign ${campaignId}`,
        404,
        'neither POST …/variation nor PUT …/variations exists for this account',
      );
    else for (const variation of toCreate) failures.set(variation, describe(error));
    return 'json';
  }

  /**
   * The newer shape: PUT may replace the whole list, so every variation the campaign has is sent
   * back exactly as it was read (with the fields we do not know), and the new ones after them.
   */
  private async putWith(
    campaignId: string,
    listed: readonly unknown[],
    variations: readonly NewVariation[],
  ): Promise<void> {
    if (
      listed.some(
        (entry) =>
          !isRecord(entry) ||
          !/^\d+$/.test(
            typeof entry.idvariation === 'number' || typeof entry.idvariation === 'string'
              ? String(entry.idvariation)
              : '',
          ),
      )
    )
      throw new ExoUnsafePutError(campaignId);
    const added = [];
    for (const variation of variations) {
      added.push({
        name: variation.name,
        description: variation.description,
        brand: variation.brand ?? '',
        id_library_file: Number(variation.fileId),
        id_library_url: await this.urlId(variation.url),
        active: 1,
        share: 100,
      });
    }
    await this.transport.call('PUT', EXO.variationsJson(campaignId), { json: [...listed, ...added] });
  }

  /** The older shape: one multipart form per variation, the landing page given as its URL. */
  private async postOne(campaignId: string, variation: NewVariation): Promise<void> {
    const form = new FormData();
    form.set('name', variation.name);
    form.set('description', variation.description);
    form.set('id_library_file', variation.fileId);
    form.set('url', variation.url);
    await this.transport.call('POST', EXO.variationMultipart(campaignId), { form });
  }

  /** A landing page's id in the library, registered once per URL; the answer is `{id}` or `[{id}]`. */
  private async urlId(url: string): Promise<number | undefined> {
    if (url === '') return undefined;
    const known = this.urlIds.get(url);
    if (known !== undefined) return known;
    const answer = await this.transport.call<UrlAnswer | UrlAnswer[] | { result?: UrlAnswer | UrlAnswer[] }>(
      'POST',
      EXO.libraryUrl,
      { json: { url } },
    );
    const body: UrlAnswer | UrlAnswer[] | undefined = Array.isArray(answer)
      ? answer
      : 'result' in answer
        ? answer.result
        : (answer as UrlAnswer);
    const id = (Array.isArray(body) ? body[0] : body)?.id;
    if (!Number.isInteger(id))
      throw new ExoApiError(`registering the landing page ${url}`, 200, 'the answer has no id');
    this.urlIds.set(url, id as number);
    return id;
  }
}

interface UrlAnswer {
  readonly id?: number;
  readonly url?: string;
}

/**
 * What changed between two reads besides `ours`: variations gone, and ones that appeared and are
 * not ours. Undefined when nothing did.
 */
function changesBesides(before: CampaignRead, after: CampaignRead, ours: readonly NewVariation[]): string | undefined {
  const idsOf = (read: CampaignRead): Set<string> =>
    new Set(read.variations.map((variation) => String(variation.idvariation)));
  const [beforeIds, afterIds] = [idsOf(before), idsOf(after)];
  const gone = before.variations.filter((variation) => !afterIds.has(String(variation.idvariation)));
  const appeared = after.variations.filter(
    (variation) => !beforeIds.has(String(variation.idvariation)) && !ours.some((mine) => matches(variation, mine)),
  );
  const named = (variations: readonly ExoVariationRecord[]): string =>
    variations.map((variation) => `${String(variation.idvariation)} "${variation.name ?? ''}"`).join(', ');
  const parts = [
    gone.length > 0 ? `variation(s) ${named(gone)} gone` : '',
    appeared.length > 0 ? `variation(s) ${named(appeared)} appeared` : '',
  ].filter((part) => part !== '');
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNoRoute(error: unknown): boolean {
  return error instanceof ExoApiError && NO_ROUTE.has(error.status);
}

function matches(existing: ExoVariationRecord, wanted: NewVariation): boolean {
  return (
    String(existing.idvariations_file ?? '') === wanted.fileId &&
    (existing.name === undefined || existing.name === wanted.name)
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
