import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.js';
import type { CreativeRecord } from '../core/record.js';
import {
  ffprobeJson,
  listTree,
  makeAudio,
  makeImage,
  makeImageBomb,
  makeNoiseVideo,
  makeVideo,
  sha256,
  tempRoot,
  truncateFile,
} from './fixtures.js';
import { allRecords, processRoot, readInventory } from './harness.js';

let records: CreativeRecord[] = [];

function recordOf(sourcePath: string): CreativeRecord {
  const record = records.find((candidate) => candidate.source.path === sourcePath);
  if (!record) throw new Error(`no record for ${sourcePath}`);
  return record;
}

/** Runs `process --once` and keeps every record for `recordOf`. */
async function processAndRead(root: string): Promise<App> {
  const app = await processRoot(root);
  records = await allRecords(app);
  return app;
}

describe('native pairs', () => {
  let root: string;

  let sourceHash: string;

  beforeAll(async () => {
    root = await tempRoot();
    await fs.mkdir(path.join(root, 'tracking'), { recursive: true });
    await fs.writeFile(
      path.join(root, 'tracking', 'metadata_defaults.csv'),
      'folder_path,category_name,model_sex,style,creator_name,language,content_type,creative_description,test_id\nCum on Face,Cum on Face,F,Real,Seras,EN,NSFW,Generic,\n',
    );
    // 4:3 with audio, 6 s: must be centre-cropped, cut to 4 s and keep AAC audio.
    sourceHash = await sha256(
      await makeVideo(path.join(root, 'inbox/native/Cum on Face/clip one.mp4'), {
        seconds: 6,
        width: 640,
        height: 480,
        audio: true,
      }),
    );
    // A noise frame does not compress: the thumbnail must fall back to a palette PNG under the limit.
    await makeNoiseVideo(path.join(root, 'inbox/noise.mp4'));
    await processAndRead(root);
  });

  it('makes a 640×360, ≤ 4 s H.264 video with faststart and AAC, named in the convention', async () => {
    const record = recordOf('inbox/native/Cum on Face/clip one.mp4');
    const id = record.naming?.id;
    expect(id).toBe(sourceHash.slice(0, 8).toUpperCase());
    const video = path.join(
      root,
      `uploaded/Native/Video/VID_EN_CumonFace_F_Real_NSFW_Generic_Seras_4sec_ID-${id}-VID.mp4`,
    );
    const probed = await ffprobeJson(video);
    const stream = probed.streams.find((s) => s.codec_type === 'video');
    expect(stream).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    expect(probed.streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('aac');
    expect(Number(probed.format.duration)).toBeLessThanOrEqual(4.05);
    expect(Number(probed.format.duration)).toBeGreaterThan(3.9);
    const bytes = await fs.readFile(video);
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
  });

  it('makes a real PNG thumbnail of 640×360 under 300,000 bytes, even from noise', async () => {
    for (const source of ['inbox/native/Cum on Face/clip one.mp4', 'inbox/noise.mp4']) {
      const image = recordOf(source).outputs?.find((output) => output.role === 'image');
      if (!image) throw new Error('no thumbnail');
      expect(image.path).toMatch(/^uploaded\/Native\/Image\/IMG_.*_ID-[0-9A-F]{8}-IMG\.png$/);
      const file = path.join(root, image.path);
      const meta = await sharp(file).metadata();
      expect(meta).toMatchObject({ format: 'png', width: 640, height: 360 });
      expect((await fs.stat(file)).size).toBeLessThanOrEqual(300_000);
    }
    expect(recordOf('inbox/noise.mp4').notes?.join(' ')).toMatch(/palette/);
  });

  it('keeps the untouched original as ORG_ and empties inbox/', async () => {
    const record = recordOf('inbox/native/Cum on Face/clip one.mp4');
    const original = record.outputs?.find((output) => output.role === 'original');
    expect(original?.path).toBe(
      `uploaded/Native/ORG_EN_CumonFace_F_Real_NSFW_Generic_Seras_6sec_ID-${record.naming?.id}.mp4`,
    );
    expect(await sha256(path.join(root, original?.path ?? ''))).toBe(sourceHash);
    expect(await listTree(path.join(root, 'inbox'))).toEqual([]);
  });

  it('writes one inventory row per creative with the hash, state and review flags', async () => {
    const rows = await readInventory(root);
    const pair = rows.filter((row) => row.source_path === 'inbox/native/Cum on Face/clip one.mp4');
    expect(pair.map((row) => row.creative_type)).toEqual(['video', 'native_video', 'native_image']);
    expect(pair.map((row) => row.unique_id)).toEqual([
      `ID-${sourceHash.slice(0, 8).toUpperCase()}`,
      expect.stringMatching(/-VID$/),
      expect.stringMatching(/-IMG$/),
    ]);
    expect(
      pair.every((row) => row.content_hash === sourceHash && row.state === 'staged' && row.needs_review === ''),
    ).toBe(true);
    expect(pair[1]).toMatchObject({
      width_px: '640',
      height_px: '360',
      aspect_ratio: '16:9',
      native_pair_id: pair[0]?.unique_id,
      creator_name: 'Seras',
    });
    const noise = rows.find((row) => row.source_path === 'inbox/noise.mp4');
    expect(noise?.needs_review).toContain('creator missing');
    expect(noise?.new_filename).toMatch(/^ORG_EN_UNK_UNK_UNK_UNK_noise_UNK_2sec_ID-/);
  });
});

describe('regular creatives, duplicates and bad input', () => {
  let root: string;

  const hashes: Record<string, string> = {};
  let linkedTarget = '';

  beforeAll(async () => {
    root = await tempRoot();
    const inbox = path.join(root, 'inbox');
    hashes.preroll = await sha256(
      await makeVideo(path.join(inbox, 'preroll/Promo/ready.mp4'), { seconds: 6, seed: 1 }),
    );
    await makeVideo(path.join(inbox, 'preroll/Promo/old codec.avi'), { seconds: 6, codec: 'mpeg4', seed: 2 });
    await makeVideo(path.join(inbox, 'preroll/Promo/too short.mp4'), { seconds: 2, seed: 3 });
    hashes.small = await sha256(await makeImage(path.join(inbox, 'Banners/small.png'), { seed: 10 }));
    await makeImage(path.join(inbox, 'Banners/huge.jpg'), { width: 4000, height: 3000, format: 'jpeg', seed: 11 });
    await makeImage(path.join(inbox, 'Banners/modern.webp'), { seed: 12 });
    // A re-drop of a file already named in the convention keeps its id: its content hashes to it.
    const renamed = await makeVideo(path.join(await tempRoot(), 'named before.mp4'), { seconds: 3, seed: 8 });
    hashes.redrop = await sha256(renamed);
    await fs.rename(
      renamed,
      path.join(inbox, `EN_Anime_M_Anime_SFW_Intro_Pedro_3sec_ID-${hashes.redrop.slice(0, 8).toUpperCase()}.mp4`),
    );
    // A file edited after it was named keeps the name's tokens, not its id.
    await makeVideo(path.join(inbox, 'EN_Anime_M_Anime_SFW_Intro_Pedro_3sec_ID-0BADCAFE.mp4'), { seconds: 3, seed: 4 });
    // Odd but valid names.
    await makeVideo(path.join(inbox, 'ünïcödé clip ..final.. 🎬.mp4'), { seconds: 2, seed: 5 });
    // Bad input.
    await fs.writeFile(path.join(inbox, 'empty.mp4'), '');
    await fs.writeFile(path.join(inbox, 'notes.mp4'), 'this is text, not a video\n');
    await truncateFile(await makeVideo(path.join(inbox, 'cut.mp4'), { seconds: 4, seed: 6 }));
    await truncateFile(
      await makeVideo(path.join(inbox, 'cut-faststart.mp4'), { seconds: 4, seed: 7, faststart: true }),
      0.6,
    );
    await makeImageBomb(path.join(inbox, 'bomb.png'));
    await makeAudio(path.join(inbox, 'song.mp3'));
    linkedTarget = await makeVideo(path.join(await tempRoot(), 'elsewhere.mp4'), { seconds: 2, seed: 9 });
    hashes.linked = await sha256(linkedTarget);
    await fs.symlink(linkedTarget, path.join(inbox, 'linked.mp4'));
    // Not yet real files: left alone.
    for (const name of ['download.mp4.part', 'video.mp4.crdownload', 'upload.tmp', '.hidden.mp4'])
      await fs.writeFile(path.join(inbox, name), 'partial');
    await processAndRead(root);

    // Later drops: the same bytes as the staged small.png under another name, and two twins at once.
    await fs.copyFile(
      path.join(root, recordOfPath('inbox/Banners/small.png')),
      path.join(inbox, 'copy of small 🎉.png'),
    );
    await makeImage(path.join(inbox, 'twin-a.png'), { seed: 99 });
    await fs.copyFile(path.join(inbox, 'twin-a.png'), path.join(inbox, 'twin-b.png'));
    await processAndRead(root);
  });

  function recordOfPath(source: string): string {
    return recordOf(source).outputs?.[0]?.path ?? '';
  }

  it('passes a valid preroll through unchanged and converts one that is not H.264 MP4', async () => {
    const ready = recordOf('inbox/preroll/Promo/ready.mp4');
    expect(ready.state).toBe('staged');
    const creative = ready.outputs?.[0];
    expect(creative).toMatchObject({ role: 'creative', converted: false });
    expect(creative?.path).toMatch(/^uploaded\/Video\/EN_Promo_UNK_UNK_UNK_ready_UNK_6sec_ID-[0-9A-F]{8}\.mp4$/);
    expect(await sha256(path.join(root, creative?.path ?? ''))).toBe(hashes.preroll);

    const avi = recordOf('inbox/preroll/Promo/old codec.avi');
    const converted = avi.outputs?.find((output) => output.role === 'creative');
    expect(converted?.converted).toBe(true);
    expect((await ffprobeJson(path.join(root, converted?.path ?? ''))).streams[0]?.codec_name).toBe('h264');
    expect(avi.outputs?.find((output) => output.role === 'original')?.path).toMatch(/^uploaded\/Video\/ORG_.*\.avi$/);
  });

  it('rejects a preroll outside 5–31 s with the limits in the reason', () => {
    const short = recordOf('inbox/preroll/Promo/too short.mp4');
    expect(short.state).toBe('rejected');
    expect(short.reason).toMatch(/lasts 2\.0 s; in-stream video must last 5–31 s/);
  });

  it('passes a small PNG through, shrinks a 4000×3000 JPEG and converts WebP', async () => {
    const small = recordOf('inbox/Banners/small.png');
    expect(small.outputs?.[0]).toMatchObject({ converted: false });
    expect(await sha256(path.join(root, small.outputs?.[0]?.path ?? ''))).toBe(hashes.small);
    const huge = recordOf('inbox/Banners/huge.jpg').outputs?.find((output) => output.role === 'creative');
    expect(huge).toMatchObject({ width: 1920, height: 1440, format: 'jpeg', converted: true });
    expect(huge?.path).toMatch(/^uploaded\/Image\/EN_Banners_.*\.jpg$/);
    const webp = recordOf('inbox/Banners/modern.webp').outputs?.find((output) => output.role === 'creative');
    const format = (await sharp(path.join(root, webp?.path ?? '')).metadata()).format;
    expect(['jpeg', 'png']).toContain(format);
    expect(path.extname(webp?.path ?? '')).toBe(format === 'jpeg' ? '.jpg' : '.png');
  });

  it('sets a duplicate aside with a reason naming the creative it repeats', async () => {
    const duplicate = recordOf('inbox/copy of small 🎉.png');
    const original = recordOf('inbox/Banners/small.png');
    expect(duplicate.state).toBe('duplicate');
    expect(duplicate.duplicateOf).toBe(original.key);
    expect(duplicate.reason).toContain(`ID-${original.naming?.id}`);
    expect(duplicate.setAside?.path).toMatch(/^archive\/duplicates\/\d{4}-\d{2}-\d{2}\/copy of small 🎉\.png$/);
    expect(await sha256(path.join(root, duplicate.setAside?.path ?? ''))).toBe(hashes.small);
    expect(await fs.readFile(path.join(root, `${duplicate.setAside?.path}.reason.txt`), 'utf8')).toContain(
      `ID-${original.naming?.id}`,
    );
  });

  it('stages exactly one of two identical files dropped together', () => {
    const twins = ['inbox/twin-a.png', 'inbox/twin-b.png'].map((source) => recordOf(source));
    expect(twins.map((twin) => twin.state).sort()).toEqual(['duplicate', 'staged']);
    const [kept, repeat] = twins[0]?.state === 'staged' ? twins : [...twins].reverse();
    expect(repeat?.duplicateOf).toBe(kept?.key);
  });

  it('keeps the tokens and id of a file already named in the convention whose content is that id', () => {
    const id = hashes.redrop?.slice(0, 8).toUpperCase();
    const record = recordOf(`inbox/EN_Anime_M_Anime_SFW_Intro_Pedro_3sec_ID-${id}.mp4`);
    expect(record.naming).toMatchObject({ id, review: [] });
    expect(record.outputs?.find((output) => output.role === 'video')?.path).toBe(
      `uploaded/Native/Video/VID_EN_Anime_M_Anime_SFW_Intro_Pedro_3sec_ID-${id}-VID.mp4`,
    );
  });

  it('gives a re-edited file that kept its old name a new id, flagged for review, and keeps its tokens', async () => {
    const record = recordOf('inbox/EN_Anime_M_Anime_SFW_Intro_Pedro_3sec_ID-0BADCAFE.mp4');
    expect(record.naming?.id).toBe(record.hash?.slice(0, 8).toUpperCase());
    expect(record.naming?.review).toEqual([
      `the name's ID-0BADCAFE is not this content's (re-edited?): given ID-${record.naming?.id}`,
    ]);
    expect(record.naming?.tokens).toMatchObject({ category: 'Anime', creator: 'Pedro', description: 'Intro' });
    const row = (await readInventory(root)).find(
      (candidate) => candidate.original_filename === 'EN_Anime_M_Anime_SFW_Intro_Pedro_3sec_ID-0BADCAFE.mp4',
    );
    expect(row?.needs_review).toMatch(/ID-0BADCAFE is not this content's/);
  });

  it('stages files with spaces, unicode, emoji and dots under clean names', () => {
    const record = recordOf('inbox/ünïcödé clip ..final.. 🎬.mp4');
    expect(record.state).toBe('staged');
    for (const output of record.outputs ?? [])
      expect(path.posix.basename(output.path)).toMatch(/^[A-Za-z0-9_-]+\.(mp4|png)$/);
  });

  it.each([
    ['empty.mp4', /empty \(0 bytes\)/],
    ['notes.mp4', /not a playable video or a readable image/],
    ['cut.mp4', /not a playable video|truncated/],
    ['bomb.png', /claims 30000×30000 pixels \(900 megapixels\)/],
    ['song.mp3', /no video stream \(it holds only audio\)/],
    ['linked.mp4', /is a symbolic link \(to .*elsewhere\.mp4\), not a file/],
  ])('sets %s aside in archive/rejected with a plain reason', async (name, reason) => {
    const record = recordOf(`inbox/${name}`);
    expect(record.state).toBe('rejected');
    expect(record.reason).toMatch(reason);
    expect(record.setAside?.path).toMatch(
      new RegExp(`^archive/rejected/\\d{4}-\\d{2}-\\d{2}/${name.replace('.', '\\.')}$`),
    );
    expect(await fs.readFile(path.join(root, `${record.setAside?.path}.reason.txt`), 'utf8')).toMatch(reason);
  });

  it('makes a video cut short from what it holds, named with its real length, and flags it as damaged', async () => {
    const record = recordOf('inbox/cut-faststart.mp4');
    expect(record.state).toBe('staged');
    expect(record.naming?.review.join('; ')).toMatch(/damaged: the file holds [12](\.\d)? s of a claimed 4 s/);
    expect(record.media?.claimedDurationSec).toBe(4);
    expect(record.media?.durationSec).toBeLessThan(3);
    const video = record.outputs?.find((output) => output.role === 'video');
    expect(Number((await ffprobeJson(path.join(root, video?.path ?? ''))).format.duration)).toBeLessThan(3);
    expect(video?.path).not.toMatch(/_4sec_/);
  });

  it('leaves what a link dropped in inbox/ points to as it was, and keeps the link set aside, not archived as an original', async () => {
    expect(await sha256(linkedTarget)).toBe(hashes.linked);
    const record = recordOf('inbox/linked.mp4');
    expect(record.outputs ?? []).toEqual([]);
    expect((await fs.lstat(path.join(root, record.setAside?.path ?? ''))).isSymbolicLink()).toBe(true);
  });

  it('leaves partial downloads and dotfiles alone, and loses no input', async () => {
    expect(await listTree(path.join(root, 'inbox'))).toEqual([
      '.hidden.mp4',
      'download.mp4.part',
      'upload.tmp',
      'video.mp4.crdownload',
    ]);
    const inputs = records;
    expect(inputs).toHaveLength(19);
    for (const record of inputs) {
      const kept = record.setAside?.path ?? record.outputs?.find((output) => !output.converted)?.path;
      expect(kept, record.source.path).toBeDefined();
      expect(await fs.stat(path.join(root, kept ?? '')).then(() => true), record.source.path).toBe(true);
    }
  });

  it('lists rejected and duplicate files in the inventory with their reasons', async () => {
    const rows = await readInventory(root);
    expect(rows.find((row) => row.original_filename === 'bomb.png')).toMatchObject({
      state: 'rejected',
      reason: expect.stringMatching(/megapixel/),
    });
    expect(rows.find((row) => row.original_filename === 'copy of small 🎉.png')).toMatchObject({
      state: 'duplicate',
      new_filename: 'copy of small 🎉.png',
    });
  });

  it('keeps machine state owner-only', async () => {
    expect((await fs.stat(path.join(root, 'data'))).mode & 0o777).toBe(0o700);
  });

  it('changes nothing when run again', async () => {
    const before = await listTree(root);
    await processRoot(root);
    expect(await listTree(root)).toEqual(before);
  });
});
