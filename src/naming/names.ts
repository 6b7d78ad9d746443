import type { CreativeKind, Naming } from '../core/record.js';

/** File names of every output of one creative. Extensions include the dot. */
export interface PlannedNames {
  /** The untouched source, kept beside converted outputs (`ORG_…`). */
  readonly original: string;
  /** Native pair video (`VID_…-VID.mp4`). */
  readonly video?: string;
  /** Native pair thumbnail (`IMG_…-IMG.png`). */
  readonly image?: string;
  /** A regular creative (preroll or image). */
  readonly creative?: string;
}

/**
 * `{Lang}_{Category}_{ModelSex}_{Style}_{Rating}_{Description}_{Creator}[_{N}sec][_T-{TestID}]_ID-{X}`
 */
export function regularBaseName(naming: Naming, seconds?: number): string {
  const t = naming.tokens;
  const parts = [t.language, t.category, t.modelSex, t.style, t.rating, t.description, t.creator];
  if (seconds !== undefined) parts.push(`${seconds}sec`);
  if (t.testId) parts.push(`T-${t.testId}`);
  parts.push(`ID-${naming.id}`);
  return parts.join('_');
}

/** Whole seconds as the name shows them; never 0 for a video. */
export function wholeSeconds(durationSec: number): number {
  return Math.max(1, Math.round(durationSec));
}

export interface NamePlanInput {
  readonly kind: CreativeKind;
  readonly naming: Naming;
  /** Extension of the source, with the dot, lower case. */
  readonly sourceExt: string;
  readonly sourceSeconds?: number;
  /** Seconds of the converted video (native or trimmed preroll). */
  readonly outputSeconds?: number;
  /** Extension of the converted regular creative, when it is converted. */
  readonly outputExt?: string;
}

export function planNames(input: NamePlanInput): PlannedNames {
  const { naming, sourceExt } = input;
  const sourceSeconds = input.sourceSeconds === undefined ? undefined : wholeSeconds(input.sourceSeconds);
  const original = `ORG_${regularBaseName(naming, sourceSeconds)}${sourceExt}`;
  if (input.kind === 'native') {
    const videoSeconds = wholeSeconds(input.outputSeconds ?? input.sourceSeconds ?? 0);
    return {
      original,
      video: `VID_${regularBaseName(naming, videoSeconds)}-VID.mp4`,
      image: `IMG_${regularBaseName(naming)}-IMG.png`,
    };
  }
  const seconds = input.outputSeconds === undefined ? sourceSeconds : wholeSeconds(input.outputSeconds);
  return { original, creative: `${regularBaseName(naming, seconds)}${input.outputExt ?? sourceExt}` };
}
