import { describe, expect, it } from 'vitest';
import { judge, type Contender } from './verdicts.js';

const contender = (
  uniqueId: string,
  impressions: number,
  conversions: number,
  cost: number,
  test = 'T-AB1',
): Contender => ({
  uniqueId,
  figures: { impressions, clicks: Math.round(impressions / 50), conversions, cost },
  group: { key: test, label: `test ${test}` },
});

describe('verdicts', () => {
  it('measures a creative against the others, never a median that includes itself: in a test of two, ten times the other is kill', () => {
    const verdicts = judge([contender('ID-A', 50_000, 100, 100), contender('ID-B', 50_000, 10, 100)]);
    expect(verdicts.get('ID-A')).toMatchObject({
      verdict: 'scale',
      reason: "0.1× test T-AB1's median cost per conversion after 100 conversions",
    });
    expect(verdicts.get('ID-B')).toMatchObject({
      verdict: 'kill',
      reason: "10.0× test T-AB1's median cost per conversion after 10 conversions",
    });
  });

  it('watches what has had too little traffic, keeps the middle, and kills a creative that spent two and a half conversions without one', () => {
    const verdicts = judge([
      contender('ID-A', 20_000, 40, 80),
      contender('ID-B', 20_000, 40, 100),
      contender('ID-C', 20_000, 40, 120),
      contender('ID-D', 300, 0, 1),
      contender('ID-E', 20_000, 0, 8),
      contender('ID-F', 20_000, 0, 2),
    ]);
    expect(verdicts.get('ID-B')?.verdict).toBe('keep');
    expect(verdicts.get('ID-D')).toMatchObject({ verdict: 'watch', reason: 'only 300 impressions; judged from 1,000' });
    expect(verdicts.get('ID-E')).toMatchObject({
      verdict: 'kill',
      reason: expect.stringMatching(/^no conversion after spending \$8\.00, what 2\.5 conversions cost/),
    });
    expect(verdicts.get('ID-F')).toMatchObject({
      verdict: 'watch',
      reason: expect.stringMatching(/^no conversion yet; judged once it has spent \$6\.25/),
    });
  });

  it('compares only within a group, and says when there is nothing to compare with', () => {
    const verdicts = judge([contender('ID-A', 50_000, 100, 100, 'T-1'), contender('ID-B', 50_000, 10, 100, 'T-2')]);
    expect(verdicts.get('ID-A')).toMatchObject({
      verdict: 'watch',
      reason: 'no other creative in test T-1 has a conversion to compare with',
    });
  });
});
