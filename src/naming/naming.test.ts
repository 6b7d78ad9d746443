import { describe, expect, it } from 'vitest';
import type { Naming } from '../core/record.js';
import { deriveCreativeId } from './creative-id.js';
import { planNames, regularBaseName } from './names.js';
import { resolveTokens } from './resolve-tokens.js';
import { cleanToken, descriptionFromFileName, parseConventionName } from './tokens.js';

const naming: Naming = {
  id: '6BCC9A21',
  tokens: {
    language: 'EN',
    category: 'Cumshot',
    modelSex: 'F',
    style: 'Real',
    rating: 'NSFW',
    description: 'Generic',
    creator: 'Seras',
  },
  review: [],
};

describe('cleanToken', () => {
  it('keeps only letters, digits and hyphens, folding accents', () => {
    expect(cleanToken('Cum on Face')).toBe('CumonFace');
    expect(cleanToken('Amélie_ß/..🎉')).toBe('Amelie');
    expect(cleanToken('--a--b--')).toBe('a-b');
    expect(cleanToken('🎉🎉')).toBe('');
  });
});

describe('parseConventionName', () => {
  it('reads a current-convention name with seconds and test id', () => {
    expect(parseConventionName('EN_Cumshot_F_Real_NSFW_Generic_Seras_12sec_T-A1_ID-6bcc9a21')).toEqual({
      tokens: {
        language: 'EN',
        category: 'Cumshot',
        modelSex: 'F',
        style: 'Real',
        rating: 'NSFW',
        description: 'Generic',
        creator: 'Seras',
        testId: 'A1',
      },
      id: '6BCC9A21',
      seconds: 12,
    });
  });

  it("reads the origin's older names, and native pair prefixes and suffixes", () => {
    const parsed = parseConventionName('VID_EN_Cumshot_NSFW_Generic_Seras_4sec_ID-6BCC9A21-VID');
    expect(parsed?.id).toBe('6BCC9A21');
    expect(parsed?.tokens).toEqual({
      language: 'EN',
      category: 'Cumshot',
      rating: 'NSFW',
      description: 'Generic',
      creator: 'Seras',
    });
    expect(parseConventionName('ORG_EN_Cumshot_M_Anime_SFW_Generic_Seras_ID-00000001')?.tokens.style).toBe('Anime');
  });

  it('returns undefined for anything else', () => {
    expect(parseConventionName('ourdream-video copy 4')).toBeUndefined();
    expect(parseConventionName('EN_Cumshot_NSFW_Generic_Seras_ID-XYZ')).toBeUndefined();
  });
});

describe('planNames', () => {
  it('names a native pair and its original', () => {
    expect(planNames({ kind: 'native', naming, sourceExt: '.mov', sourceSeconds: 9.6, outputSeconds: 4 })).toEqual({
      original: 'ORG_EN_Cumshot_F_Real_NSFW_Generic_Seras_10sec_ID-6BCC9A21.mov',
      video: 'VID_EN_Cumshot_F_Real_NSFW_Generic_Seras_4sec_ID-6BCC9A21-VID.mp4',
      image: 'IMG_EN_Cumshot_F_Real_NSFW_Generic_Seras_ID-6BCC9A21-IMG.png',
    });
  });

  it('names a converted preroll by its output length and an image without seconds', () => {
    expect(
      planNames({ kind: 'preroll', naming, sourceExt: '.mkv', sourceSeconds: 45, outputSeconds: 30, outputExt: '.mp4' })
        .creative,
    ).toBe('EN_Cumshot_F_Real_NSFW_Generic_Seras_30sec_ID-6BCC9A21.mp4');
    expect(
      planNames({ kind: 'image', naming: { ...naming, tokens: { ...naming.tokens, testId: 'B2' } }, sourceExt: '.png' })
        .creative,
    ).toBe('EN_Cumshot_F_Real_NSFW_Generic_Seras_T-B2_ID-6BCC9A21.png');
  });

  it('round-trips through the parser', () => {
    const parsed = parseConventionName(regularBaseName(naming, 7));
    expect(parsed).toEqual({ tokens: naming.tokens, id: naming.id, seconds: 7 });
  });
});

