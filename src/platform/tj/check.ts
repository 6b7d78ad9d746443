import type { Browser, Page } from 'playwright';
import type { LibraryCard } from '../../core/platform.js';
import type { CheckLine } from '../check-line.js';
import { launchBrowser } from './browser.js';
import { Evidence } from './evidence.js';
import { watchPages } from './page-watch.js';
import { AD_ROWS, LIBRARY_CARDS, LISTINGS, TJ, TJ_HINTS, type Listing, type TabSelectors } from './selectors.js';
import { SessionFile, signIn, type TjConnection } from './tj-session.js';
import { TjPage } from './tj-page.js';
import type { TjAdapterDeps } from './tj-uploader.js';

/** One line of `creative-flow check`: a selector of the selectors module (or the session), and what became of it. */
/** Hints go by `hint.` and their name in {@link TJ_HINTS}. */
const HINT = 'hint.';

/** Every selector the module holds, by dotted name: strings, lists of variants, tabs; the hints under `hint.`. */
export function selectorNames(): string[] {
  return [...walk(TJ, ''), ...walk(TJ_HINTS, HINT.slice(0, -1))];
}

function walk(node: unknown, prefix: string): string[] {
  if (
    typeof node === 'string' ||
    node instanceof RegExp ||
    isTab(node) ||
    (Array.isArray(node) && node.every((item) => typeof item === 'string'))
  )
    return [prefix];
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return [];
  return Object.entries(node).flatMap(([key, value]) => walk(value, prefix ? `${prefix}.${key}` : key));
}

function isTab(node: unknown): node is TabSelectors {
  return typeof node === 'object' && node !== null && 'selectors' in node && 'text' in node;
}

function selectorOf(name: string): string {
  const [root, path] = name.startsWith(HINT) ? [TJ_HINTS, name.slice(HINT.length)] : [TJ, name];
  const value = path
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
  if (isTab(value)) return [...value.selectors, `a "${value.text}"`].join(' | ');
  if (Array.isArray(value)) return value.join(' | ');
  return typeof value === 'string' || value instanceof RegExp ? String(value) : '';
}

