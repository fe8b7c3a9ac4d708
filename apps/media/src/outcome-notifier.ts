// Tells webhooks how a stream ended (and the conversation so far), so the <Connect action> can hang up, dial, or carry the call on.
import http from 'node:http';
import { internalSignature, type ConversationTurn, type StreamOutcome } from '@tva/security';
import type { Logger } from '@tva/logging';


export const OUTCOME_PATH = '/internal/stream-outcome';
export const CONVERSATION_PATH = '/internal/conversation';

export function notifyOutcome(webhooksPort: number, secret: string, outcome: StreamOutcome, log: Logger): Promise<void> {
  return postInternal(webhooksPort, secret, OUTCOME_PATH, outcome, log);
}

/** After each turn: the conversation so far, so that even a killed worker's call resumes in RECORD mode with it. */
export function notifyConversation(webhooksPort: number, secret: string, callSid: string, history: ConversationTurn[], log: Logger): Promise<void> {
  return postInternal(webhooksPort, secret, CONVERSATION_PATH, { callSid, history }, log);
}

function postInternal(webhooksPort: number, secret: string, path: string, payload: unknown, log: Logger): Promise<void> {
  const body = JSON.stringify(payload);
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port: webhooksPort, path, method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'x-internal-signature': internalSignature(secret, body) } },
      (res) => {
        res.resume();
        if (res.statusCode !== 204) log.warn({ event: 'OUTCOME_NOTIFY', path, status: res.statusCode }, 'webhooks refused an internal notice');
        resolve();
      },
    );
    req.setTimeout(1000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      log.warn({ event: 'OUTCOME_NOTIFY', path, code: 'MEDIA_ERR_OUTCOME_NOTIFY', err: err.message }, 'could not reach webhooks with an internal notice');
      resolve();
    });
    req.end(body);
  });
}

export type { StreamOutcome };
