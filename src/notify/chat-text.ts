import { redactText } from '../core/redact.js';

/**
 * A notice's words: ours (the template, whose backticks mark commands) and the values set in them
 * (file names, reasons, a platform's message), kept apart until the text is written for a chat,
 * so that only the values are escaped, each the way its chat needs.
 */
export interface ChatText {
  readonly words: readonly string[];
  readonly values: readonly string[];
}

/** `chat\`${name} failed: ${reason}\``: the template's words as they are, each value escaped when sent. */
export function chat(words: TemplateStringsArray, ...values: readonly (string | number)[]): ChatText {
  return { words: [...words], values: values.map(String) };
}

/** `first` then `second`, each value still a value. */
export function joinChat(first: ChatText, second: ChatText): ChatText {
  const words = [
    ...first.words.slice(0, -1),
    `${first.words.at(-1) ?? ''}${second.words[0] ?? ''}`,
    ...second.words.slice(1),
  ];
  return { words, values: [...first.values, ...second.values] };
}

/** A value on its own line would start a quote, a heading or a list; in a notice it stays on ours. */
const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029]/g;
/** Zero-width space: breaks a mention or a link's syntax without changing what a person reads. */
const ZWSP = '\u200b';
/** `@everyone`, `@here`, `@channel`: pings for a whole channel, in Discord's and Slack's words. */
const BROADCAST = /@(everyone|here|channel)\b/gi;

/**
 * For Slack's `text` (Teams reads the same field): `&`, `<` and `>` as entities, which is all Slack
 * needs so that `<!channel>`, `<@U123>` and `<https://evil|a trusted name>` show as written; a
 * Markdown link `[x](y)`, which Teams renders, broken between its parts; broadcasts broken.
 */
export function slackValue(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\]\(/g, `]${ZWSP}(`)
    .replace(BROADCAST, `@${ZWSP}$1`);
}

/**
 * For Discord's `content`: its Markdown marks escaped with a backslash (a masked link `[x](y)`,
 * emphasis, spoilers; a quote or heading needs a line's start, which a value never has), and `<`
 * and `@` followed by a zero-width space, as Discord's documentation shows a mention (`<@123>`,
 * `<#…>`, `@everyone`) without it pinging. Backticks stay, so a reason's `command` shows as code:
 * whatever they make code is shown as written, and all else of a value is escaped.
 */
export function discordValue(value: string): string {
  return value
    .replace(/[\\*_~|[\]]/g, (mark) => `\\${mark}`)
    .replace(/</g, `<${ZWSP}`)
    .replace(BROADCAST, `@${ZWSP}$1`);
}

/** The text for one chat: ours as written, each value without credentials, on one line, and escaped. */
export function renderChat(text: ChatText | string, escape: (value: string) => string): string {
  const value = (raw: string): string => escape(redactText(raw).replace(LINE_BREAKS, ' '));
  // A plain string is all value: nothing in it is taken as ours.
  if (typeof text === 'string') return value(text);
  return text.words
    .map((word, i) => (i < text.values.length ? `${word}${value(text.values[i] ?? '')}` : word))
    .join('');
}
