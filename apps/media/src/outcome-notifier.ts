// Tells webhooks how a stream ended, so the <Connect action> can hang up, dial a person, or carry the call on.
import http from 'node:http';
import { internalSignature } from '@tva/security';
import type { Logger } from '@tva/logging';
import type { ConversationTurn } from './agents/agent';

export interface StreamOutcome {
  callSid: string;
  streamSid: string;
  /** 'agent-end' | 'transfer' | 'peer' (Twilio hung up / sent stop) | 'server-shutdown' | a protocol error code … */
  endedBy: string;
  closeCode: number;
  transferTo?: string;
  history?: ConversationTurn[];
}

export const OUTCOME_PATH = '/internal/stream-outcome';

export function notifyOutcome(webhooksPort: number, secret: string, outcome: StreamOutcome, log: Logger): Promise<void> {
  const body = JSON.stringify(outcome);
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port: webhooksPort, path: OUTCOME_PATH, method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'x-internal-signature': internalSignature(secret, body) } },
      (res) => {
        res.resume();
        if (res.statusCode !== 204) log.warn({ event: 'OUTCOME_NOTIFY', status: res.statusCode }, 'webhooks refused the stream outcome');
        resolve();
      },
    );
    req.setTimeout(1000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      log.warn({ event: 'OUTCOME_NOTIFY', code: 'MEDIA_ERR_OUTCOME_NOTIFY', err: err.message }, 'could not tell webhooks how the stream ended');
      resolve();
    });
    req.end(body);
  });
}
