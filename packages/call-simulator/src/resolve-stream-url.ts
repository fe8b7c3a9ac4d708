// Turns what a user types into the WebSocket URL to dial: ws(s) as is; an http(s) base gets the stream path.
import { STREAM_PATH } from '@tva/security';
import { SimulatorError } from './simulator-error';

export const DEFAULT_STREAM_PATH = STREAM_PATH;

export function resolveStreamUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new SimulatorError('SIM_ERR_BAD_URL', input);
  }
  switch (url.protocol) {
    case 'ws:':
    case 'wss:':
      return url.toString();
    case 'http:':
    case 'https:':
      url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
      if (url.pathname === '' || url.pathname === '/') url.pathname = DEFAULT_STREAM_PATH;
      return url.toString();
    default:
      throw new SimulatorError('SIM_ERR_BAD_URL', input);
  }
}
