// pm2 loads this file with require(). Under "type": "module", Node >= 20.19 hands require() the
// module's named exports, so pm2 finds `apps` here; it refuses `module.exports` (not defined in an
// ES module) and `export default` (pm2 would see { default }).
export const apps = [
  {
    name: 'creative-flow',
    script: 'dist/cli.js',
    args: 'start',
    cwd: import.meta.dirname,
    // SIGINT first; the daemon lets the current files finish for SHUTDOWN_GRACE_MS (20 s by
    // default) and then abandons them safely. pm2 must not SIGKILL before that: its default is 1.6 s.
    kill_timeout: 30_000,
    autorestart: true,
    restart_delay: 5_000,
    max_restarts: 20,
    out_file: 'data/logs/creative-flow.out.log',
    error_file: 'data/logs/creative-flow.err.log',
    merge_logs: true,
    env: { NODE_ENV: 'production' },
  },
];
