import type { SimReportingOptions } from './reporting-options.js';

/**
 * How the simulator behaves. The real site's habits (TJ-CONTRACT.md, "The real site is a
 * script-driven app") are on by default; every fault is off by default.
 */
export interface SimulatorOptions {
  readonly port: number;
  readonly host: string;
  readonly username: string;
  readonly password: string;
  /** Enables `#submitBtn` at once instead of waiting for a person to tick the stand-in captcha. */
  readonly noCaptcha: boolean;
  /** Minutes of inactivity after which a session dies. */
  readonly sessionMinutes: number;
  /** How long the app shell's script takes to judge the session (and, for a dead one, to redirect to sign-in), in ms. */
  readonly sessionCheckMs: number;
  /** How long a grid takes to come back after a tab, sub-type or page click (the old cards stay meanwhile); unset, the variant's. */
  readonly gridDelayMs: number | undefined;
  /** Which build of the pages it serves: {@link MARKUP_VARIANTS}, 0 being our first. */
  readonly variant: number;
  /** The product tour that covers the page once a session, swallowing clicks until closed. */
  readonly productTour: boolean;
  /** Added to every response, in ms. */
  readonly latencyMs: number;
  /** Share (0–1) of uploads answered with HTTP 500 and no body. */
  readonly errorRate: number;
  /** Share (0–1) of uploads answered with a proxy's HTML error page (502). */
  readonly proxyErrorRate: number;
  /** Share (0–1) of uploads whose connection is dropped after TJ kept the file. */
  readonly dropRate: number;
  /**
   * What the first uploads get, in the order they arrive, before the shares above apply: a test's
   * faults, the same whatever order the browser sends a batch in.
   */
  readonly faultPlan: readonly UploadFault[];
  /**
   * The request (counted from 1 over every request of the site but the simulator's own `/_sim/`
   * ones and the favicon) before which every session ends: that request, and every later one of
   * the same session, meets a dead session. A fault sweep strikes each request in turn.
   */
  readonly endSessionsAt: number | undefined;
  /** Time TJ takes to process each upload before it answers, in ms. */
  readonly processingMs: number;
  /** Cards per Media Library page. */
  readonly perPage: number;
  /** Seed of the random faults, so a run can be repeated. */
  readonly faultSeed: number;
  /** TJ refuses uploads whose name matches this, as its review of content would. */
  readonly rejectPattern: string | undefined;
  /** Markup as TJ might change it, for `check` to catch: {@link MARKUP_CHANGES}. */
  readonly markupChange: MarkupChange | undefined;
  /** Campaigns to start with, for "Mass create with CSV". */
  readonly campaigns: readonly SimCampaignSeed[];
  /** A modal left open from an earlier step covers each campaign page until closed. */
  readonly leftoverModal: boolean;
  /** Share (0–1) of ad creations answered with HTTP 500 (nothing created). */
  readonly createErrorRate: number;
  /**
   * The status every call the page makes (the session check, a grid, a campaign's table, an
   * upload) gets from a dead session; the page's own script knows it and goes to sign-in. The
   * contract says only that such calls fail: 401 here, and another build may answer 403 or 419,
   * which looks like a refusal.
   */
  readonly deadSessionStatus: number;
  /** The ads table's length control as a select2 widget over a hidden select, as some of TJ's pages have it. */
  readonly lengthWidget: boolean;
  /** TJ's reporting API on the same port (`/api/…`): its key, its variants and its faults; the defaults unless given. */
  readonly reporting?: Partial<SimReportingOptions>;
}

/** An upload's fate in a {@link SimulatorOptions.faultPlan}: kept and answered, a 500 with no body, a proxy's 502 page, or kept and its connection dropped. */
export type UploadFault = 'ok' | 'server-error' | 'proxy-error' | 'drop';

/** A campaign to seed: its id, name and the kind of ads it holds, and the ads it has already. */
export interface SimCampaignSeed {
  readonly id: string;
  readonly name: string;
  readonly type: 'native' | 'preroll';
  readonly ads?: readonly {
    readonly name: string;
    readonly targetUrl: string;
    readonly creativeIds: readonly string[];
  }[];
}

/** Changes to the markup the simulator can make, each breaking what one selector finds. */
export const MARKUP_CHANGES = ['card-name', 'next-link', 'upload-button'] as const;
export type MarkupChange = (typeof MARKUP_CHANGES)[number];

export const DEFAULT_SIMULATOR_OPTIONS: SimulatorOptions = {
  port: 4780,
  host: '127.0.0.1',
  username: 'demo',
  password: 'demo-password',
  noCaptcha: false,
  sessionMinutes: 30,
  sessionCheckMs: 400,
  gridDelayMs: undefined,
  variant: 0,
  productTour: true,
  latencyMs: 0,
  errorRate: 0,
  proxyErrorRate: 0,
  dropRate: 0,
  faultPlan: [],
  endSessionsAt: undefined,
  processingMs: 0,
  perPage: 12,
  faultSeed: 1,
  rejectPattern: undefined,
  markupChange: undefined,
  campaigns: [],
  leftoverModal: false,
  createErrorRate: 0,
  deadSessionStatus: 401,
  lengthWidget: false,
};