/** Shown only while something is written: not checked by a read-only probe. */
const NOT_READ_ONLY: Readonly<Record<string, string>> = {
  'signIn.wrongCredentialsText': 'shown only after a wrong password; nothing is submitted here',
  'loggedOut.headingText': 'shown only for a dead session',
  'loggedOut.loginForm': 'shown only for a dead session',
  'mediaLibrary.processing': 'shown only during an upload; nothing is uploaded here',
  'mediaLibrary.preview': 'shown only during an upload; nothing is uploaded here',
  'mediaLibrary.previewDone': 'shown only during an upload; nothing is uploaded here',
  'mediaLibrary.previewError': 'shown only during an upload; nothing is uploaded here',
  'campaign.issuesText': 'shown only after a CSV is previewed; nothing is sent here',
  'campaign.invalidText': 'shown only after a CSV is previewed; nothing is sent here',
  'hint.previewName': 'shown only during an upload; nothing is uploaded here',
  'hint.sessionError': 'shown only for an upload refused for a dead session',
  'hint.errorAlert': 'shown only after a CSV is previewed or ads are created; nothing is sent here',
  'hint.emptyRow': 'shown only for an empty table',
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
export async function checkTj(
  connection: TjConnection,
  deps: TjAdapterDeps,
  options: CheckOptions = {},
): Promise<CheckLine[]> {
  const lines = new Map<string, CheckLine>();
  const evidence = new Evidence(deps.layout, deps.storage, deps.log);
  const note = async (name: string, ok: boolean, detail: string, page?: Page): Promise<void> => {
    const screenshot =
      !ok && page && !name.startsWith(HINT)
        ? await evidence.capture(page, `check-${name}`, `${name} (${selectorOf(name)}): ${detail}`)
        : undefined;
    const result = ok ? 'ok' : name.startsWith(HINT) ? 'note' : 'failed';
    lines.set(name, {
      name,
      selector: name === 'session' ? '' : selectorOf(name),
      result,
      detail: result === 'note' ? `${detail} (a hint: flows do without it)` : detail,
      ...(screenshot ? { screenshot } : {}),
    });
  };
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser({ headless: true, chromiumPath: connection.chromiumPath, log: deps.log });
    await checkSignInPage(browser, connection, note);
    const session = new SessionFile(deps.layout.sessionFile, deps.storage);
    const context = await browser.newContext((await session.exists()) ? { storageState: session.file } : {});
    await watchPages(context);
    const tj = new TjPage(await context.newPage(), evidence);
    if (await checkSession(tj, connection, context, session, evidence, note)) {
      await checkLibrary(tj, note);
      if (options.campaignId) await checkCampaign(tj, connection, options.campaignId, note);
    }
  } catch (error) {
    await note('session', false, `the probe stopped: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    await browser?.close();
  }
  const noCampaign = (name: string): CheckLine | undefined =>
    !options.campaignId && name.startsWith('campaign.')
      ? {
          name,
          selector: selectorOf(name),
          result: 'skipped',
          detail: 'no campaign to look at: give --campaign ID, or add a row to tracking/campaign_mapping.csv',
        }
      : undefined;
  return [
    lines.get('session') ?? { name: 'session', selector: '', result: 'failed', detail: 'not reached' },
    ...selectorNames().map((name) => lines.get(name) ?? noCampaign(name) ?? unreached(name)),
  ];
}

type Note = (name: string, ok: boolean, detail: string, page?: Page) => Promise<void>;

function unreached(name: string): CheckLine {
  const why = NOT_READ_ONLY[name];
  if (why) return { name, selector: selectorOf(name), result: 'skipped', detail: why };
  return {
    name,
    selector: selectorOf(name),
    result: name.startsWith(HINT) ? 'note' : 'failed',
    detail: 'not reached: an earlier step failed',
  };
}

async function present(page: Page, selector: string): Promise<number> {
  return page
    .locator(selector)
    .count()
    .catch(() => 0);
}

/** The sign-in page, in a context of its own with no session: the form must be there. */
async function checkSignInPage(browser: Browser, connection: TjConnection, note: Note): Promise<void> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(connection.loginUrl, { timeout: TJ.navigationMs });
  await note(
    'loggedOut.urlParts',
    TJ.loggedOut.urlParts.some((part) => page.url().includes(part)),
    `the sign-in page is at ${page.url()}`,
    page,
  );
  for (const name of ['signIn.username', 'signIn.password', 'signIn.submit', 'loggedOut.password'] as const) {
    const count = await present(page, selectorOf(name));
    await note(name, count > 0, count > 0 ? 'on the sign-in page' : 'not on the sign-in page', page);
  }
  const banner = await present(page, TJ.signIn.cookieAccept);
  await note(
    'signIn.cookieAccept',
    true,
    banner > 0 ? 'the cookie banner shows' : 'no cookie banner showed this time (it may come)',
  );
  await page.context().close();
}

/** The session works: the Media Library shows as signed in, signing in (headless) first when it does not. */
async function checkSession(
  tj: TjPage,
  connection: TjConnection,
  context: Parameters<typeof signIn>[0],
  session: SessionFile,
  evidence: Evidence,
  note: Note,
): Promise<boolean> {
  const url = new URL(TJ.mediaLibrary.path, connection.appUrl).href;
  // A shell shows its markers before its script judges the session: the verdict is the one that holds.
  const held = async (): Promise<'in' | 'out'> =>
    (await tj.open(url)) === 'out' ? 'out' : ((await tj.recheck()) ?? 'in');
  let verdict = await held();
  if (verdict === 'out') {
    try {
      await signIn(context, connection, session, evidence, 10_000);
      verdict = await held();
    } catch (error) {
      await note('session', false, `signed out, and signing in failed: ${(error as Error).message}`, tj.page);
      return false;
    }
  }
  await note(
    'session',
    verdict === 'in',
    verdict === 'in' ? 'signed in' : 'signed out even after signing in: run `creative-flow login`',
    tj.page,
  );
  return verdict === 'in';
}

async function checkLibrary(tj: TjPage, note: Note): Promise<void> {
  const page = tj.page;
  const m = TJ.mediaLibrary;
  await note('mediaLibrary.path', true, `the Media Library loads at ${m.path}`);
  await note('loggedIn.texts', true, 'a signed-in marker showed');
  await note(
    'mediaLibrary.loadedText',
    (await page.getByText(m.loadedText, { exact: true }).count()) > 0,
    'the Media Library heading',
    page,
  );
  await tj.settle(LIBRARY_CARDS, undefined, "the Media Library's first listing");
  await note(
    'overlayClose',
    true,
    (await tj.closeOverlays()) ? 'a product tour showed and was closed' : 'no overlay showed this time',
  );
  await note('hint.overlayClose', true, "tried beside the contract's closer");

  const sample: { card: LibraryCard; listing: Listing }[] = [];
  let next = false;
  let marked = false;
  for (const listing of LISTINGS) {
    const tabName = `tabs.${Object.entries(TJ.tabs).find(([, tab]) => tab.text === listing.tab.text)?.[0] ?? ''}`;
    const tab = await tj.tab(listing.tab);
    if (!tab) {
      await note(tabName, false, `no tab for ${listing.type} on screen`, page);
      continue;
    }
    const hint = `hint.${tabName}`;
    if (hint in NAMED_HINTS)
      await note(
        hint,
        (await tj.firstShown(NAMED_HINTS[hint] ?? [])) !== undefined,
        `${listing.type}'s tab by its href`,
      );
    const shown = await tj.marked(tab);
    marked ||= shown;
    const switched =
      shown ||
      (await tj
        .changeListing(() => tj.click(tab), LIBRARY_CARDS, `the ${listing.type} listing`)
        .then(
          () => true,
          () => false,
        ));
    await note(
      tabName,
      switched,
      switched ? `${listing.type}: the tab shows its listing` : `${listing.type}: no listing showed after the click`,
      page,
    );
    if (listing.subType) {
      const subName = `subTypes.${listing.subType === TJ.subTypes.nativeStatic ? 'nativeStatic' : 'nativeRollover'}`;
      const radio = page.locator(listing.subType).first();
      const label = page.locator(`label:has(${listing.subType})`).first();
      const found = (await label.count()) > 0;
      const checked = found && (await radio.isChecked().catch(() => false));
      const reloaded =
        found &&
        (checked ||
          (await tj
            .changeListing(() => tj.click(label), LIBRARY_CARDS, `the ${listing.type} listing`)
            .then(
              () => true,
              () => false,
            )));
      await note(
        subName,
        reloaded,
        found ? `${listing.type}: its label shows its listing` : `${listing.type}: no label holds ${listing.subType}`,
        page,
      );
    }
    const [first] = await tj.readCards();
    if (first) sample.push({ card: first, listing });
    next ||= (await tj.firstShown(TJ.nextPage)) !== undefined;
  }
  await note(
    'hint.activeTab',
    marked,
    marked ? 'the tab shown was marked' : 'no tab was marked as shown: each is clicked',
  );
  await note(
    'nextPage',
    next,
    next ? 'a Next link (followed by walks, not here)' : 'no Next link on any listing',
    page,
  );
  await note('hint.pageMarker', (await present(page, TJ_HINTS.pageMarker)) > 0, 'the page on screen');
  await checkCard(sample, note, page);
  // Dropzone may attach its input only once the button is clicked; the click opens the drop zone and sends nothing.
  const button = page.locator(m.newCreatives).first();
  const visible = await button.isVisible().catch(() => false);
  await note('mediaLibrary.newCreatives', visible, visible ? 'the upload button shows' : 'no upload button', page);
  if ((await present(page, m.fileInput)) === 0 && visible) await tj.click(button).catch(() => undefined);
  await note(
    'mediaLibrary.fileInput',
    (await present(page, m.fileInput)) > 0 ||
      (await page
        .locator(m.fileInput)
        .first()
        .waitFor({ state: 'attached', timeout: 3_000 })
        .then(
          () => true,
          () => false,
        )),
    'the upload input is attached (nothing is set on it)',
    page,
  );
}

