import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Layout } from '../core/layout.js';
import type { StorageRepository } from '../store/storage.repository.js';

/**
 * The secret of the dashboard's URL and of the local API, as Jupyter's token: made once, kept in
 * `data/` for this user only, so the commands run on this machine by this user can read it.
 */
export async function dashboardToken(layout: Layout, storage: StorageRepository): Promise<string> {
  const existing = (await storage.readText(layout.dashboardTokenFile))?.trim();
  if (existing) return existing;
  const token = randomBytes(24).toString('base64url');
  await storage.ensureDir(layout.data, 0o700);
  await storage.writeFileAtomic(layout.dashboardTokenFile, `${token}\n`, { mode: 0o600 });
  return token;
}

/** Compares in constant time, so the token cannot be guessed a character at a time. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const [a, b] = [Buffer.from(expected), Buffer.from(given)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The dashboard cookie's own secret, made at each start. A browser sends 127.0.0.1's cookies to
 * every port of it, so any local web server may receive this one: it opens the dashboard's reads
 * only, never a job, and is not the token.
 */
export function dashboardCookieSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** The cookie is named after its port, so that each dashboard on this host reads its own. */
export function dashboardCookieName(port: number): string {
  return `cf_dash_${port}`;
}

/** The dashboard's address, with the token that opens it. */
export function dashboardUrl(port: number, token: string): string {
  return `http://127.0.0.1:${port}/?token=${token}`;
}
