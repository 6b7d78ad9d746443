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
