import type { IncomingMessage, ServerResponse } from 'node:http';
import { json } from '../http.js';
import type { ExoCampaign, ExoCampaigns, ExoVariation } from './campaigns.js';
import type { ExoCounters } from './counters.js';
import { dropAfterKeeping, serveFaultBeforeKeeping, type FaultPlan } from './faults.js';
import type { ExoLibrary } from './library.js';
import type { ExoSimulatorOptions } from './options.js';
import type { RateLimiter } from './rate-limit.js';
import { fail, formBody, idOf, isRecord, jsonBody } from './request.js';

/** One entry of a request, checked: a variation to create, or the changes to one that exists (`extra`: the fields not modelled, as sent). */
type Change =
  | { create: Omit<ExoVariation, 'idvariation'> }
  | { update: ExoVariation; patch: Partial<Omit<ExoVariation, 'extra'>>; extra: Record<string, unknown> };

/**
 * The keys a request's entry is read for, and those the API only answers (worked out, or named as
 * answers name them): any other key is a field the simulator does not model, kept as it was sent.
 */
const MODELLED: ReadonlySet<string> = new Set([
  'idvariation',
  'name',
  'description',
  'brand',
  'url',
  'active',
  'id_library_file',
  'id_library_url',
  'share',
  'idvariations_file',
  'idvariations_url',
  'status',
  'calculated_status',
  'file_type',
]);

/**
 * Creating variations, in the two shapes the contract knows (the server routes only the one the
 * options pick). Neither refuses a second variation of a file: it makes another. A request is
 * checked whole before anything changes (422 for a file or URL the library does not know), and
 * only a request that would create something draws a fate from the variation fault plan, so a
 * probe that creates nothing leaves the plan where it was.
 */
export class ExoVariationRoutes {
  constructor(
    private readonly campaigns: ExoCampaigns,
    private readonly library: ExoLibrary,
    private readonly counters: ExoCounters,
    private readonly limiter: RateLimiter,
    private readonly faults: FaultPlan,
    private readonly options: () => ExoSimulatorOptions,
  ) {}

  /** Older clients: `POST /v2/campaigns/{id}/variation`, multipart `name, description, id_library_file, url`; answers `{result: variation}`. */
  async createMultipart(req: IncomingMessage, res: ServerResponse, campaign: ExoCampaign): Promise<void> {
    const form = await formBody(req, res);
    if (!form) return;
    const field = (name: string): unknown => form.get(name) ?? undefined;
    const change = this.check(campaign, {
      name: field('name'),
      description: field('description'),
      id_library_file: field('id_library_file'),
      url: field('url'),
    });
    if (typeof change === 'string') return fail(res, 422, change);
    const [variation] = this.apply(res, campaign, [change], false) ?? [];
    if (variation) json(res, 200, { result: this.campaigns.answerVariation(variation) });
  }

  /**
   * Newer clients: `PUT /v2/campaigns/{id}/variations`, a JSON array; entries with `idvariation`
   * update, others are created; with `variationsPut: 'replace'`, the array becomes the whole list.
   * Answers `{result: [variation…]}` in the request's order.
   */
  async putJson(req: IncomingMessage, res: ServerResponse, campaign: ExoCampaign): Promise<void> {
    const body = await jsonBody(req, res);
    if (!body) return;
    if (!Array.isArray(body.value)) return fail(res, 422, 'The body must be a JSON array of variations.');
    const changes: Change[] = [];
    for (const [index, entry] of body.value.entries()) {
      const change = isRecord(entry) ? this.check(campaign, entry) : 'must be an object';
      if (typeof change === 'string') return fail(res, 422, `Variation ${index}: ${change}`);
      if ('update' in change && changes.some((other) => 'update' in other && other.update === change.update))
        return fail(res, 422, `Variation ${index}: idvariation ${change.update.idvariation} is listed twice`);
      changes.push(change);
    }
    const variations = this.apply(res, campaign, changes, this.options().variationsPut === 'replace');
    if (variations)
      json(res, 200, { result: variations.map((variation) => this.campaigns.answerVariation(variation)) });
  }

  /**
   * Draws a fate if anything is created, then changes the campaign (`replaces`: the changes are its
   * whole list, what they leave out is deleted); the variations, or undefined once a fault answered.
   */
  private apply(
    res: ServerResponse,
    campaign: ExoCampaign,
    changes: readonly Change[],
    replaces: boolean,
  ): ExoVariation[] | undefined {
    const creating = changes.some((change) => 'create' in change);
    const fate = creating ? this.faults.next() : 'ok';
    if (serveFaultBeforeKeeping(res, fate, this.counters, this.limiter)) return undefined;
    const variations = changes.map((change) => {
      if ('update' in change) {
        change.update.extra = replaces ? change.extra : { ...change.update.extra, ...change.extra };
        return Object.assign(change.update, change.patch);
      }
      const variation: ExoVariation = { idvariation: this.campaigns.newVariationId(), ...change.create };
      campaign.variations.push(variation);
      return variation;
    });
    if (replaces) campaign.variations.splice(0, campaign.variations.length, ...variations);
    if (creating) this.counters.variationCreates += 1;
    if (fate !== 'dropped-after-kept') return variations;
    dropAfterKeeping(res, this.counters);
    return undefined;
  }

  /** One entry's fields, checked against the campaign and the library; the reason for a refusal, as a string. */
  private check(campaign: ExoCampaign, entry: Record<string, unknown>): Change | string {
    const patch: Partial<Omit<ExoVariation, 'extra'>> = {};
    const extra = Object.fromEntries(Object.entries(entry).filter(([key]) => !MODELLED.has(key)));
    for (const key of ['name', 'description', 'brand'] as const) {
      const value = entry[key];
      if (value === undefined) continue;
      if (typeof value !== 'string') return `"${key}" must be a string`;
      patch[key] = value;
    }
    if (entry.url !== undefined) {
      if (typeof entry.url !== 'string') return '"url" must be a string';
      patch.url = entry.url;
    }
    if (entry.active !== undefined) {
      if (![true, false, 0, 1, '0', '1'].includes(entry.active as boolean))
        return '"active" must be true, false, 0 or 1';
      patch.active = entry.active === true || entry.active === 1 || entry.active === '1';
    }
    if (entry.id_library_file !== undefined) {
      const id = idOf(entry.id_library_file);
      if (id === undefined || !this.library.file(id))
        return `the library has no file ${JSON.stringify(entry.id_library_file)}`;
      patch.idvariations_file = id;
    }
    if (entry.id_library_url !== undefined && entry.id_library_url !== null) {
      const id = idOf(entry.id_library_url);
      const url = id === undefined ? undefined : this.library.url(id);
      if (id === undefined || url === undefined)
        return `the library has no URL ${JSON.stringify(entry.id_library_url)}`;
      patch.idvariations_url = id;
      patch.url = url;
    }
    if (entry.idvariation !== undefined) {
      const id = idOf(entry.idvariation);
      const existing = campaign.variations.find((variation) => variation.idvariation === id);
      return existing
        ? { update: existing, patch, extra }
        : `campaign ${campaign.id} has no variation ${JSON.stringify(entry.idvariation)}`;
    }
    if (patch.idvariations_file === undefined) return '"id_library_file" is required';
    if (!patch.name) return '"name" is required';
    return {
      create: {
        name: patch.name,
        description: patch.description ?? '',
        url: patch.url ?? '',
        idvariations_file: patch.idvariations_file,
        idvariations_url: patch.idvariations_url ?? null,
        brand: patch.brand ?? '',
        active: patch.active ?? true,
        extra,
      },
    };
  }
}
