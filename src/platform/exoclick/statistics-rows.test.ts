import { describe, expect, it } from 'vitest';
import { ExoStatisticsAnswerError, statisticsRows } from './statistics-rows.js';

/** Issue 29: statistics rows read in every shape the contract names, and a row that cannot be read whole fails the fetch. */

const row = (fields: Record<string, unknown>): { result: unknown[] } => ({
  result: [
    {
      group_by: { date: { date: '2025-06-01' }, variation_id: { id: 42 } },
      impressions: 1,
      clicks: 0,
      cost: 0.5,
      goals: { total: 0, data: [] },
      ...fields,
    },
  ],
});

describe('ExoClick statistics rows', () => {
  it("reads the date as an object or a string (a time after it left off), ids and figures as numbers or digits, and PHP's empty [] as no goals", () => {
    const answer = {
      result: [
        {
          group_by: { date: { date: '2025-06-01' }, variation_id: { id: 42 } },
          impressions: 10,
          clicks: 2,
          cost: 1.25,
          goals: { total: 3, data: { a1: { volume: 2, ecpa: 0.6 }, b2: { volume: '1' } } },
        },
        {
          group_by: { date: '2025-06-02 00:00:00', variation_id: { id: '43' } },
          impressions: '7',
          clicks: '1',
          cost: '0.07',
          goals: { total: 0, data: [] },
        },
      ],
    };
    const [first, second] = statisticsRows(answer);
    expect(first).toEqual({
      day: '2025-06-01',
      variationId: '42',
      impressions: 10,
      clicks: 2,
      cost: 1.25,
      goalsTotal: 3,
      goals: new Map([
        ['a1', 2],
        ['b2', 1],
      ]),
    });
    expect(second).toEqual({
      day: '2025-06-02',
      variationId: '43',
      impressions: 7,
      clicks: 1,
      cost: 0.07,
      goalsTotal: 0,
      goals: new Map(),
    });
  });

  it('takes the day asked for a call grouped by variation alone, and refuses a row of another day', () => {
    const answer = {
      result: [{ group_by: { variation_id: { id: 5 } }, impressions: 1, clicks: 0, cost: 0, goals: { total: 0 } }],
    };
    expect(statisticsRows(answer, '2025-06-03')[0]?.day).toBe('2025-06-03');
    expect(() => statisticsRows(row({}), '2025-06-03')).toThrow(/is for 2025-06-01, in a call for 2025-06-03 alone/);
    expect(statisticsRows({ result: [] })).toEqual([]);
  });

  it('fails on a row it cannot read whole, rather than skip or guess it', () => {
    const bad = [
      { result: 'nope' },
      { result: [{ impressions: 1 }] },
      { result: [{ group_by: { date: { date: '2025-06-01' } }, impressions: 1 }] },
      { result: [{ group_by: { variation_id: { id: 1 } }, impressions: 1 }] },
      row({ impressions: 'many' }),
      row({ cost: '1,5' }),
      row({ goals: { total: 1, data: [{ volume: 1 }] } }),
      row({ goals: 'none' }),
    ];
    for (const answer of bad)
      expect(() => statisticsRows(answer), JSON.stringify(answer)).toThrow(ExoStatisticsAnswerError);
  });
});
