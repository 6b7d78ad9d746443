// pm2 loads this file with require(). Under "type": "module", Node >= 20.19 hands require() the
// module's named exports, so pm2 finds `apps` here; it refuses `module.exports` (not defined in an
// ES module) and `export default` (pm2 would see { default }).
import path from 'node:path';

// The data root: CREATIVE_FLOW_ROOT when set, else this folder. pm2's own logs go beside our data.
const root = path.resolve(import.meta.dirname, process.env.CREATIVE_FLOW_ROOT ?? '.');

export const apps = [
  {
    name: 'creative-flow',
    script: path.join(import.meta.dirname, 'dist/cli.js'),
    args: 'start',
    cwd: import.meta.dirname,
    // One malloc arena: with more, sharp's threads keep freed image memory to themselves (20 native
    // pairs and 100 photos of 12 MP peak at 306 MB with two, 251 MB with one: `npm run bench -- pipeline`).
    env: { NODE_ENV: 'production', CREATIVE_FLOW_ROOT: root, MALLOC_ARENA_MAX: '1' },
    // pm2 stops with SIGINT; the daemon lets the current files finish for SHUTDOWN_GRACE_MS (20 s by
    // default), then abandons them safely. pm2 must not SIGKILL before that: its default is 1.6 s.
    kill_timeout: 30_000,
    autorestart: true,
    restart_delay: 5_000,
    max_restarts: 20,
    // The daemon logs to data/logs/creative-flow.N.log itself, rotated in-process; under pm2 its
    // stdout (what `pm2 logs` shows) holds where that log is and the warnings and errors, readable.
    out_file: path.join(root, 'data/logs/creative-flow.out.log'),
    error_file: path.join(root, 'data/logs/creative-flow.err.log'),
    merge_logs: true,
  },
];
