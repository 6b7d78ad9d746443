import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvLine, neutraliseCell, restoreCell } from './csv.js';

describe('csvLine', () => {
  const tricky = ['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\rline', ' lead', 'trail ', '', 'émoji 🎬'];

  it('quotes what needs quotes, a line break in a cell included, and reads back as it was', () => {
    expect(csvLine(tricky)).toBe('plain,"a,b","say ""hi""","two\nlines","cr\rline"," lead","trail ",,émoji 🎬\r\n');
    expect(parse(csvLine(tricky))).toEqual([tricky]);
  });
});

describe('neutraliseCell', () => {
  const formulas = ['=HYPERLINK("http://x.test","open")', '+1+1', '-2+3', '@SUM(A1)', '\tlead tab', '\rlead cr'];

  it('puts a quote before what a spreadsheet would run, and nothing else', () => {
    for (const cell of formulas) expect(neutraliseCell(cell)).toBe(`'${cell}`);
    for (const cell of ['plain', 'VID_EN_x.mp4', '', "'quoted", 'a=b', 'archive/batch_001-2026-01-02'])
      expect(neutraliseCell(cell)).toBe(cell);
  });

  it('gives every value back through a CSV line, our own quote taken off only where we put it', () => {
    const cells = [...formulas, "'=already quoted", "''+two", "'plain quote", "'", 'plain'];
    const [read = []] = parse(csvLine(cells.map(neutraliseCell)));
    expect(read.map(restoreCell)).toEqual(cells);
    expect(read.slice(0, formulas.length).every((cell) => cell.startsWith("'"))).toBe(true);
  });
});
