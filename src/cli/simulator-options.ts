import { ConfigError } from '../core/errors.js';
import {
  DEFAULT_SIMULATOR_OPTIONS,
  MARKUP_CHANGES,
  type SimCampaignSeed,
  type SimulatorOptions,
} from '../simulators/tj/options.js';
import { MARKUP_VARIANTS } from '../simulators/tj/variants.js';

/** The simulator's options from its command line, each checked and named when wrong. */
export function parseSimulatorOptions(options: Record<string, string | boolean | string[]>): SimulatorOptions {
  const number = (key: string, min: number, max: number): number => {
    const value = Number(options[key]);
    if (!Number.isFinite(value) || value < min || value > max)
      throw new ConfigError(
        `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
        `must be a number from ${min} to ${max} (got "${String(options[key])}")`,
      );
    return value;
  };
  return {
    ...DEFAULT_SIMULATOR_OPTIONS,
    port: number('port', 0, 65_535),
    host: String(options.host),
    noCaptcha: options.captcha === false,
    sessionMinutes: number('sessionMinutes', 0.01, 24 * 60),
    sessionCheckMs: number('sessionCheckMs', 0, 60_000),
    gridDelayMs: options.gridDelayMs === undefined ? undefined : number('gridDelayMs', 0, 60_000),
    variant: number('variant', 0, MARKUP_VARIANTS.length - 1),
    productTour: options.productTour !== false,
    latencyMs: number('latencyMs', 0, 60_000),
    errorRate: number('errorRate', 0, 1),
    proxyErrorRate: number('proxyErrorRate', 0, 1),
    dropRate: number('dropRate', 0, 1),
    processingMs: number('processingMs', 0, 600_000),
    faultSeed: number('faultSeed', 0, 2 ** 32),
    rejectPattern: typeof options.rejectPattern === 'string' ? options.rejectPattern : undefined,
    markupChange: MARKUP_CHANGES.find((change) => change === options.markupChange),
    campaigns: (Array.isArray(options.campaign) ? options.campaign : []).map(parseCampaignSeed),
    leftoverModal: options.leftoverModal === true,
    createErrorRate: number('createErrorRate', 0, 1),
  };
}

function parseCampaignSeed(value: string): SimCampaignSeed {
  const [id = '', type = '', ...name] = value.split(':');
  if (!/^\d+$/.test(id) || (type !== 'native' && type !== 'preroll') || name.join(':').trim() === '') {
    throw new ConfigError(
      '--campaign',
      `must be id:type:name with a numeric id and type native or preroll (got "${value}")`,
    );
  }
  return { id, type, name: name.join(':').trim() };
}
