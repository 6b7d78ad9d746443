import { describe, expect, it } from 'vitest';
import { rootPath } from '../core/layout.js';
import type { CreativeRecord } from '../core/record.js';
import { buildDailyReport } from './daily-report.js';
import { codeSpan, markdownText } from './markdown.js';
import { renderMarkdown } from './render.js';

const day = '2026-11-20';
const at = new Date(`${day}T10:00:00`).toISOString();

function rejected(name: string, reason: string): CreativeRecord {
  return {
    key: name,
    state: 'rejected',
    source: { path: rootPath(`inbox/${name}`), size: 1, mtimeMs: 1 },
    attempts: 0,
    times: { discovered: at, rejected: at },
    reason,
  };
}

/** The code spans of a Markdown line, read as CommonMark reads them: a run of backticks closed by a run as long. */
function codeSpans(line: string): string[] {
  const spans: string[] = [];
  for (let i = 0; i < line.length;) {
    const fence = /^`+/.exec(line.slice(i))?.[0];
    if (!fence) {
      i += line[i] === '\\' ? 2 : 1;
      continue;
    }
    const close = new RegExp(`(?<!\`)${fence}(?!\`)`, 'g');
    close.lastIndex = i + fence.length;
    const end = close.exec(line);
    if (!end) {
      i += fence.length;
      continue;
    }
    const inner = line.slice(i + fence.length, end.index);
    spans.push(/^ .* $/.test(inner) && inner.trim() !== '' ? inner.slice(1, -1) : inner);
    i = end.index + fence.length;
  }
  return spans;
}

describe('the Markdown report', () => {
  it('holds any name in one code span, whatever backticks it carries', () => {
    for (const name of [
      'plain.mp4',
      'a`b.mp4',
      '``x``.mp4',
      '`lead.mp4',
      'trail`',
      ' spaced ',
      'x` [click](http://evil.test) `y',
    ]) {
      expect(codeSpans(`- ${codeSpan(name)}: reason`), name).toEqual([name]);
    }
    // A line break would end the list item: it becomes a space.
    expect(codeSpan('a\n# heading')).toBe('`a # heading`');
  });

  it('shows reasons, statuses and campaign names as written: no link, image, HTML or code from them', () => {
    expect(markdownText('see [here](http://evil.test) ![x](http://evil.test/p.png) <img src=x> `code` **b**')).toBe(
      'see \\[here\\](http://evil.test) !\\[x\\](http://evil.test/p.png) \\<img src=x\\> \\`code\\` \\*\\*b\\*\\*',
    );
    expect(markdownText('VID_EN_Cat_ID-1 set CAMPAIGN_TARGET_URL in .env')).toBe(
      'VID_EN_Cat_ID-1 set CAMPAIGN_TARGET_URL in .env',
    );
  });

  it('renders a day with hostile names and reasons without markup from them, and without the credentials they quote', () => {
    const report = buildDailyReport({
      date: day,
      records: [
        rejected(
          'x` [click](http://evil.test) `y.mp4',
          'refused by https://demo:pw-secret@cdn.test/a?access_token=tok-secret [click](http://evil.test)',
        ),
      ],
      waiting: 0,
      reviewStatusOf: () => undefined,
      csvsOfBatch: () => [],
      platforms: [
        {
          platform: 'tj',
          waiting: { state: 'login-required', since: at, message: 'Sent Cookie: sid=cookie-secret <!channel>' },
        },
      ],
    });
    const markdown = renderMarkdown(report);
    for (const secret of ['pw-secret', 'tok-secret', 'cookie-secret']) expect(markdown).not.toContain(secret);
    const line = markdown.split('\n').find((each) => each.includes('click')) ?? '';
    expect(codeSpans(line)).toEqual(['inbox/x` [click](http://evil.test) `y.mp4']);
    expect(line).toContain(
      ': refused by https://demo:\\[redacted\\]@cdn.test/a?access_token=\\[redacted\\] \\[click\\](http://evil.test)',
    );
    expect(markdown).toContain('Sent Cookie: \\[redacted\\]');
  });
});
