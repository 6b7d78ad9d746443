import type { Logger } from '../core/logger.js';
import { discordValue, renderChat, slackValue, type ChatText } from './chat-text.js';
import { retry, sleep } from '../core/retry.js';

/**
 * One notification: `key` names the event, so the same one is not sent twice in a short window.
 * `text`: made with {@link chat}, so that names and reasons are escaped for each chat; a plain
 * string is escaped whole.
 */
export interface Notice {
  readonly key: string;
  readonly text: ChatText | string;
}

export interface NotifierOptions {
  /** The same key is not sent again within this long. */
  readonly dedupeMs: number;
  /** Tries per notice, the first included. */
  readonly attempts: number;
  /** The wait before the second try; it doubles after each. */
  readonly backoffMs: number;
}

export const DEFAULT_NOTIFIER_OPTIONS: NotifierOptions = { dedupeMs: 10 * 60_000, attempts: 5, backoffMs: 1_000 };

/**
 * What a webhook is sent: `text` for Slack and Teams, `content` and `allowed_mentions` for Discord
 * (none: nothing in a notice may ping anyone). Each chat ignores the others' fields.
 */
export interface NoticeBody {
  readonly text: string;
  readonly content: string;
  readonly allowed_mentions: { readonly parse: readonly never[] };
}

/** Where notices go: a webhook (Slack, Discord, Teams), or a test's receiver. */
export type SendNotice = (body: NoticeBody) => Promise<void>;

/** Discord takes at most 2,000 characters. */
const MAX_TEXT = 1_900;

/**
 * Sends notices without ever holding up the work: `notify` returns at once, delivery retries
 * with backoff in the background, and a notice whose key was sent a moment ago is dropped. The
 * text is in the form Slack and Teams (`text`) and Discord (`content`) accept.
 */
export class Notifier {
  private readonly sentAt = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly send: SendNotice,
    private readonly log: Logger,
    private readonly options: NotifierOptions = DEFAULT_NOTIFIER_OPTIONS,
  ) {}

  notify(notice: Notice): void {
    const now = Date.now();
    const last = this.sentAt.get(notice.key);
    if (last !== undefined && now - last < this.options.dedupeMs) return;
    this.sentAt.set(notice.key, now);
    for (const [key, at] of this.sentAt) if (now - at >= this.options.dedupeMs) this.sentAt.delete(key);
    const delivery = this.deliver(notice).finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }

  /** Waits for the notices under way, at most `timeoutMs` (on shutdown). */
  async flush(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all(this.pending), timeout]);
    clearTimeout(timer);
  }

  private async deliver(notice: Notice): Promise<void> {
    const cut = (text: string): string => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);
    const body: NoticeBody = {
      text: cut(renderChat(notice.text, slackValue)),
      content: cut(renderChat(notice.text, discordValue)),
      allowed_mentions: { parse: [] },
    };
    try {
      await retry(() => this.send(body), {
        attempts: this.options.attempts,
        backoff: { baseMs: this.options.backoffMs },
        wait: (ms) => sleep(ms, { ref: false }),
      });
    } catch (error) {
      this.log.warn(
        { notice: notice.key, attempts: this.options.attempts },
        `Could not send a notification: ${(error as Error).message}`,
      );
    }
  }
}