/** Hints found by a selector of their own. */
const NAMED_HINTS: Readonly<Record<string, readonly string[]>> = {
  'hint.tabs.staticBanner': TJ_HINTS.tabs.staticBanner,
  'hint.tabs.videoBanners': TJ_HINTS.tabs.videoBanners,
};

/** One card's fields, from a listing whose cards carry them all (In-Stream cards have no dimensions, as TJ's export shows). */
async function checkCard(
  sample: readonly { card: LibraryCard; listing: Listing }[],
  note: Note,
  page: Page,
): Promise<void> {
  const full = sample.find(({ card }) => card.dimensions && card.fileType) ?? sample[0];
  if (!full) {
    for (const name of ['card', 'cardId', 'cardName', 'cardDimensions', 'cardFileType', 'cardReviewStatus'])
      await note(`mediaLibrary.${name}`, true, 'the library is empty: no card to read');
    return;
  }
  const { card, listing } = full;
  const says = `card ${card.creativeId} "${card.name}" (${listing.type})`;
  await note('mediaLibrary.card', true, says);
  await note('mediaLibrary.cardId', /^\d{6,}$/.test(card.creativeId), `${says}: id`, page);
  await note('mediaLibrary.cardName', card.name !== '', `${says}: name`, page);
  await note(
    'mediaLibrary.cardDimensions',
    sample.some(({ card: other }) => /^\d+x\d+$/.test(other.dimensions)),
    `${says}: dimensions`,
    page,
  );
  await note(
    'mediaLibrary.cardFileType',
    sample.some(({ card: other }) => /^\.\w+$/.test(other.fileType)),
    `${says}: file type`,
    page,
  );
  await note(
    'mediaLibrary.cardReviewStatus',
    /^(pending|approved|rejected)$/i.test(card.reviewStatus),
    `${says}: review status ${card.reviewStatus || 'missing'}`,
    page,
  );
}

