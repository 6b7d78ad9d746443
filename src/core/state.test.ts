import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, InvalidTransitionError, STATES } from './state.js';

describe('state transitions', () => {
  it('allows the ingest path in order, and setting aside from any ingest step', () => {
    expect(canTransition('discovered', 'probed')).toBe(true);
    expect(canTransition('probed', 'named')).toBe(true);
    expect(canTransition('named', 'converted')).toBe(true);
    expect(canTransition('converted', 'staged')).toBe(true);
    expect(canTransition('named', 'duplicate')).toBe(true);
    for (const state of ['discovered', 'probed', 'named', 'converted'] as const) {
      expect(canTransition(state, 'rejected')).toBe(true);
      expect(canTransition(state, 'failed')).toBe(true);
      expect(canTransition(state, 'discovered')).toBe(true);
    }
  });

  it('forbids skipping steps and leaving a final state', () => {
    expect(canTransition('discovered', 'converted')).toBe(false);
    expect(canTransition('probed', 'staged')).toBe(false);
    for (const state of ['rejected', 'duplicate', 'archived'] as const) {
      expect(STATES.filter((to) => canTransition(state, to))).toEqual([]);
    }
    expect(() => assertTransition('staged', 'probed', 'c1')).toThrow(InvalidTransitionError);
  });

  it('lets a failed file start over from the beginning, or be staged again when its upload failed', () => {
    expect(STATES.filter((to) => canTransition('failed', to))).toEqual(['discovered', 'staged']);
  });
});
