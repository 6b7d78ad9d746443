import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { openApp, type App } from '../app.js';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../core/logger.js';
import type { CreativeRecord } from '../core/record.js';

/** Runs `process --once` in this process on `root`, and returns the app's state afterwards. */
export async function processRoot(root: string, env: Record<string, string> = {}): Promise<App> {
  const config = await loadConfig({ root, env: { STABILITY_MS: '50', INVENTORY_DEBOUNCE_MS: '0', ...env } });
  const app = await openApp(config, createLogger({ level: 'silent', pretty: false }));
  try {
    await app.jobs.processOnce();
  } finally {
    await app.close();
  }
  return app;
}

/** Every record, in key order. */
export async function allRecords(app: App): Promise<CreativeRecord[]> {
  const records: CreativeRecord[] = [];
  await app.services.creatives.forEachSegment((segment) => void records.push(...segment));
  return records;
}

export async function readInventory(root: string): Promise<Record<string, string>[]> {
  const text = await fs.readFile(path.join(root, 'tracking', 'creative_inventory.csv'), 'utf8');
  return parse(text, { columns: true, bom: true, skip_empty_lines: true });
}
