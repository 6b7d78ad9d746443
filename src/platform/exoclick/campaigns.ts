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

  constructor(private readonly transport: ExoTransport) {}

  async read(campaignId: string): Promise<{ name: string; variations: ExoVariation[] }> {
    const answer = await this.transport.call<CampaignAnswer>('GET', EXO.campaign(campaignId), { idempotent: true });
    return { name: answer.result?.campaign?.name ?? campaignId, variations: answer.result?.variations ?? [] };
  }

  /**
   * The shape the account answers, found without creating anything: each call is sent with a body
   * ExoClick cannot take (no variations), and a route that does not exist answers 404.
   */
  async probeShape(campaignId: string): Promise<VariationShape | undefined> {
    for (const shape of ['json', 'multipart'] as const) {
      const answered = await this.sendEmpty(campaignId, shape).then(
        () => true,
        (error: unknown) => !(error instanceof ExoApiError && (error.status === 404 || error.status === 405)),
      );
      if (answered) return (this.shape = shape);
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
        await this.send(campaignId, shape, toCreate).catch((error: unknown) => toCreate.forEach((variation) => failures.set(variation, describe(error))));
      } else {
        for (const variation of toCreate) await this.send(campaignId, shape, [variation]).catch((error: unknown) => failures.set(variation, describe(error)));
      }
    }
    // Whatever the answers were (a dropped connection after ExoClick kept it), the campaign tells.
    const after = toCreate.length > 0 ? await this.read(campaignId) : before;
    const created = toCreate.filter((variation) => after.variations.some((existing) => matches(existing, variation)));
    const missing = toCreate.filter((variation) => !created.includes(variation)).map((variation) => ({ variation, reason: failures.get(variation) ?? 'not in the campaign after it was sent' }));
    return { created, alreadyThere, missing, campaignName: after.name };
  }

  private async send(campaignId: string, shape: VariationShape, variations: readonly NewVariation[]): Promise<void> {
    if (shape === 'json') {
      const body = variations.map((variation) => ({ name: variation.name, description: variation.description, brand: variation.brand ?? '', id_library_file: Number(variation.fileId), id_library_url: undefined, url: variation.url, active: 1, share: 100 }));
      await this.transport.call('PUT', EXO.variationsJson(campaignId), { json: body });
      return;
    }
    const [variation] = variations;
    if (!variation) return;
    const form = new FormData();
    form.set('name', variation.name);
    form.set('description', variation.description);
    form.set('id_library_file', variation.fileId);
    form.set('url', variation.url);
    await this.transport.call('POST', EXO.variationMultipart(campaignId), { form });
  }

  private async sendEmpty(campaignId: string, shape: VariationShape): Promise<void> {
    if (shape === 'json') await this.transport.call('PUT', EXO.variationsJson(campaignId), { json: [] });
    else await this.transport.call('POST', EXO.variationMultipart(campaignId), { form: new FormData() });
  }
}

function matches(existing: ExoVariation, wanted: NewVariation): boolean {
  return String(existing.idvariations_file ?? '') === wanted.fileId && (existing.name === undefined || existing.name === wanted.name);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
