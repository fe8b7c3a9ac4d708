// Loads the configuration for a service, or logs every problem as one fatal line and exits (pm2 shows why it restarts).
import { ConfigError, loadConfig, type Config } from '@tva/config';
import { createLogger, type LogFormat } from './create-logger';
import { EVENTS } from './events';

export function loadServiceConfig(service: string, env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // why: secrets are already redacted in `problems`; a stack trace would only hide the one line that matters.
    createLogger({ service, format: env['LOG_FORMAT'] as LogFormat | undefined }).fatal({ event: EVENTS.CONFIG_INVALID, code: err.code, problems: err.problems }, err.message);
    process.exit(1);
  }
}
