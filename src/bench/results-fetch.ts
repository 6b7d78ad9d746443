/**
 * Results benchmark: a fetch of 1,000 creatives in 100 TJ campaigns over 30 days through our
 * reporting client (paging, the join, the sums, pacing off) against the simulator's own floor: the
 * same requests made by a bare loop of `fetch`, which parses nothing but JSON.
 */
import { createLogger } from '../core/logger.js';
import { openMedia } from '../media/ffmpeg-binaries.js';
import { TjResults } from '../platform/tj/results/tj-results.js';
import { daysBefore } from '../results/days.js';
import { DEFAULT_SIMULATOR_OPTIONS } from '../simulators/tj/options.js';
import { startSimulator } from '../simulators/tj/server.js';

const KEY = 'bench-reporting-key';

export async function resultsFetchBenchmark(campaigns = 100, adsPerCampaign = 10, dayCount = 30): Promise<void> {
  const sim = await startSimulator(
    { ...DEFAULT_SIMULATOR_OPTIONS, port: 0, noCaptcha: true, reporting: { apiKey: KEY } },
    openMedia(),
  );
  const days = daysBefore('2026-11-30', dayCount);
  const ours = new Set<string>();
  for (let c = 0; c < campaigns; c += 1) {
    const campaignId = String(2000 + c);
    sim.reporting.seedCampaign({ id: campaignId, name: `Bench ${c}` });
    for (let a = 0; a < adsPerCampaign; a += 1) {
      const uniqueId = `ID-${(c * adsPerCampaign + a).toString(16).toUpperCase().padStart(8, '0')}`;
      ours.add(uniqueId);
      const adId = String(100_000 + c * adsPerCampaign + a);
      sim.reporting.seedAd(campaignId, {
        id: adId,
        name: `VID_EN_Bench_F_Real_NSFW_Generic_Seras_4sec_${uniqueId}-VID`,
      });
      for (const day of days)
        sim.reporting.setAdStats(adId, day, {
          impressions: 1_000 + a,
          clicks: 10 + a,
          conversions: a % 3,
          cost: 1.23 + a / 100,
        });
    }
  }
  const apiUrl = sim.apiUrl;

  // The floor: every request the client makes, in the same order, answers parsed as JSON and dropped.
  let started = performance.now();
  const get = async (route: string): Promise<unknown> =>
    (await fetch(`${apiUrl}${route}${route.includes('?') ? '&' : '?'}api_key=${KEY}`)).json();
  await get('/campaigns.json');
  for (let c = 0; c < campaigns; c += 1) {
    await get(`/ads/${2000 + c}.json?limit=500&offset=0`);
    for (const day of days) {
      const tjDay = `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
      await get(`/ads/${2000 + c}/stats/one.json?startDate=${tjDay}&endDate=${tjDay}`);
    }
  }
  const bareSeconds = (performance.now() - started) / 1000;
  const bareRequests = 1 + campaigns * (1 + dayCount);

  const client = new TjResults({
    apiUrl,
    apiKey: KEY,
    log: createLogger({ level: 'silent', pretty: false }),
    minIntervalMs: 0,
  });
  started = performance.now();
  const fetched = await client.fetchDays(days, { isOurs: (id) => ours.has(id), uniqueIdOfExoFile: () => undefined });
  const oursSeconds = (performance.now() - started) / 1000;
  await sim.close();

  console.log(
    `\nResults fetch: ${ours.size} creatives in ${campaigns} TJ campaigns over ${dayCount} days (pacing off, the simulator on loopback)`,
  );
  console.log(`  bare fetch loop (the floor): ${bareSeconds.toFixed(1)} s for ${bareRequests} requests`);
  console.log(
    `  creative-flow:               ${oursSeconds.toFixed(1)} s for ${client.requests} requests, ${fetched.rows.length} creative-days`,
  );
  console.log(
    `  ratio ours / floor:          ${(oursSeconds / bareSeconds).toFixed(2)}  (target ≤ 1.5; live, TJ's pace of a call a second sets the time: ${Math.round(bareRequests / 60)} min)`,
  );
}
