import { describe, expect, it } from 'vitest';
import { secretFlagWarnings } from './secret-flags.js';

describe('secretFlagWarnings', () => {
  it('warns for each credential given as a flag, and says nothing when they are asked for', () => {
    expect(secretFlagWarnings({})).toEqual([]);
    const warnings = secretFlagWarnings({ password: 'hunter2', exoToken: 'tok' });
    expect(warnings).toEqual([
      "creative-flow: --password leaves the TJ password in your shell's history and the process list. Next time leave it out to be asked for it (masked), or set TJ_PASSWORD in the environment for a script.",
      "creative-flow: --exo-token leaves the ExoClick API token in your shell's history and the process list. Next time leave it out to be asked for it (masked), or set EXO_API_TOKEN in the environment for a script.",
    ]);
    expect(warnings.join()).not.toMatch(/hunter2|tok\b/);
  });
});
