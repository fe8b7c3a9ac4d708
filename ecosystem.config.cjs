// pm2 process file: router, media worker and webhooks, each restarted forever with backoff, each signalling ready.
const path = require('node:path');
// why: one source for the timings that must nest (drain < grace < kill_timeout); `npm run build` makes this file.
const { TIMINGS } = require('./packages/config/dist/timings.js');

/**
 * LOG_FORMAT=auto settled here: this file runs inside pm2-runtime, whose stdout is the terminal of `npm start`, while
 * each service's stdout is a pipe to pm2. why not in .env: the terminal is only known at start.
 */
function logFormat() {
  const asked = process.env.LOG_FORMAT || 'auto';
  if (asked !== 'auto') return asked;
  return process.stdout.isTTY ? 'pretty' : 'json';
}

const common = {
  exec_mode: 'fork',
  instances: 1,
  autorestart: true,
  // why: after max_restarts pm2 leaves a process `errored` for good; backoff with a huge limit never gives up.
  max_restarts: 1000000,
  exp_backoff_restart_delay: 100,
  min_uptime: 5000,
  wait_ready: true,
  listen_timeout: 10000,
  merge_logs: true,
  time: false,
  env: { PM2_DISABLE_VERSION_CHECK: '1', NODE_ENV: process.env.NODE_ENV || 'production', LOG_FORMAT: logFormat() },
};

module.exports = {
  apps: [
    // why: media first so the router has a target when traffic starts; kill_timeout covers the graceful drain of live calls.
    { ...common, name: 'media', script: path.join(__dirname, 'apps/media/dist/main.js'), kill_timeout: TIMINGS.mediaKillTimeoutMs },
    { ...common, name: 'webhooks', script: path.join(__dirname, 'apps/webhooks/dist/main.js'), kill_timeout: TIMINGS.webhooksKillTimeoutMs },
    { ...common, name: 'router', script: path.join(__dirname, 'apps/router/dist/main.js'), kill_timeout: TIMINGS.routerKillTimeoutMs },
  ],
};
