/**
 * Text from outside (file names, TJ's reasons and words, campaign names) placed in the report's
 * Markdown so that it shows as written and never becomes markup: a name cannot close its code
 * span, and a reason cannot become a link, an image, HTML or a heading.
 */

/** A line break inside a value would end its list item, and could start a heading of its own. */
const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029]/g;

/**
 * `text` as one inline code span (CommonMark 6.1): its fence one backtick longer than the longest
 * run of backticks inside, and padded with a space where the text starts or ends with a backtick
 * or a space (one space each side is taken off again by the reader).
 */
export function codeSpan(text: string): string {
  const flat = text.replace(LINE_BREAKS, ' ');
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat === '' || /^[` ]|[` ]$/.test(flat) ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * Punctuation that makes code, links, images (`![`), HTML or emphasis across words: each gets a backslash
 * (CommonMark 2.4), so it shows as itself. `_` is left: inside a name (`VID_EN_…`) it never makes
 * emphasis, and `#` or a list mark means something only at a line's start, which a value never is.
 */
const INLINE_MARKUP = /[\\`*[\]<>~]/g;

/**
 * `text` as plain words in Markdown, every mark escaped. Our own sentences too when they carry a
 * value (the attention lines): their `commands` then show with their backticks, as in the HTML,
 * since a value's backticks could otherwise pair with ours and leave a link outside any code.
 */
export function markdownText(text: string): string {
  return text.replace(LINE_BREAKS, ' ').replace(INLINE_MARKUP, (mark) => `\\${mark}`);
}
