/**
 * `npm run demo`: the whole flow without a TJ account. Starts the TJ simulator and a live daemon
 * on a temporary root, drops generated creatives into its inbox, and says where to look.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateFfmpeg } from './media/ffmpeg-binaries.js';
import { MediaRepository } from './media/media.repository.js';
import { DEFAULT_SIMULATOR_OPTIONS } from './platform/tj/simulator/options.js';
import { startSimulator } from './platform/tj/simulator/server.js';
import { makeImage, makeVideo } from './test/fixtures.js';

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cli.js');
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'creative-flow-demo-'));
const simulator = await startSimulator({ ...DEFAULT_SIMULATOR_OPTIONS, port: 0, noCaptcha: true }, new MediaRepository(locateFfmpeg({}), 100_000_000));
const env = {
  ...process.env,
  TJ_LOGIN_URL: `${simulator.url}/sign-in`,
  TJ_APP_URL: simulator.url,
  TJ_USERNAME: DEFAULT_SIMULATOR_OPTIONS.username,
  TJ_PASSWORD: DEFAULT_SIMULATOR_OPTIONS.password,
  DRY_RUN: 'false',
  STABILITY_MS: '500',
  UPLOAD_CRON: '*/5 * * * * *',
  UPLOAD_PACE_MS: '0',
};
const daemon = spawn(process.execPath, [cli, 'start', '--root', root], { env, stdio: ['ignore', 'inherit', 'inherit'] });

console.log(`\nDemo root: ${root}\nTJ simulator: ${simulator.url} (sign in as ${DEFAULT_SIMULATOR_OPTIONS.username} / ${DEFAULT_SIMULATOR_OPTIONS.password})\n`);
const inbox = path.join(root, 'inbox');
await makeVideo(path.join(inbox, 'native', 'Demo', 'first clip.mp4'), { seconds: 6, width: 1280, height: 720, audio: true, seed: 10 });
await makeVideo(path.join(inbox, 'second clip.mp4'), { seconds: 3, width: 720, height: 1280, seed: 20 });
await makeVideo(path.join(inbox, 'preroll', 'Promo', 'promo.mp4'), { seconds: 8, seed: 30 });
await makeImage(path.join(inbox, 'Banners', 'banner.png'), { width: 300, height: 250, seed: 40 });
await fs.writeFile(path.join(inbox, 'not a video.mp4'), 'text pretending to be a video\n');
console.log(`Dropped 5 files into ${inbox}. Watch them move:
  ${path.join(root, 'uploaded')}          converted and staged files
  ${path.join(root, 'archive')}           the rejected one, with its reason
  ${path.join(root, 'tracking', 'creative_inventory.csv')}
  ${simulator.url}/_sim/state             what the simulator received, with TJ ids
  node ${cli} status --root ${root}
Press Ctrl-C to stop.\n`);

await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
daemon.kill('SIGINT');
await new Promise((resolve) => daemon.once('exit', resolve));
await simulator.close();
console.log(`Stopped. The demo root stays at ${root}.`);
