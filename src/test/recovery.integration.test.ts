import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openApp } from '../app.js';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../core/logger.js';
import type { CreativeRecord } from '../core/record.js';
import { openMedia } from '../media/ffmpeg-binaries.js';
import type { StageContext } from '../ingest/context.js';
import { convert } from '../ingest/convert.js';
import { name } from '../ingest/name.js';
import { probe } from '../ingest/probe.js';
import { listTree, makeVideo, sha256, tempRoot } from './fixtures.js';
import { allRecords } from './harness.js';

describe('a file replaced between conversion and staging', () => {
  // Both ways a change is noticed are covered: here the watcher's event; the stage step's own check
  // is covered by the kill -9 test's restarts.
  it('drops the old outputs and stages the new content', async () => {
    const root = await tempRoot();
    const config = await loadConfig({ root, env: { STABILITY_MS: '50' } });
    const log = createLogger({ level: 'silent', pretty: false });
    const source = await makeVideo(path.join(root, 'inbox', 'clip.mp4'), { seconds: 2, seed: 1 });

    // Left converted, as a crash just before staging leaves it.
    let app = await openApp(config, log);
    const ctx: StageContext = {
      layout: config.layout,
      profile: config.profile,
      storage: app.services.storage,
      media: openMedia({ maxImagePixels: config.profile.input.maxImagePixels }),
      creatives: app.services.creatives,
      log,
      signal: new AbortController().signal,
    };
    const stat = await app.services.storage.stat(source);
    let record: CreativeRecord = app.services.creatives.create({
      state: 'discovered',
      source: { path: config.layout.rel(source), size: stat?.size ?? 0, mtimeMs: stat?.mtimeMs ?? 0 },
      attempts: 0,
      times: {},
    });
    // Each step recorded as the ingest records it: the state table allows one step at a time.
    record = await probe(record, ctx);
    await app.services.creatives.commit(record);
    record = await name(record, {
      folderDefaults: { lookup: async () => undefined },
      configDefaults: config.defaults,
      index: app.services.creatives.index,
    });
    await app.services.creatives.commit(record);
    record = await convert(record, ctx);
    await app.services.creatives.commit(record);
    const oldOutputs = (record.outputs ?? []).filter((output) => output.converted).map((output) => output.path);
    expect(oldOutputs).toHaveLength(2);
    await app.close();

    // Someone replaces the file before the daemon comes back.
    await makeVideo(source, { seconds: 3, seed: 2 });
    const newHash = await sha256(source);
    app = await openApp(config, log);
    // The watcher reports the change before any pass resumes the record.
    const changed = await app.services.storage.stat(source);
    if (!changed) throw new Error('source missing');
    app.services.ingest.submit(record.source.path, changed);
    await app.jobs.processOnce();
    await app.close();

    const [final] = await allRecords(app);
    expect(final).toMatchObject({ state: 'staged', hash: newHash });
    const uploaded = await listTree(config.layout.uploaded);
    for (const old of oldOutputs) expect(uploaded).not.toContain(path.relative('uploaded', old));
    expect(uploaded.filter((file) => file.startsWith('Native/Video/'))).toEqual([
      expect.stringContaining(newHash.slice(0, 8).toUpperCase()),
    ]);
    expect(uploaded).toHaveLength(3);
  });
});
