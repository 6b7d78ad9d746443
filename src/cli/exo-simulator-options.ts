import { ConfigError } from '../core/errors.js';
import {
  DEFAULT_EXO_SIMULATOR_OPTIONS,
  type ExoSimulatorOptions,
  type ExoUploadFault,
} from '../simulators/exoclick/options.js';

const FAULTS: readonly ExoUploadFault[] = ['ok', 'server-error', 'dropped-after-kept', 'firewall', 'rate-limited'];

/** The ExoClick simulator's options from its command line, each checked and named when wrong. */
export function parseExoSimulatorOptions(options: Record<string, string | boolean | undefined>): ExoSimulatorOptions {
  const number = (key: string, min: number, max: number): number => {
    const value = Number(options[key]);
    if (!Number.isFinite(value) || value < min || value > max)
      throw new ConfigError(
        `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
        `must be a number from ${min} to ${max} (got "${String(options[key])}")`,
      );
    return value;
  };
  const choice = <T extends string>(key: string, choices: readonly T[]): T => {
    const value = choices.find((each) => each === options[key]);
    if (!value)
      throw new ConfigError(
        `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
        `must be one of ${choices.join(', ')} (got "${String(options[key])}")`,
      );
    return value;
  };
  const plan = String(options.uploadFaults ?? '')
    .split(',')
    .map((fault) => fault.trim())
    .filter(Boolean);
  const unknown = plan.find((fault) => !FAULTS.includes(fault as ExoUploadFault));
  if (unknown) throw new ConfigError('--upload-faults', `"${unknown}" is not one of ${FAULTS.join(', ')}`);
  return {
    ...DEFAULT_EXO_SIMULATOR_OPTIONS,
    port: number('port', 0, 65_535),
    host: String(options.host),
    apiTokens: [String(options.token)],
    tokenTtlSeconds: number('tokenTtlSeconds', 1, 86_400),
    variationShape: choice('variationShape', ['json', 'multipart'] as const),
    campaignsResultShape: choice('campaignsResult', ['array', 'object'] as const),
    fileHash: choice('fileHash', ['md5', 'sha256'] as const),
    rateLimit: { limit: number('rateLimit', 1, 1_000_000), windowSeconds: number('rateWindowSeconds', 1, 86_400) },
    latencyMs: number('latencyMs', 0, 60_000),
    uploadFaultPlan: plan as ExoUploadFault[],
    errorRate: number('errorRate', 0, 1),
    dropRate: number('dropRate', 0, 1),
    faultSeed: number('faultSeed', 0, 2 ** 32),
    rejectPattern: typeof options.rejectPattern === 'string' ? options.rejectPattern : undefined,
  };
}
