import path from 'node:path';
import type { BrowserContext } from 'playwright';
import type { StorageRepository } from '../../store/storage.repository.js';
import { CredentialsRefusedError, LoginRequiredError } from '../uploader.js';
import { launchBrowser } from './browser.js';
import type { Evidence } from './evidence.js';
import { TJ } from './selectors.js';
import { TjPage } from './tj-page.js';

/** Where TJ is and who signs in. The password never reaches a log. */
export interface TjConnection {
  readonly loginUrl: string;
  readonly appUrl: string;
  readonly username: string | undefined;
  /** A credential: never logged, never written anywhere but the environment or `.env`. */
  readonly password: string | undefined;
  /** A Chromium to drive instead of Debian's or Playwright's own. */
  readonly chromiumPath: string | undefined;
  /** A saved session signed in longer ago than this is dropped before use. */
  readonly sessionMaxDays?: number;
}

/**
 * The saved browser session (Playwright storageState: cookies and localStorage). It is a
 * credential: its folder is 0700 and the file 0600, replaced atomically.
 */
export class SessionFile {
  constructor(
    readonly file: string,
    private readonly storage: StorageRepository,
  ) {}

  async exists(): Promise<boolean> {
    return (await this.storage.stat(this.file)) !== undefined;
  }

  /** When it was last written (0 when there is none): a new login shows as a new time. */
  async savedAt(): Promise<number> {
    return (await this.storage.stat(this.file))?.mtimeMs ?? 0;
  }

  /** Saves the browser's session; `signedIn` when it comes from a sign-in just made (its age starts now). */
  async save(context: BrowserContext, signedIn = false): Promise<void> {
    await this.storage.ensureDir(path.dirname(this.file), 0o700);
    await this.storage.writeFileAtomic(this.file, JSON.stringify(await context.storageState()), { mode: 0o600 });
    if (signedIn) await this.storage.writeFileAtomic(this.signedInFile, new Date().toISOString(), { mode: 0o600 });
  }

  /** Days since the sign-in that made it (a keep-alive saves it again, but does not make it younger). */
  async ageDays(now = Date.now()): Promise<number> {
    const signedIn = Date.parse((await this.storage.readText(this.signedInFile))?.trim() ?? '');
    const since = Number.isNaN(signedIn) ? await this.savedAt() : signedIn;
    return since === 0 ? 0 : (now - since) / 86_400_000;
  }

  /** Forgets the session: the next piece of work signs in afresh. */
  async drop(): Promise<void> {
    await this.storage.remove(this.file);
    await this.storage.remove(this.signedInFile);
  }

  private get signedInFile(): string {
    return `${this.file}.signed-in-at`;
  }
}

/**
 * Signs in: opens the sign-in page (a session still alive there shows the app instead: nothing
 * to do), fills the form, waits (polling every 2 s) until `#submitBtn` is truly enabled, which
 * takes a person solving the captcha unless the site has none, clicks it once, waits for the
 * app's verdict, and saves the session. Throws {@link CredentialsRefusedError} when TJ refuses
 * the password, {@link LoginRequiredError} when nobody enables the button in `waitForPersonMs`.
 */
export async function signIn(
  context: BrowserContext,
  connection: TjConnection,
  session: SessionFile,
  evidence: Evidence,
  waitForPersonMs: number,
): Promise<void> {
  const tj = new TjPage(await context.newPage(), evidence);
  const page = tj.page;
  try {
    const signedIn = await tj.step(
      'sign in',
      'the sign-in form',
      async () => {
        for (let attempt = 1; ; attempt += 1) {
          await page.goto(connection.loginUrl, { timeout: TJ.navigationMs });
          if ((await tj.verdict()) === 'in') return false;
          const banner = page.locator(TJ.signIn.cookieAccept);
          if (await banner.isVisible()) await banner.click();
          if (connection.username) await page.fill(TJ.signIn.username, connection.username);
          if (connection.password) await page.fill(TJ.signIn.password, connection.password);
          const deadline = Date.now() + waitForPersonMs;
          // `disabled=""` is still disabled: only the attribute's absence counts.
          while ((await page.getAttribute(TJ.signIn.submit, 'disabled')) !== null) {
            if (Date.now() > deadline)
              throw new LoginRequiredError('the sign-in button stayed disabled: the captcha needs a person');
            await page.waitForTimeout(2_000);
          }
          await Promise.all([page.waitForLoadState('load'), page.click(TJ.signIn.submit)]);
          if ((await tj.verdict()) === 'in') return true;
          if ((await page.textContent('body'))?.includes(TJ.signIn.wrongCredentialsText))
            throw CredentialsRefusedError.tj(connection.username);
          // Back on sign-in with no word against the password: the new session ended as it landed. Once more, then a person.
          if (attempt === 2)
            throw new LoginRequiredError(
              'the sign-in page came back after submitting, twice, with no word against the password',
            );
        }
      },
      { checkSession: false },
    );
    await session.save(context, signedIn);
  } finally {
    await page.close();
  }
}

/** Signs in in a browser of its own (a window a person can use, unless `headless`), then closes it. */
export async function signInWithBrowser(
  connection: TjConnection,
  session: SessionFile,
  evidence: Evidence,
  options: { headless: boolean; waitForPersonMs: number },
): Promise<void> {
  const browser = await launchBrowser({ headless: options.headless, chromiumPath: connection.chromiumPath });
  try {
    await signIn(await browser.newContext(), connection, session, evidence, options.waitForPersonMs);
  } finally {
    await browser.close();
  }
}
