/**
 * `npm run demo`: the whole flow without a TJ or ExoClick account. Starts both platforms'
 * simulators and a live daemon sending to both on a temporary root, drops generated creatives
 * into its inbox, and says where to look.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Layout } from './core/layout.js';
import { openMedia } from './media/ffmpeg-binaries.js';
import { SampleMedia } from './media/sample-media.js';
import { DEFAULT_SIMULATOR_OPTIONS } from './simulators/tj/options.js';
import { startSimulator } from './simulators/tj/server.js';
import { DEFAULT_EXO_SIMULATOR_OPTIONS } from './simulators/exoclick/options.js';
import { startExoSimulator } from './simulators/exoclick/server.js';
import { StorageRepository } from './store/storage.repository.js';

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cli.js');
const storage = new StorageRepository();
const media = openMedia();
const layout = new Layout(await storage.makeTempDir('creative-flow-demo-'));
const simulator = await startSimulator(
  {
    ...DEFAULT_SIMULATOR_OPTIONS,
    port: 0,
    noCaptcha: true,
    campaigns: [{ id: '1001', name: 'Demo native', type: 'native' }],
  },
  media,
  undefined,
  storage,
);
const exo = await startExoSimulator({ port: 0 });
// Hands-off: the native clips dropped under inbox/native/Demo become ads in the demo campaign.
await storage.writeFileAtomic(
  layout.campaignTargetsCsv,
  'folder,category,campaign_id,ad_type\nnative/Demo,,1001,native\n',
);
const env = {
  ...process.env,
  TJ_LOGIN_URL: `${simulator.url}/sign-in`,
  TJ_APP_URL: simulator.url,
  TJ_USERNAME: DEFAULT_SIMULATOR_OPTIONS.username,
  TJ_PASSWORD: DEFAULT_SIMULATOR_OPTIONS.password,
  PLATFORMS: 'tj,exoclick',
  EXO_API_URL: `${exo.url}/v2/`,
  EXO_API_TOKEN: DEFAULT_EXO_SIMULATOR_OPTIONS.apiTokens[0],
  DRY_RUN: 'false',
  STABILITY_MS: '500',
  UPLOAD_CRON: '*/5 * * * * *',
  UPLOAD_PACE_MS: '0',
  CAMPAIGN_TARGET_URL: 'https://example.com/?c={CampaignID}&sub11=CAMPAIGN_NAME',
  CAMPAIGN_BRAND: 'Demo',
  CAMPAIGN_CTA_URL: 'https://example.com/cta',
};
// A group of its own: the terminal's Ctrl-C reaches the demo alone, which passes on one signal (two would be "stop now").
const daemon = spawn(process.execPath, [cli, 'start', '--root', layout.root], {
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
  detached: true,
});

console.log(
  `\nDemo root: ${layout.root}\nTJ simulator: ${simulator.url} (sign in as ${DEFAULT_SIMULATOR_OPTIONS.username} / ${DEFAULT_SIMULATOR_OPTIONS.password})\nExoClick API simulator: ${exo.url}/v2/\n`,
);
const samples = new SampleMedia(media, storage);
await samples.video(path.join(layout.inbox, 'native', 'Demo', 'first clip.mp4'), {
  seconds: 6,
  width: 1280,
  height: 720,
  audio: true,
  seed: 10,
});
await samples.video(path.join(layout.inbox, 'second clip.mp4'), { seconds: 3, width: 720, height: 1280, seed: 20 });
await samples.video(path.join(layout.inbox, 'preroll', 'Promo', 'promo.mp4'), { seconds: 8, seed: 30 });
await samples.image(path.join(layout.inbox, 'Banners', 'banner.png'), { width: 300, height: 250, seed: 40 });
await storage.writeFileAtomic(path.join(layout.inbox, 'not a video.mp4'), 'text pretending to be a video\n');
console.log(`Dropped 5 files into ${layout.inbox}. Watch them move:
  ${layout.uploaded}          converted and staged files
  ${layout.archive}           the rejected one, with its reason
  ${layout.inventoryCsv}
  ${simulator.url}/_sim/state             what the TJ simulator received, with TJ ids, and the demo campaign's ads
  ${exo.url}/_sim/state             what the ExoClick simulator received, with its file ids
  node ${cli} status --root ${layout.root}
  node ${cli} dashboard --root ${layout.root}    the live dashboard's address
Press Ctrl-C to stop.\n`);

await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
daemon.kill('SIGINT');
await new Promise((resolve) => daemon.once('exit', resolve));
await simulator.close();
await exo.close();
console.log(`Stopped. The demo root stays at ${layout.root}.`);
