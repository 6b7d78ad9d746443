import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvLine } from './csv.js';

describe('csvLine', () => {
  const tricky = ['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\rline', ' lead', 'trail ', '', 'émoji 🎬'];

  it('quotes what needs quotes, a line break in a cell included, and reads back as it was', () => {
    expect(csvLine(tricky)).toBe('plain,"a,b","say ""hi""","two\nlines","cr\rline"," lead","trail ",,émoji 🎬\r\n');
    expect(parse(csvLine(tricky))).toEqual([tricky]);
  });
});
