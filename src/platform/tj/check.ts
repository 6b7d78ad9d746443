import type { Browser, Page } from 'playwright';
import type { LibraryCard } from '../../core/platform.js';
import { launchBrowser } from './browser.js';
import { Evidence } from './evidence.js';
import { ADS_GRID, LISTINGS, TJ, type Listing } from './selectors.js';
import { SessionFile, signIn, type TjConnection } from './tj-session.js';
import { TjPage } from './tj-page.js';
import type { TjAdapterDeps } from './tj-uploader.js';

/** One line of `creative-flow check`: a selector of the selectors module (or the session), and what became of it. */
export interface CheckLine {
  readonly name: string;
  readonly selector: string;
  /** `skipped`: it shows only when something would be written (an upload, a wrong password). */
  readonly result: 'ok' | 'failed' | 'skipped';
  readonly detail: string;
  readonly screenshot?: string;
}

/** Every selector the module holds, by dotted name: strings and lists of variants. */
export function selectorNames(node: unknown = TJ, prefix = ''): string[] {
  if (typeof node === 'string' || (Array.isArray(node) && node.every((item) => typeof item === 'string'))) return [prefix];
  if (typeof node !== 'object' || node === null || node instanceof RegExp || Array.isArray(node)) return [];
  return Object.entries(node).flatMap(([key, value]) => selectorNames(value, prefix ? `${prefix}.${key}` : key));
}

function selectorOf(name: string): string {
  const value = name.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], TJ);
  return Array.isArray(value) ? value.join(' | ') : String(value ?? '');
}

/** Shown only while something is written: not checked by a read-only probe. */
const NOT_READ_ONLY: Readonly<Record<string, string>> = {
  'signIn.wrongCredentialsText': 'shown only after a wrong password; nothing is submitted here',
  'loggedOut.heading': 'shown only for a dead session',
  'loggedOut.loginForm': 'shown only for a dead session',
  'mediaLibrary.processing': 'shown only during an upload; nothing is uploaded here',
  'mediaLibrary.preview': 'shown only during an upload; nothing is uploaded here',
  'mediaLibrary.previewDone': 'shown only during an upload; nothing is uploaded here',
  'mediaLibrary.previewName': 'shown only during an upload; nothing is uploaded here',
  'mediaLibrary.previewError': 'shown only during an upload; nothing is uploaded here',
  'campaign.issuesText': 'shown only after a CSV is previewed; nothing is sent here',
  'campaign.invalidText': 'shown only after a CSV is previewed; nothing is sent here',
  'campaign.errorAlert': 'shown only after a CSV is previewed or ads are created; nothing is sent here',
};

/** The options of a check. */
export interface CheckOptions {
  /** A campaign whose ad settings are looked at (read only); without one, the campaign lines are skipped. */
  readonly campaignId?: string | undefined;
}

/**
 * A read-only probe of the configured TJ: the sign-in page, the session, the Media Library, every
 * tab and native sub-type, one card, the Next link, the upload button and the file input. Nothing
 * is uploaded or submitted (it signs in, headless, only when no session works). One line per
 * selector of the selectors module, each failure with a screenshot of the page it looked at.
 */
