import { EXO, type ExoVariation } from './endpoints.js';
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
}

interface CampaignAnswer {
  readonly result?: { campaign?: { name?: string }; variations?: ExoVariation[] };
}

/**
 * A campaign's variations. Each is found by its library file (`idvariations_file`) and name,
 * never by a count: what the campaign has before is not sent again, and what it has after is what
 * was created.
 */
export class ExoCampaigns {
  private shape: VariationShape | undefined;
  private readonly urlIds = new Map<string, number>();

  constructor(private readonly transport: ExoTransport) {}

  async read(campaignId: string): Promise<{ name: string; variations: ExoVariation[] }> {
    const answer = await this.transport.call<CampaignAnswer>('GET', EXO.campaign(campaignId), { idempotent: true });
    return { name: answer.result?.campaign?.name ?? campaignId, variations: answer.result?.variations ?? [] };
  }

  /**
   * The shape the account answers, found without creating or changing anything: each call is sent
   * a body it cannot take (an object where an array belongs, an empty form). A route that exists
   * refuses it (400, 415, 422); one that does not answers 404 or 405. A fault (5xx, no answer, a
   * firewall's page) tells nothing: it is tried again as a read is, then thrown, and nothing is remembered.
   */
  async probeShape(campaignId: string): Promise<VariationShape | undefined> {
    for (const shape of ['json', 'multipart'] as const) {
      const exists = await this.sendUnusable(campaignId, shape).then(
        () => true,
        (error: unknown) => {
          // A fault, or a session refused after a fresh login, says nothing of the route.
          if (!(error instanceof ExoApiError) || error.transient || error.status === 401) throw error;
          return error.status !== 404 && error.status !== 405;
        },
      );
      if (exists) return (this.shape = shape);
    }
    return undefined;
  }

  async create(campaignId: string, wanted: readonly NewVariation[]): Promise<VariationOutcome> {
    const before = await this.read(campaignId);
    const alreadyThere = wanted.filter((variation) => before.variations.some((existing) => matches(existing, variation)));
    const toCreate = wanted.filter((variation) => !alreadyThere.includes(variation));
    const failures = new Map<NewVariation, string>();
    if (toCreate.length > 0) {
      const shape = this.shape ?? (await this.probeShape(campaignId));
      if (!shape) throw new ExoApiError(`creating variations in campaign ${campaignId}`, 404, 'neither PUT …/variations nor POST …/variation exists for this account');
      if (shape === 'json') {
        await this.putWith(campaignId, before.variations, toCreate).catch((error: unknown) => toCreate.forEach((variation) => failures.set(variation, describe(error))));
      } else {
        for (const variation of toCreate) await this.postOne(campaignId, variation).catch((error: unknown) => failures.set(variation, describe(error)));
      }
    }
    // Whatever the answers were (a dropped connection after ExoClick kept it), the campaign tells.
    const after = toCreate.length > 0 ? await this.read(campaignId) : before;
    const created = toCreate.filter((variation) => after.variations.some((existing) => matches(existing, variation)));
    const missing = toCreate.filter((variation) => !created.includes(variation)).map((variation) => ({ variation, reason: failures.get(variation) ?? 'not in the campaign after it was sent' }));
    return { created, alreadyThere, missing, campaignName: after.name };
  }

  /**
   * The newer shape: the campaign's variations as they are (with their `idvariation`, so nothing is
   * dropped whether the PUT adds to the list or replaces it), and the new ones without.
   */
  private async putWith(campaignId: string, existing: readonly ExoVariation[], variations: readonly NewVariation[]): Promise<void> {
    const kept = existing.map((variation) => ({
      idvariation: variation.idvariation,
      name: variation.name,
      description: variation.description,
      brand: variation.brand,
      id_library_file: variation.idvariations_file === undefined ? undefined : Number(variation.idvariations_file),
      id_library_url: variation.idvariations_url ?? undefined,
      active: variation.active,
    }));
    const added = [];
    for (const variation of variations) {
      added.push({ name: variation.name, description: variation.description, brand: variation.brand ?? '', id_library_file: Number(variation.fileId), id_library_url: await this.urlId(variation.url), active: 1, share: 100 });
    }
    await this.transport.call('PUT', EXO.variationsJson(campaignId), { json: [...kept, ...added] });
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
    const answer = await this.transport.call<UrlAnswer | UrlAnswer[] | { result?: UrlAnswer | UrlAnswer[] }>('POST', EXO.libraryUrl, { json: { url } });
    const body: UrlAnswer | UrlAnswer[] | undefined = Array.isArray(answer) ? answer : 'result' in answer ? answer.result : (answer as UrlAnswer);
    const id = (Array.isArray(body) ? body[0] : body)?.id;
    if (!Number.isInteger(id)) throw new ExoApiError(`registering the landing page ${url}`, 200, 'the answer has no id');
    this.urlIds.set(url, id as number);
    return id;
  }

  /** Safe to repeat, as a read is: a body no route can take creates nothing, so a fault on it is ridden out, not the campaign failed. */
  private async sendUnusable(campaignId: string, shape: VariationShape): Promise<void> {
    if (shape === 'json') await this.transport.call('PUT', EXO.variationsJson(campaignId), { json: {}, idempotent: true });
    else await this.transport.call('POST', EXO.variationMultipart(campaignId), { form: new FormData(), idempotent: true });
  }
}

interface UrlAnswer {
  readonly id?: number;
  readonly url?: string;
}

function matches(existing: ExoVariation, wanted: NewVariation): boolean {
  return String(existing.idvariations_file ?? '') === wanted.fileId && (existing.name === undefined || existing.name === wanted.name);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