describe('deriveCreativeId', () => {
  const hashA = 'ab'.repeat(32);
  const hashB = 'cd'.repeat(32);

  it('takes the first 8 hex digits of the content hash, upper case', () => {
    expect(deriveCreativeId(hashA, () => undefined)).toBe('ABABABAB');
  });

  it('gives the same content the same id again', () => {
    const owners = new Map([['ABABABAB', hashA]]);
    expect(deriveCreativeId(hashA, (id) => owners.get(id))).toBe('ABABABAB');
  });

  it('gives a different content another id when its prefix clashes', () => {
    const clash = `abababab${'ef'.repeat(28)}`;
    const owners = new Map([['ABABABAB', hashA]]);
    const id = deriveCreativeId(clash, (candidate) => owners.get(candidate));
    expect(id).not.toBe('ABABABAB');
    expect(id).toMatch(/^[0-9A-F]{8}$/);
  });

  it('keeps the id a re-dropped name carries, unless another content holds it', () => {
    expect(deriveCreativeId(hashB, () => undefined, '6bcc9a21')).toBe('6BCC9A21');
    const owners = new Map([['6BCC9A21', hashA]]);
    expect(deriveCreativeId(hashB, (id) => owners.get(id), '6BCC9A21')).toBe('CDCDCDCD');
  });

  it('fails loudly rather than share an id when every candidate is taken', () => {
    expect(() => deriveCreativeId(hashA, () => 'another content')).toThrow(/No free creative id/);
  });
});

describe('a dropped file keeps its name', () => {
  it('as the description, cleaned and cut at a word, so a person finds their file', () => {
    expect(descriptionFromFileName('clip')).toBe('clip');
    expect(descriptionFromFileName('my "best" clip 🎬')).toBe('my-best-clip');
    expect(descriptionFromFileName('Summer_promo.final v2')).toBe('Summer-promo-final-v2');
    expect(descriptionFromFileName('a very long name that goes on and on past the limit')).toBe(
      'a-very-long-name-that-goes-on-and-on',
    );
    expect(descriptionFromFileName('🎬🎬')).toBeUndefined();
  });

  it('over the defaults, under what the folder row says', () => {
    const defaults = { language: 'EN', description: 'Generic' };
    expect(resolveTokens({ fileDescription: 'photo', defaults }).tokens.description).toBe('photo');
    expect(
      resolveTokens({ fileDescription: 'photo', fromFolder: { description: 'Promo' }, defaults }).tokens.description,
    ).toBe('Promo');
    expect(resolveTokens({ defaults }).tokens.description).toBe('Generic');
  });
});

describe('resolveTokens', () => {
  it('prefers the file name, then the folder row, then the folder name, then defaults', () => {
    const { tokens, review } = resolveTokens({
      fromName: { creator: 'Named' },
      fromFolder: { creator: 'Folder', rating: 'sfw', modelSex: 'f', style: 'anime' },
      folderName: 'Big Boobs',
      defaults: { language: 'EN', description: 'Generic', creator: 'Default' },
    });
    expect(tokens).toEqual({
      language: 'EN',
      category: 'BigBoobs',
      modelSex: 'F',
      style: 'Anime',
      rating: 'SFW',
      description: 'Generic',
      creator: 'Named',
    });
    expect(review).toEqual([]);
  });

  it('fills missing tokens with UNK and flags them, and flags values outside the allowed lists', () => {
    const { tokens, review } = resolveTokens({ fromFolder: { modelSex: 'X', testId: 'Spring 24' }, defaults: {} });
    expect(tokens.modelSex).toBe('UNK');
    expect(tokens.creator).toBe('UNK');
    expect(tokens.testId).toBe('Spring24');
    expect(review).toContain('modelSex "X" is not one of M, F, T, MFT');
    expect(review).toContain('creator missing');
  });
});
