// Media worker entry: listens on 127.0.0.1:MEDIA_PORT, tells pm2 it is ready, closes streams on shutdown.
import { loadConfig } from '@tva/config';
import { createLogger, EVENTS, runService } from '@tva/logging';
import { createMediaServer } from './create-media-server';
import { EchoAgent } from './agents/echo-agent';
import { CLOSE } from './call-session';

const config = loadConfig();
const logger = createLogger({ service: 'media', level: config.logLevel, logTranscripts: config.logTranscripts });
const media = createMediaServer({
  logger,
  maxPayload: config.wsMaxPayload,
  startTimeoutMs: config.startTimeoutMs,
  pingIntervalMs: config.pingIntervalMs,
  createAgent: () => new EchoAgent(),
});

media.server.listen(config.mediaPort, '127.0.0.1', () => {
  logger.info({ event: EVENTS.READY, port: config.mediaPort, agent: config.agent }, 'media worker listening');
  runService.ready();
});

runService.onShutdown(logger, async () => {
  media.server.close();
  for (const s of media.sessions) s.end(CLOSE.GOING_AWAY, 'server-shutdown');
  const deadline = Date.now() + 3000;
  while (media.sessions.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
});
