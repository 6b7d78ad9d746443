import type { Browser } from 'playwright';
import { ToolMissingError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { StorageRepository } from '../../store/storage.repository.js';

/** Debian's Chromium; where there is none, Playwright's own build is used, as on a user's machine. */
const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

const QUIET_FLAGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface BrowserOptions {
  readonly headless: boolean;
  /** `CHROMIUM_PATH`: wins over everything else. */
  readonly chromiumPath?: string | undefined;
  /** Where to say that Chromium runs without its sandbox, and why. */
  readonly log?: Pick<Logger, 'info'>;
}

/** What decides whether Chromium's sandbox can start on this machine. */
export interface SandboxFacts {
  /** Our user id; undefined where there is none (Windows). */
  readonly uid: number | undefined;
  /** `/proc/sys/user/max_user_namespaces`: 0 in a container that allows none. */
  readonly maxUserNamespaces: number | undefined;
  /** `/proc/sys/kernel/unprivileged_userns_clone` (Debian's switch): 0 forbids them to users. */
  readonly unprivilegedUsernsClone: number | undefined;
  /** `/proc/sys/kernel/apparmor_restrict_unprivileged_userns` (Ubuntu 24.04): 1 forbids them to unconfined programs. */
  readonly apparmorRestrictsUserns: number | undefined;
}

/**
 * `--no-sandbox` only where the sandbox cannot start: as root (Chromium refuses it), or where user
 * namespaces, which Debian's Chromium sandboxes with, are turned off. Elsewhere a page that
 * breaks the renderer stays inside it. The reason is for the log.
 */
export function sandboxArgs(facts: SandboxFacts): { readonly args: readonly string[]; readonly reason?: string } {
  if (facts.uid === 0)
    return { args: ['--no-sandbox'], reason: 'this process runs as root, where Chromium refuses its sandbox' };
  if (facts.maxUserNamespaces === 0 || facts.unprivilegedUsernsClone === 0 || facts.apparmorRestrictsUserns === 1) {
    return {
      args: ['--no-sandbox'],
      reason: 'this machine does not let programs make user namespaces, which the sandbox needs',
    };
  }
  return { args: [] };
}

/** This machine's {@link SandboxFacts}. */
export async function machineSandboxFacts(storage = new StorageRepository()): Promise<SandboxFacts> {
  const number = async (file: string): Promise<number | undefined> => {
    const text = await storage.readText(file).catch(() => undefined);
    const value = text === undefined ? Number.NaN : Number.parseInt(text, 10);
    return Number.isInteger(value) ? value : undefined;
  };
  return {
    uid: process.getuid?.(),
    maxUserNamespaces: await number('/proc/sys/user/max_user_namespaces'),
    unprivilegedUsernsClone: await number('/proc/sys/kernel/unprivileged_userns_clone'),
    apparmorRestrictsUserns: await number('/proc/sys/kernel/apparmor_restrict_unprivileged_userns'),
  };
}

/** The executable to launch, or undefined for Playwright's own browser. */
export function chromiumExecutable(
  chromiumPath: string | undefined,
  storage = new StorageRepository(),
): string | undefined {
  if (chromiumPath) {
    if (!storage.isExecutable(chromiumPath)) {
      throw new ToolMissingError(`CHROMIUM_PATH "${chromiumPath}" is not an executable file`, {
        hint: 'Point CHROMIUM_PATH at a Chromium binary, or unset it to use /usr/bin/chromium.',
      });
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
  const sandbox = sandboxArgs(await machineSandboxFacts());
  if (sandbox.reason) options.log?.info({ sandbox: false }, `Chromium runs without its sandbox: ${sandbox.reason}`);
  try {
    return await chromium.launch({
      headless: options.headless,
      ...(executablePath ? { executablePath } : {}),
      args: [...sandbox.args, ...QUIET_FLAGS],
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
