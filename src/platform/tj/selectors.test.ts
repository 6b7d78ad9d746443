import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TJ, TJ_HINTS } from './selectors.js';

/** The project's own statement of TJ's site, beside this module (resolved from src/ or dist/). */
const CONTRACT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src/platform/tj/CONTRACT.md');
/** The steering team's contract, beside the repository when it is checked out with `../shared/`: the project's copy must still agree with it. */
const SHARED_CONTRACT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/TJ-CONTRACT.md');
const sharedContract = existsSync(SHARED_CONTRACT) ? readFileSync(SHARED_CONTRACT, 'utf8') : undefined;
if (!sharedContract)
  console.log(
    `Skipping the check that src/platform/tj/CONTRACT.md agrees with the steering contract: ${SHARED_CONTRACT} is not there (a clone without ../shared).`,
  );

/** Every string a flow may require: the selectors and texts of `TJ`, at any depth (numbers are timings, not markup). */
function required(node: unknown, at = 'TJ'): { at: string; text: string }[] {
  if (typeof node === 'string') return [{ at, text: node }];
  if (Array.isArray(node)) return node.flatMap((item, index) => required(item, `${at}[${index}]`));
  if (typeof node === 'object' && node !== null)
    return Object.entries(node).flatMap(([key, value]) => required(value, `${at}.${key}`));
  return [];
}

/** The required strings the contract does not quote. */
function notInContract(selectors: unknown, contract: string): string[] {
  return required(selectors)
    .filter(({ text }) => !contract.includes(text))
    .map(({ at, text }) => `${at}: ${text}`);
}

describe('the selectors module against the contract (src/platform/tj/CONTRACT.md)', () => {
  it('requires only selectors and texts the contract quotes', async () => {
    const contract = await fs.readFile(CONTRACT, 'utf8');
    expect(notInContract(TJ, contract)).toEqual([]);
  });

  it('fails when a selector the contract does not name is made required (the grid container that broke the first live day)', async () => {
    const contract = await fs.readFile(CONTRACT, 'utf8');
    const withContainer = {
      ...TJ,
      mediaLibrary: { ...TJ.mediaLibrary, grid: ['#creatives', '.dataTables_wrapper tbody'] },
    };
    expect(notInContract(withContainer, contract)).toEqual([
      'TJ.mediaLibrary.grid[0]: #creatives',
      'TJ.mediaLibrary.grid[1]: .dataTables_wrapper tbody',
    ]);
  });

  it('keeps apart, as hints, what the contract does not quote', async () => {
    const contract = await fs.readFile(CONTRACT, 'utf8');
    // A hint the contract came to quote belongs in TJ, where flows may rely on it.
    const quoted = required(TJ_HINTS, 'TJ_HINTS').filter(({ text }) => contract.includes(text));
    expect(quoted).toEqual([]);
  });

  it.skipIf(!sharedContract)(
    'quotes nothing the steering contract does not: every selector and text of the project’s copy is in ../shared/TJ-CONTRACT.md',
    async () => {
      const ours = await fs.readFile(CONTRACT, 'utf8');
      // What the page quotes of TJ's site; the names of our own files and symbols are not TJ's.
      const quoted = [...ours.matchAll(/`([^`]+)`/g)]
        .map((match) => match[1] ?? '')
        .filter((text) => !/\.(ts|md)$|^[A-Z_]+$/.test(text));
      expect(quoted.filter((text) => !sharedContract?.includes(text))).toEqual([]);
      expect(notInContract(TJ, sharedContract ?? '')).toEqual([]);
    },
  );
});
