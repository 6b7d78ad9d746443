import type { ServerResponse } from 'node:http';
import { json } from '../http.js';
import { FILE_STATUS, type ExoLibrary } from './library.js';
import type { ExoSimulatorOptions } from './options.js';
import { fail, pageOf, pagingOf } from './request.js';

/** A variation as kept. `status`, `calculated_status` and `file_type` are worked out from its file when answered. */
export interface ExoVariation {
  readonly idvariation: number;
  name: string;
  description: string;
  url: string;
  idvariations_file: number;
  idvariations_url: number | null;
  brand: string;
  active: boolean;
  /** Fields the simulator does not model, as a person's edits or a client's PUT left them: answered as they are. */
  extra: Record<string, unknown>;
}

export interface ExoCampaign {
  readonly id: number;
  readonly name: string;
  /** 1 = active: the simulator's guess, like every status number here. */
  readonly status: number;
  readonly variations: ExoVariation[];
}

/** What `/_sim/state` shows of a campaign. */
export interface ExoCampaignState {
  id: number;
  name: string;
  variations: {
    idvariation: number;
    name: string;
    idvariations_file: number;
    creates: number;
    extra: Record<string, unknown>;
  }[];
}

/** A variation a person adds in ExoClick's web interface (not through the API): any fields, those not modelled kept in `extra`. */
export interface PersonsVariation {
  readonly name: string;
  readonly idvariations_file: number;
  readonly description?: string;
  readonly url?: string;
  readonly extra?: Readonly<Record<string, unknown>>;
}

/**
 * The campaigns and the reading of them: the list (its `result` an array or an object keyed by id,
 * as the options pick) and one campaign with its variations. Creating variations is
 * {@link ExoVariationRoutes}'s.
 */
export class ExoCampaigns {
  private readonly campaigns = new Map<number, ExoCampaign>();
  private nextVariationId = 900_001;

  constructor(
    private readonly library: ExoLibrary,
    private readonly options: () => ExoSimulatorOptions,
  ) {}

  seed(seeds: readonly { id: number; name: string }[]): void {
    for (const { id, name } of seeds) this.campaigns.set(id, { id, name, status: 1, variations: [] });
  }

  get(id: number): ExoCampaign | undefined {
    return this.campaigns.get(id);
  }

  /** The campaign that holds a variation now, and the variation; undefined once it was deleted (or never was). */
  holding(idvariation: number): { campaign: ExoCampaign; variation: ExoVariation } | undefined {
    for (const campaign of this.campaigns.values()) {
      const variation = campaign.variations.find((candidate) => candidate.idvariation === idvariation);
      if (variation) return { campaign, variation };
    }
    return undefined;
  }

  newVariationId(): number {
    return this.nextVariationId++;
  }

  /** A person's change in the web interface, not an API request: a variation added. Its id; throws for an unknown campaign. */
  addByPerson(campaignId: number, fields: PersonsVariation): number {
    const campaign = this.mustGet(campaignId);
    const variation: ExoVariation = {
      idvariation: this.newVariationId(),
      name: fields.name,
      description: fields.description ?? '',
      url: fields.url ?? '',
      idvariations_file: fields.idvariations_file,
      idvariations_url: null,
      brand: '',
      active: true,
      extra: { ...fields.extra },
    };
    campaign.variations.push(variation);
    return variation.idvariation;
  }

  /** A person's change in the web interface: a variation deleted. Throws for an unknown campaign or variation. */
  removeByPerson(campaignId: number, idvariation: number): void {
    const campaign = this.mustGet(campaignId);
    const index = campaign.variations.findIndex((variation) => variation.idvariation === idvariation);
    if (index < 0) throw new Error(`campaign ${campaignId} has no variation ${idvariation}`);
    campaign.variations.splice(index, 1);
  }

  private mustGet(campaignId: number): ExoCampaign {
    const campaign = this.campaigns.get(campaignId);
    if (!campaign) throw new Error(`no campaign ${campaignId}`);
    return campaign;
  }

  /**
   * Each campaign's variations; `creates` is how many variations of the same library file the
   * campaign holds, shown on each of them: more than 1 is a variation sent twice.
   */
  get state(): ExoCampaignState[] {
    return [...this.campaigns.values()].map((campaign) => ({
      id: campaign.id,
      name: campaign.name,
      variations: campaign.variations.map((variation) => ({
        idvariation: variation.idvariation,
        name: variation.name,
        idvariations_file: variation.idvariations_file,
        creates: campaign.variations.filter((other) => other.idvariations_file === variation.idvariations_file).length,
        extra: { ...variation.extra },
      })),
    }));
  }

  /** `GET /v2/campaigns?status=&orderBy=d:id&limit=&offset=`. */
  list(res: ServerResponse, url: URL): void {
    const paging = pagingOf(url, res, 'd:id');
    if (!paging) return;
    const status = url.searchParams.get('status');
    if (status && !/^\d+$/.test(status)) return fail(res, 400, 'The parameter "status" must be an integer.');
    const matching = [...this.campaigns.values()].filter((campaign) => !status || campaign.status === Number(status));
    const page = pageOf(matching, paging).map((campaign) => this.answerCampaign(campaign));
    // An object keyed by id loses the order once parsed in JavaScript (integer keys sort ascending): so would the real one's.
    json(res, 200, {
      result:
        this.options().campaignsResultShape === 'array'
          ? page
          : Object.fromEntries(page.map((campaign) => [String(campaign.id), campaign])),
    });
  }

  /** `GET /v2/campaigns/{id}`. */
  detail(res: ServerResponse, campaign: ExoCampaign): void {
    json(res, 200, {
      result: {
        campaign: this.answerCampaign(campaign),
        variations: campaign.variations.map((variation) => this.answerVariation(variation)),
      },
    });
  }

  answerCampaign(campaign: ExoCampaign): Record<string, unknown> {
    return {
      id: campaign.id,
      name: campaign.name,
      status: campaign.status,
      variations_count: campaign.variations.length,
    };
  }

  /**
   * A variation as the API answers it. Its `status` is its file's review status, and
   * `calculated_status` words it with `active` ('in review', 'rejected', 'paused', 'active'): both
   * the simulator's guesses, the contract naming the fields only.
   */
  answerVariation(variation: ExoVariation): Record<string, unknown> {
    const file = this.library.file(variation.idvariations_file);
    const status = file?.status ?? FILE_STATUS.inReview;
    const calculated =
      status === FILE_STATUS.rejected
        ? 'rejected'
        : status === FILE_STATUS.inReview
          ? 'in review'
          : variation.active
            ? 'active'
            : 'paused';
    // The fields not modelled first: a modelled one of the same name is the one answered.
    return {
      ...variation.extra,
      idvariation: variation.idvariation,
      name: variation.name,
      description: variation.description,
      url: variation.url,
      idvariations_file: variation.idvariations_file,
      idvariations_url: variation.idvariations_url,
      brand: variation.brand,
      status,
      active: variation.active,
      calculated_status: calculated,
      file_type: file?.type ?? null,
    };
  }
}
