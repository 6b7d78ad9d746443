import type { Browser } from 'playwright';
import { ToolMissingError } from '../../core/errors.js';
import { StorageRepository } from '../../store/storage.repository.js';

/** Debian's Chromium; where there is none, Playwright's own build is used, as on a user's machine. */
const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

const HEADLESS_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface BrowserOptions {
  readonly headless: boolean;
  /** `CHROMIUM_PATH`: wins over everything else. */
  readonly chromiumPath?: string | undefined;
}

/** The executable to launch, or undefined for Playwright's own browser. */
export function chromiumExecutable(chromiumPath: string | undefined, storage = new StorageRepository()): string | undefined {
  if (chromiumPath) {
    if (!storage.isExecutable(chromiumPath)) {
      throw new ToolMissingError(`CHROMIUM_PATH "${chromiumPath}" is not an executable file`, { hint: 'Point CHROMIUM_PATH at a Chromium binary, or unset it to use /usr/bin/chromium.' });
    }
    return chromiumPath;
  }
  return SYSTEM_CHROMIUM.find((candidate) => storage.isExecutable(candidate));
}

/**
 * Launches Chromium. Signals are ours to handle: the daemon closes the browser itself on
 * shutdown, after the current batch, so Playwright must not kill it on SIGINT or SIGTERM.
 */
export async function launchBrowser(options: BrowserOptions): Promise<Browser> {
  const executablePath = chromiumExecutable(options.chromiumPath);
  // Loaded with the first browser: a process that never opens one (an idle daemon, `--help`) never pays for Playwright.
  const { chromium } = await import('playwright');
  try {
    return await chromium.launch({
      headless: options.headless,
      ...(executablePath ? { executablePath } : {}),
      args: HEADLESS_FLAGS,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (error) {
    throw new ToolMissingError(`Chromium could not be started (${(error as Error).message.split('\n')[0]})`, {
      hint: 'Install it (Debian/Ubuntu: sudo apt-get install -y chromium), or set CHROMIUM_PATH to a Chromium binary.',
      cause: error,
    });
  }
}