/** A campaign's ad settings, read only: its name, the ads table and its length control, "Mass create with CSV" and its parts (none is used). */
async function checkCampaign(tj: TjPage, connection: TjConnection, campaignId: string, note: Note): Promise<void> {
  const c = TJ.campaign;
  const page = tj.page;
  // The page promises its ready texts, not the app's markers.
  const verdict = await tj
    .open(new URL(c.adSettingsPath.replace('{id}', campaignId), connection.appUrl).href, c.readyText)
    .catch(() => 'out' as const);
  const ready =
    verdict === 'in' &&
    (await page
      .getByText(new RegExp(c.readyText.join('|')))
      .first()
      .waitFor({ timeout: TJ.navigationMs })
      .then(
        () => true,
        () => false,
      ));
  await note(
    'campaign.adSettingsPath',
    ready,
    ready ? `campaign ${campaignId}'s ad settings load` : `campaign ${campaignId}'s ad settings did not load`,
    page,
  );
  await note(
    'campaign.readyText',
    ready,
    ready ? 'STEP 5 or "Mass create with CSV" shows' : 'neither text showed',
    page,
  );
  if (!ready) return;
  const table = await tj.settle(AD_ROWS, undefined, `the ads table of campaign ${campaignId}`).then(
    () => tj.view(AD_ROWS),
    () => undefined,
  );
  await note(
    'campaign.openModalClose',
    true,
    (await tj.closeOverlays(c.openModalClose))
      ? 'a modal left open showed and was closed'
      : 'no modal was left open this time',
  );
  const name = (
    (await page
      .locator(c.name)
      .first()
      .textContent()
      .catch(() => null)) ?? ''
  ).trim();
  await note('campaign.name', name !== '', name ? `"${name}"` : 'no campaign name', page);
  await note(
    'campaign.adRows',
    table !== undefined,
    table ? `${table.keys.length} ads on screen` : 'the ads table did not settle',
    page,
  );
  const select = (await present(page, c.lengthSelect)) > 0;
  await note('campaign.lengthSelect', select, select ? 'the length select is attached' : 'no length select', page);
  await note(
    'hint.lengthWidget',
    (await present(page, TJ_HINTS.lengthWidget)) > 0,
    'the select2 widget over the length select',
  );
  for (const [key, text] of [
    ['massCreateText', c.massCreateText],
    ['csvPreviewText', c.csvPreviewText],
  ] as const) {
    const count = await page.getByText(text).count();
    await note(
      `campaign.${key}`,
      count > 0,
      count > 0 ? `"${text}" is on the page (not clicked)` : `nothing says "${text}"`,
      page,
    );
  }
  for (const [key, what] of [
    ['previewModal', 'the preview modal, closed'],
    ['csvInput', 'the CSV input (nothing is set on it)'],
    ['confirm', 'the confirm button, in the closed modal'],
  ] as const) {
    const value = c[key];
    const count = await present(page, typeof value === 'string' ? value : value.join(', '));
    await note(`campaign.${key}`, count > 0, count > 0 ? what : 'not on the page', page);
  }
}
