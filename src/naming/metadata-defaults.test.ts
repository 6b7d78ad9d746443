import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { tempRoot } from '../test/fixtures.js';
import { StorageRepository } from '../store/storage.repository.js';
import { MetadataDefaultsFile, parseMetadataDefaults } from './metadata-defaults.js';

describe('parseMetadataDefaults', () => {
  it('reads every column by folder name, ignoring case, and nested folder paths', () => {
    const rows = parseMetadataDefaults(
      'folder_path,category_name,model_sex,style,creator_name,language,content_type,creative_description,test_id\r\n' +
        'Cum on Face,Cum on Face,F,Real,Seras,EN,NSFW,Generic,T1\r\nnative/Hentai,Hentai,,Anime,Seras,EN,NSFW,,\r\n',
    );
    expect(rows.get('cum on face')).toEqual({
      category: 'Cum on Face',
      modelSex: 'F',
      style: 'Real',
      creator: 'Seras',
      language: 'EN',
      rating: 'NSFW',
      description: 'Generic',
      testId: 'T1',
    });
    expect(rows.get('hentai')).toEqual({
      category: 'Hentai',
      style: 'Anime',
      creator: 'Seras',
      language: 'EN',
      rating: 'NSFW',
    });
  });

  it("reads the origin's older file without model_sex, style or test_id", () => {
    const rows = parseMetadataDefaults(
      'folder_path,category_name,creator_name,language,content_type,creative_description\nAhegao,Ahegao,Seras,EN,NSFW,Generic\n',
    );
    expect(rows.get('ahegao')?.creator).toBe('Seras');
  });

  it('names the row that has no folder', () => {
    expect(() => parseMetadataDefaults('folder_path,category_name\n,Hentai\n')).toThrow(/row 2 has no folder_path/);
    expect(() => parseMetadataDefaults('folder_path,category_name\n"unclosed,x\n')).toThrow(ConfigError);
  });
});

describe('MetadataDefaultsFile', () => {
  it('picks up edits, and keeps the last good rows when an edit breaks the file', async () => {
    const file = path.join(await tempRoot(), 'metadata_defaults.csv');
    await fs.writeFile(file, 'folder_path,creator_name\nAnime,Seras\n');
    const onError = vi.fn();
    const defaults = new MetadataDefaultsFile(file, new StorageRepository(), onError);
    await defaults.loadStrict();
    expect((await defaults.lookup('anime'))?.creator).toBe('Seras');

    await fs.writeFile(file, 'folder_path,creator_name\nAnime,Pedro\n');
    await fs.utimes(file, new Date(), new Date(Date.now() + 5_000));
    expect((await defaults.lookup('Anime'))?.creator).toBe('Pedro');

    await fs.writeFile(file, 'folder_path,creator_name\n,Broken\n');
    await fs.utimes(file, new Date(), new Date(Date.now() + 10_000));
    expect((await defaults.lookup('Anime'))?.creator).toBe('Pedro');
    expect(onError).toHaveBeenCalledOnce();
  });
});
