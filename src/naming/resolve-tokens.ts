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
  /** The dropped file's own name, made into a description when no row gives one (before the defaults' `Generic`). */
  readonly fileDescription?: string | undefined;
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
    const fromPlace =
      token === 'category' ? sources.folderName : token === 'description' ? sources.fileDescription : undefined;
    return [sources.fromName?.[token], sources.fromFolder?.[token], fromPlace, sources.defaults[token]].find(
      (value): value is string => typeof value === 'string' && cleanToken(value) !== '',
    );
  };

  const resolve = (token: (typeof TOKEN_ORDER)[number]): string => {
    const raw = pick(token);
    if (raw === undefined) {
      review.push(`${token} missing`);
      return UNKNOWN;
    }
    if (!isEnumToken(token)) return cleanToken(raw);
    const canonical = canonicalEnum(token, raw);
    if (canonical === undefined) review.push(`${token} "${raw}" is not one of ${ALLOWED[token].join(', ')}`);
    return canonical ?? UNKNOWN;
  };
  const tokens: NamingTokens = {
    language: resolve('language'),
    category: resolve('category'),
    modelSex: resolve('modelSex'),
    style: resolve('style'),
    rating: resolve('rating'),
    description: resolve('description'),
    creator: resolve('creator'),
  };
  const testId = pick('testId');
  return { tokens: testId === undefined ? tokens : { ...tokens, testId: cleanToken(testId) }, review };
}

function isEnumToken(token: string): token is keyof typeof ALLOWED {
  return token in ALLOWED;
}
