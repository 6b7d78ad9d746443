import path from 'node:path';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../platform/tj/browser.js';
import { MARKUP_VARIANTS } from '../../simulators/tj/variants.js';
import { tempRoot } from '../fixtures.js';
import { replayHint, sweepPoints, sweepSettings } from './sweep-plan.js';
import {
  campaignFlow,
  makeSweepMedia,
  uploadFlow,
  walkFlow,
  type Strike,
  type SweepFlow,
  type SweepMedia,
} from './tj-flows.js';

/** Points of a flow's session-end sweep in a sampled run (CI's) unless `SWEEP_SAMPLE` says; a full run strikes every request. */
const SAMPLE = 4;
/** Points of the upload flow's dropped-connection sweep in a sampled run. */
const DROP_SAMPLE = 1;
/** How long a flow's points may take together: a sampled run's slowest (the panels build's upload) takes about 4 minutes. */
const SAMPLED_FLOW_MS = 15 * 60_000;

/**
 * The TJ fault sweep over some builds of TJ's pages (issue 26): each flow run once with no fault
 * to count its requests, then again with every session ended at request N, for the points the
 * plan picks (and, for uploads, with the Nth upload's connection dropped after TJ kept the file).
 * Every point is held to the flow's invariants; the failing ones are listed with how to replay
 * them, and the counts printed.
 */
export function describeTjSweep(variants: readonly number[]): void {
  const settings = sweepSettings();
  const sample = settings.sample ?? SAMPLE;
  describe.each(variants)('TJ fault sweep, variant %i', (variant) => {
    let browser: Browser;
    let files: SweepMedia;
    beforeAll(async () => {
      browser = await launchBrowser({ headless: true, chromiumPath: process.env.CHROMIUM_PATH });
      files = await makeSweepMedia(await tempRoot('cf-sweep-media-'));
      console.log(
        `TJ sweep, variant ${variant} (${MARKUP_VARIANTS[variant]?.summary}): seed ${settings.seed}${settings.full ? ', full' : `, ${sample} points a flow`}`,
      );
    });
    afterAll(async () => {
      await browser?.close();
      if (files)
        await import('node:fs/promises').then((fs) =>
          fs.rm(path.dirname(files.banner), { recursive: true, force: true }),
        );
    });

    const flows: readonly ((browser: Browser, files: SweepMedia) => SweepFlow)[] = [
      (b, f) => uploadFlow(b, f),
      (b) => walkFlow(b, 'refresh-library'),
      (b) => walkFlow(b, 'sync-status'),
      (b) => campaignFlow(b, 'with-ads'),
      (b) => campaignFlow(b, 'new'),
    ];
    it.each(flows.map((make, index) => [index, make] as const))(
      'flow %i holds through a session end at any request',
      async (index, make) => {
        const flow = make(browser, files);
        const clean = await flow.run(variant, { kind: 'none' });
        // The sample, and every upload request besides: where a session that ends costs the most.
        const uploads = clean.routes.flatMap((route, at) =>
          route.startsWith('POST /media-library/upload') ? [at + 1] : [],
        );
        const at = [
          ...new Set([...sweepPoints(clean.requests, sample, settings, variant * 10 + index), ...uploads]),
        ].sort((a, b) => a - b);
        const strikes: Strike[] = at.map((n) => ({ kind: 'session-ends', at: n }));
        if (clean.uploads > 0)
          strikes.push(
            ...sweepPoints(clean.uploads, DROP_SAMPLE, settings, variant * 10 + index + 5).map(
              (upload) => ({ kind: 'drop', upload }) as const,
            ),
          );
        const failures: string[] = [];
        let secondPasses = 0;
        let resends = 0;
        let askedForPerson = 0;
        let slowest = { ms: 0, what: '' };
        for (const strike of strikes) {
          const what =
            strike.kind === 'drop'
              ? `the connection of upload ${strike.upload} dropped after TJ kept it`
              : strike.kind === 'session-ends'
                ? `the session ended at request ${strike.at} (${clean.routes[strike.at - 1] ?? '?'})`
                : 'no fault';
          const started = Date.now();
          try {
            const run = await flow.run(variant, strike);
            if (run.passes > 1) secondPasses += 1;
            resends += run.resends;
          } catch (error) {
            if (error instanceof Error && error.message.includes('a person was asked')) askedForPerson += 1;
            failures.push(
              `${what}: ${(error as Error).message}\n    ${replayHint(settings, `variant ${variant}, ${flow.name}`, what)}`,
            );
          }
          if (Date.now() - started > slowest.ms) slowest = { ms: Date.now() - started, what };
        }
        console.log(
          `TJ sweep, variant ${variant}, ${flow.name}: ${clean.requests} requests, ${strikes.length} points tried, ${failures.length} failed, ${secondPasses} needed a second pass, ` +
            `${resends} files sent again after a read showed them absent, ${askedForPerson} asks for a person; slowest point ${(slowest.ms / 1000).toFixed(1)} s (${slowest.what})`,
        );
        expect(failures, `seed ${settings.seed}`).toEqual([]);
      },
      settings.full ? 24 * 60 * 60_000 : SAMPLED_FLOW_MS,
    );
  });
}
