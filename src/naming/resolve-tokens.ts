import type { NamingTokens } from '../core/record.js';
import { ALLOWED, canonicalEnum, cleanToken, TOKEN_ORDER, UNKNOWN } from './tokens.js';

/** Where tokens may come from, in the order they are tried. */
export interface TokenSources {
  /** From a file name already in the convention. */
  readonly fromName?: Partial<NamingTokens> | undefined;
  /** From the immediate folder's row in `metadata_defaults.csv`. */
  readonly fromFolder?: Partial<NamingTokens> | undefined;
  /** The immediate folder's own name, used as the category when no row names one. */
  readonly folderName?: string | undefined;
  /** Configured defaults. */
  readonly defaults: Partial<NamingTokens>;
}

export interface ResolvedTokens {
  readonly tokens: NamingTokens;
  /** One line per token that needs a person's review. */
  readonly review: string[];
}

export function resolveTokens(sources: TokenSources): ResolvedTokens {
  const review: string[] = [];
  const pick = (token: keyof NamingTokens): string | undefined => {
    const folderCategory = token === 'category' ? sources.folderName : undefined;
    return [sources.fromName?.[token], sources.fromFolder?.[token], folderCategory, sources.defaults[token]].find(
      (value): value is string => typeof value === 'string' && cleanToken(value) !== '',
    );
  };

  const tokens: Record<string, string> = {};
  for (const token of TOKEN_ORDER) {
    const raw = pick(token);
    if (raw === undefined) {
      tokens[token] = UNKNOWN;
      review.push(`${token} missing`);
      continue;
    }
    if (token in ALLOWED) {
      const enumToken = token as keyof typeof ALLOWED;
      const canonical = canonicalEnum(enumToken, raw);
      if (canonical === undefined) {
        tokens[token] = UNKNOWN;
        review.push(`${token} "${raw}" is not one of ${ALLOWED[enumToken].join(', ')}`);
      } else {
        tokens[token] = canonical;
      }
      continue;
    }
    tokens[token] = cleanToken(raw);
  }
  const testId = pick('testId');
  if (testId !== undefined) tokens.testId = cleanToken(testId);
  return { tokens: tokens as unknown as NamingTokens, review };
}