export async function checkTj(connection: TjConnection, deps: TjAdapterDeps, options: CheckOptions = {}): Promise<CheckLine[]> {
  const lines = new Map<string, CheckLine>();
  const evidence = new Evidence(deps.layout, deps.storage, deps.log);
  const note = async (name: string, ok: boolean, detail: string, page?: Page): Promise<void> => {
    const screenshot = !ok && page ? await evidence.capture(page, `check-${name}`) : undefined;
    lines.set(name, { name, selector: name === 'session' ? '' : selectorOf(name), result: ok ? 'ok' : 'failed', detail, ...(screenshot ? { screenshot } : {}) });
  };
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser({ headless: true, chromiumPath: connection.chromiumPath });
    await checkSignInPage(browser, connection, note);
    const session = new SessionFile(deps.layout.sessionFile, deps.storage);
    const context = await browser.newContext((await session.exists()) ? { storageState: session.file } : {});
    const tj = new TjPage(await context.newPage(), evidence);
    if (await checkSession(tj, connection, context, session, evidence, note)) {
      await checkLibrary(tj, connection, note);
      if (options.campaignId) await checkCampaign(tj, connection, options.campaignId, note);
    }
  } catch (error) {
    await note('session', false, `the probe stopped: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    await browser?.close();
  }
  const noCampaign = (name: string): CheckLine | undefined =>
    !options.campaignId && name.startsWith('campaign.') ? { name, selector: selectorOf(name), result: 'skipped', detail: 'no campaign to look at: give --campaign ID, or add a row to tracking/campaign_mapping.csv' } : undefined;
  return [lines.get('session') ?? { name: 'session', selector: '', result: 'failed', detail: 'not reached' }, ...selectorNames().map((name) => lines.get(name) ?? noCampaign(name) ?? unreached(name))];
}

type Note = (name: string, ok: boolean, detail: string, page?: Page) => Promise<void>;

function unreached(name: string): CheckLine {
  const why = NOT_READ_ONLY[name];
  return why ? { name, selector: selectorOf(name), result: 'skipped', detail: why } : { name, selector: selectorOf(name), result: 'failed', detail: 'not reached: an earlier step failed' };
}

async function present(page: Page, selector: string): Promise<number> {
  return page.locator(selector).count().catch(() => 0);
}

/** The sign-in page, in a context of its own with no session: the form must be there. */
async function checkSignInPage(browser: Browser, connection: TjConnection, note: Note): Promise<void> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(connection.loginUrl, { timeout: TJ.navigationMs });
  await note('loggedOut.urlParts', TJ.loggedOut.urlParts.some((part) => page.url().includes(part)), `the sign-in page is at ${page.url()}`, page);
  for (const name of ['signIn.username', 'signIn.password', 'signIn.submit', 'loggedOut.password'] as const) {
    const [section, key] = name.split('.') as ['signIn' | 'loggedOut', string];
    const count = await present(page, (TJ[section] as Record<string, string>)[key] ?? '');
    await note(name, count > 0, count > 0 ? 'on the sign-in page' : 'not on the sign-in page', page);
  }
  const banner = await present(page, TJ.signIn.cookieAccept);
  await note('signIn.cookieAccept', true, banner > 0 ? 'the cookie banner shows' : 'no cookie banner showed this time (it may come)');
  await page.context().close();
}

/** The session works: the Media Library shows as signed in, signing in (headless) first when it does not. */
async function checkSession(tj: TjPage, connection: TjConnection, context: Parameters<typeof signIn>[0], session: SessionFile, evidence: Evidence, note: Note): Promise<boolean> {
  const url = new URL(TJ.mediaLibrary.path, connection.appUrl).href;
  let verdict = await tj.open(url);
  if (verdict === 'out') {
    try {
      await signIn(context, connection, session, evidence, 10_000);
      verdict = await tj.open(url);
    } catch (error) {
      await note('session', false, `signed out, and signing in failed: ${(error as Error).message}`, tj.page);
      return false;
    }
  }
  await note('session', verdict === 'in', verdict === 'in' ? 'signed in' : 'signed out even after signing in: run `creative-flow login`', tj.page);
  return verdict === 'in';
}

async function checkLibrary(tj: TjPage, connection: TjConnection, note: Note): Promise<void> {
  const page = tj.page;
  await note('mediaLibrary.path', true, `the Media Library loads at ${TJ.mediaLibrary.path}`);
  await note('loggedIn.texts', true, 'a signed-in marker showed');
  await note('mediaLibrary.loadedText', (await page.getByText(TJ.mediaLibrary.loadedText, { exact: true }).count()) > 0, 'the Media Library heading', page);
  await note('mediaLibrary.fileInput', (await present(page, TJ.mediaLibrary.fileInput)) > 0, 'the upload input is attached (nothing is set on it)', page);
  await note('mediaLibrary.newCreatives', await page.locator(TJ.mediaLibrary.newCreatives).first().isVisible().catch(() => false), 'the upload button shows (it is not clicked)', page);
  const grid = await tj.first(TJ.mediaLibrary.grid).catch(() => undefined);
  await note('mediaLibrary.grid', grid !== undefined, 'the grid the page replaces', page);
  if (!grid) return;
  const drawn = await tj.gridDrawn().then(() => true, () => false);
  await note('mediaLibrary.gridDrawn', drawn, 'a card or the empty table', page);
  await note('overlayClose', true, (await tj.closeOverlays()) ? 'a product tour showed and was closed' : 'no overlay showed this time');

  const sample: { card: LibraryCard; listing: Listing }[] = [];
  const tabsNoted = new Set<string>();
  let next: boolean | undefined;
  for (const listing of LISTINGS) {
    const [tabName, subName] = [namesOf(listing.tab, 'tabs'), listing.subType ? namesOf([listing.subType], 'subTypes') : undefined];
    const tab = await tj.first(listing.tab).catch(() => undefined);
    if (!tab) {
      await note(tabName, false, `no tab for ${listing.type}`, page);
      continue;
    }
    const active = await tab.evaluate((node) => `${node.className} ${node.parentElement?.className ?? ''}`.includes('active'));
    const switched = active || (await tj.reloadGrid(() => tj.click(tab)).then(() => true, () => false));
    // Both native sub-types share the Native tab: it is noted once.
    if (!tabsNoted.has(tabName)) await note(tabName, switched, switched ? `${listing.type}: the grid reloads in place` : `${listing.type}: the grid did not reload`, page);
    tabsNoted.add(tabName);
    if (listing.subType && subName) {
      const label = page.locator(listing.subType);
      const found = (await label.count()) > 0;
      const checked = found && (await label.locator('input').isChecked().catch(() => false));
      const reloaded = found && (checked || (await tj.reloadGrid(() => tj.click(label)).then(() => true, () => false)));
      await note(subName, reloaded, found ? `${listing.type}: its label switches the grid` : `${listing.type}: no label`, page);
    }
    const cards = await tj.readCards();
    const first = cards[0];
    if (first) sample.push({ card: first, listing });
    const nextLink = await tj.first(TJ.mediaLibrary.nextPage).catch(() => undefined);
    next ||= nextLink !== undefined;
  }
  await note('mediaLibrary.nextPage', next === true, next ? 'a Next link (followed by walks, not here)' : 'no Next link on any listing', page);
  await note('mediaLibrary.pageMarker', (await present(page, TJ.mediaLibrary.pageMarker)) > 0, 'the page on screen', page);
  await checkCard(sample, note, page);
}

/** One card's fields, from a listing whose cards carry them all (In-Stream cards have no dimensions, as TJ's export shows). */
async function checkCard(sample: readonly { card: LibraryCard; listing: Listing }[], note: Note, page: Page): Promise<void> {
  const full = sample.find(({ card }) => card.dimensions && card.fileType) ?? sample[0];
  if (!full) {
    for (const name of ['card', 'cardId', 'cardName', 'cardDimensions', 'cardFileType', 'cardReviewStatus']) await note(`mediaLibrary.${name}`, true, 'the library is empty: no card to read');
    return;
  }
  const { card, listing } = full;
  const says = `card ${card.creativeId} "${card.name}" (${listing.type})`;
  await note('mediaLibrary.card', true, says);
  await note('mediaLibrary.cardId', /^\d{6,}$/.test(card.creativeId), `${says}: id`, page);
  await note('mediaLibrary.cardName', card.name !== '', `${says}: name`, page);
  await note('mediaLibrary.cardDimensions', sample.some(({ card: other }) => /^\d+x\d+$/.test(other.dimensions)), `${says}: dimensions`, page);
  await note('mediaLibrary.cardFileType', sample.some(({ card: other }) => /^\.\w+$/.test(other.fileType)), `${says}: file type`, page);
  await note('mediaLibrary.cardReviewStatus', /^(pending|approved|rejected)$/i.test(card.reviewStatus), `${says}: review status ${card.reviewStatus || 'missing'}`, page);
}

/** A campaign's ad settings, read only: its name, the ads table and its length control, "Mass create with CSV" and its parts (none is used). */
async function checkCampaign(tj: TjPage, connection: TjConnection, campaignId: string, note: Note): Promise<void> {
  const c = TJ.campaign;
  const page = tj.page;
  const verdict = await tj.open(new URL(c.adSettingsPath.replace('{id}', campaignId), connection.appUrl).href).catch(() => 'out' as const);
  const ready = verdict === 'in' && (await page.getByText(new RegExp(c.readyText.join('|'))).first().waitFor({ timeout: TJ.navigationMs }).then(() => true, () => false));
  await note('campaign.adSettingsPath', ready, ready ? `campaign ${campaignId}'s ad settings load` : `campaign ${campaignId}'s ad settings did not load`, page);
  await note('campaign.readyText', ready, ready ? 'STEP 5 or "Mass create with CSV" shows' : 'neither text showed', page);
  if (!ready) return;
  await note('campaign.openModalClose', true, (await tj.closeOverlays(c.openModalClose)) ? 'a modal left open showed and was closed' : 'no modal was left open this time');
  const name = ((await page.locator(c.name).first().textContent().catch(() => null)) ?? '').trim();
  await note('campaign.name', name !== '', name ? `"${name}"` : 'no campaign name', page);
  const table = await tj.first(c.adsTable).catch(() => undefined);
  const drawn = table !== undefined && (await tj.gridDrawn(ADS_GRID).then(() => true, () => false));
  await note('campaign.adsTable', table !== undefined, table ? 'the table the page replaces' : 'no ads table', page);
  await note('campaign.adsTableDrawn', drawn, drawn ? `${await table.locator(c.adsTableDrawn).count()} rows on screen` : 'no row drawn', page);
  const select = (await present(page, c.lengthSelect)) > 0;
  const widget = (await present(page, c.lengthWidget)) > 0;
  await note('campaign.lengthSelect', select || widget, select ? 'the length select' : widget ? 'hidden behind the select2 widget' : 'no length control', page);
  await note('campaign.lengthWidget', select || widget, widget ? 'the select2 widget' : 'the plain select shows instead', page);
  await note('campaign.lengthWidgetOption', true, widget ? 'opened only while reading (not here)' : 'the plain select shows instead');
  await note('campaign.nextPage', true, (await present(page, c.nextPage.join(', '))) > 0 ? 'a Next link under the table' : 'no Next link (one page of ads)');
  for (const [key, what] of [['massCreate', 'the button (not clicked)'], ['csvPreview', 'the preview button (not clicked)'], ['previewModal', 'the preview modal, closed'], ['confirm', 'the confirm button, in the closed modal']] as const) {
    const value = c[key];
    const count = await present(page, typeof value === 'string' ? value : value.join(', '));
    await note(`campaign.${key}`, count > 0, count > 0 ? what : 'not on the page', page);
  }
  await note('campaign.csvInput', (await present(page, c.csvInput)) > 0, 'the CSV input is attached (nothing is set on it)', page);
}

/** The dotted name of a tab or sub-type selector list, for its line. */
function namesOf(selectors: readonly string[], section: 'tabs' | 'subTypes'): string {
  const entries = Object.entries(TJ[section]) as [string, string | readonly string[]][];
  const found = entries.find(([, value]) => (Array.isArray(value) ? value.join() === selectors.join() : value === selectors[0]));
  return `${section}.${found?.[0] ?? ''}`;
}
