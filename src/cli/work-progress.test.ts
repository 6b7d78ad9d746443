import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ActivityBus } from '../core/events.js';
import { showWorkProgress } from './work-progress.js';

/** A stream that keeps what is written, as a terminal or not. */
function stream(isTTY: boolean): { out: NodeJS.WriteStream; text: () => string } {
  let written = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString();
      done();
    },
  });
  return {
    out: Object.assign(sink, {
      isTTY,
      columns: 120,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    }) as unknown as NodeJS.WriteStream,
    text: () => written,
  };
}

describe('showWorkProgress', () => {
  it('off a terminal, writes a plain line every 10 pages or files and one at the end of each part', () => {
    const bus = new ActivityBus();
    const { out, text } = stream(false);
    const stop = showWorkProgress(out, bus);
    for (let page = 1; page <= 12; page += 1)
      bus.emit('progress', { work: 'walk', part: 'Native Rollover', done: page, unit: 'pages' });
    bus.emit('progress', { work: 'walk', part: 'Native Rollover', done: 12, total: 12, unit: 'pages' });
    for (let file = 1; file <= 3; file += 1)
      bus.emit('progress', { work: 'upload', part: 'TrafficJunky', done: file, total: 3, unit: 'files' });
    stop();
    bus.emit('progress', { work: 'ingest', part: 'inbox', done: 10, total: 10, unit: 'files' });
    expect(text().split('\n').filter(Boolean)).toEqual([
      'reading Native Rollover: 10 pages',
      'reading Native Rollover: 12 of 12 pages, done',
      'uploading to TrafficJunky: 3 of 3 files, done',
    ]);
  });

  it('on a terminal, draws a bar a part with done of total, and a walk’s total as unknown until its last page', () => {
    const bus = new ActivityBus();
    const { out, text } = stream(true);
    const stop = showWorkProgress(out, bus);
    bus.emit('progress', { work: 'walk', part: 'In-Stream Video', done: 3, unit: 'pages' });
    bus.emit('progress', { work: 'ingest', part: 'inbox', done: 4, total: 20, unit: 'files' });
    stop();
    expect(text()).toMatch(/reading In-Stream Video .* 3\/\? pages/);
    expect(text()).toMatch(/processing inbox .* 4\/20 files \| [\d.]+\/min \| ETA/);
  });
});
