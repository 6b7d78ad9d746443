import fs from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright';
import { ConfigError } from '../../core/errors.js';
import { LoginRequiredError } from '../uploader.js';
import { TJ } from './selectors.js';

/** Where TJ is and who signs in. The password never reaches a log. */
export interface TjConnection {
  readonly loginUrl: string;
  readonly appUrl: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** Playwright storageState (cookies, localStorage): a credential, kept with mode 0600. */
  readonly sessionFile: string;
  readonly chromiumPath: string | undefined;
  /** Where a screenshot of the page goes when an upload fails. */
  readonly screenshotDir: string;
}

/**
 * Whether the page shows a dead session. TJ's app shell loads even then, so the URL is not
 * enough: the page's content decides. Call it again whenever an action fails.
 */
export async function isSignedOut(page: Page): Promise<boolean> {
  if (TJ.loggedOut.urlParts.some((part) => page.url().includes(part))) return true;
  return (await page.locator(`${TJ.loggedOut.heading}, ${TJ.loggedOut.loginForm}, ${TJ.loggedOut.password}`).count()) > 0;
}

/**
 * Signs in: fills the form, waits (polling every 2 s) until `#submitBtn` is truly enabled, which
 * takes a person solving the captcha unless the site has none, clicks it once, and saves the
 * session. Throws {@link LoginRequiredError} when nobody enables the button in `waitForPersonMs`.
 */
export async function signIn(context: BrowserContext, connection: TjConnection, waitForPersonMs: number): Promise<void> {
  const page = await context.newPage();
  try {
    await page.goto(connection.loginUrl, { timeout: TJ.navigationMs });
    const banner = page.locator(TJ.signIn.cookieAccept);
    if (await banner.isVisible()) await banner.click();
    if (connection.username) await page.fill(TJ.signIn.username, connection.username);
    if (connection.password) await page.fill(TJ.signIn.password, connection.password);
    const deadline = Date.now() + waitForPersonMs;
    // `disabled=""` is still disabled: only the attribute's absence counts.
    while ((await page.getAttribute(TJ.signIn.submit, 'disabled')) !== null) {
      if (Date.now() > deadline) throw new LoginRequiredError('the sign-in button stayed disabled: the captcha needs a person');
      await page.waitForTimeout(2_000);
    }
    await Promise.all([page.waitForLoadState('load'), page.click(TJ.signIn.submit)]);
    await page.waitForLoadState('load');
    if ((await page.textContent('body'))?.includes(TJ.signIn.wrongCredentialsText)) {
      throw new ConfigError('TJ_USERNAME/TJ_PASSWORD', 'are not accepted by TJ ("don\'t recognize these credentials")', 'Check them in .env.');
    }
    if (await isSignedOut(page)) throw new LoginRequiredError('the sign-in page came back after submitting');
    await saveSession(context, connection.sessionFile);
  } finally {
    await page.close();
  }
}

/** Writes the session state readable by its owner only, replacing the old one atomically. */
export async function saveSession(context: BrowserContext, file: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, JSON.stringify(await context.storageState()), { mode: 0o600 });
  await fs.rename(temp, file);
}

export async function sessionExists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
