/**
 * What goes into every ad of the generated campaign CSVs. TJ's macros (`{CampaignID}`, `{BanID}`…)
 * are kept verbatim; our own placeholders are `%category%`, `%description%` and `%creator%`.
 */
export interface CampaignTemplate {
  readonly targetUrl: string;
  readonly headline: string;
  readonly brand: string;
  readonly ctaText: string;
  readonly ctaUrl: string;
}

export const DEFAULT_TEMPLATE: CampaignTemplate = {
  targetUrl: 'PLACEHOLDER_URL',
  headline: '%category%',
  brand: 'PLACEHOLDER_BRAND',
  ctaText: 'Click Here',
  ctaUrl: 'PLACEHOLDER_URL',
};

/** The setting behind each field a campaign CSV needs, by the kind of ad. */
const NEEDED: Readonly<Record<'native' | 'preroll', readonly (readonly [keyof CampaignTemplate, string])[]>> = {
  native: [
    ['targetUrl', 'CAMPAIGN_TARGET_URL'],
    ['brand', 'CAMPAIGN_BRAND'],
  ],
  preroll: [
    ['targetUrl', 'CAMPAIGN_TARGET_URL'],
    ['ctaUrl', 'CAMPAIGN_CTA_URL'],
  ],
};

/**
 * The settings still at a placeholder (`PLACEHOLDER_…`) or empty, for one kind of ad, or for both
 * when no kind is given: CSVs holding them must not reach TJ.
 */
export function missingCampaignSettings(template: CampaignTemplate, kind?: 'native' | 'preroll'): string[] {
  const kinds = kind ? [kind] : (['native', 'preroll'] as const);
  const missing = kinds.flatMap((each) =>
    NEEDED[each].filter(([field]) => isPlaceholder(template[field])).map(([, setting]) => setting),
  );
  return [...new Set(missing)];
}

function isPlaceholder(value: string): boolean {
  return value.trim() === '' || /placeholder/i.test(value);
}
