// Tells webhooks how a stream ended (and the conversation so far), so the <Connect action> can hang up, dial, or carry the call on.
import http from 'node:http';
import { TIMINGS } from '@tva/config';
import {
  INTERNAL_PATHS,
  INTERNAL_SIGNATURE_HEADER,
  internalSignature,
  type ConversationNotice,
  type ConversationTurn,
  type StreamOutcome,
} from '@tva/security';
import { EVENTS, type Logger } from '@tva/logging';
import type { MediaErrorCode } from './media-errors';

/** `internalPort` is webhooks' loopback-only internal listener (INTERNAL_PORT), never its public one. */
export function notifyOutcome(internalPort: number, secret: string, outcome: StreamOutcome, log: Logger): Promise<void> {
  return postInternal(internalPort, secret, INTERNAL_PATHS.streamOutcome, outcome, log);
}

/** After each turn: the conversation so far, so that even a killed worker's call resumes in RECORD mode with it. */
export function notifyConversation(internalPort: number, secret: string, callSid: string, history: ConversationTurn[], log: Logger): Promise<void> {
  const notice: ConversationNotice = { callSid, history };
  return postInternal(internalPort, secret, INTERNAL_PATHS.conversation, notice, log);
}

function postInternal(internalPort: number, secret: string, path: string, payload: StreamOutcome | ConversationNotice, log: Logger): Promise<void> {
  const body = JSON.stringify(payload);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: internalPort,
        path,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', [INTERNAL_SIGNATURE_HEADER]: internalSignature(secret, body) },
      },
      (res) => {
        res.resume();
        if (res.statusCode !== 204) log.warn({ event: EVENTS.OUTCOME_NOTIFY, path, code: 'MEDIA_ERR_OUTCOME_REFUSED' satisfies MediaErrorCode, status: res.statusCode }, 'webhooks refused an internal notice');
        resolve();
      },
    );
    req.setTimeout(TIMINGS.noticeTimeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      log.warn({ event: EVENTS.OUTCOME_NOTIFY, path, code: 'MEDIA_ERR_OUTCOME_NOTIFY' satisfies MediaErrorCode, err: err.message }, 'could not reach webhooks with an internal notice');
      resolve();
    });
    req.end(body);
  });
}

export type { StreamOutcome };
