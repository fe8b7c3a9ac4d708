// gonogo B and D: the WebSocket handshake with and without the subprotocol, and a simulated call that gets audio back.
import WebSocket from 'ws';
import { encodeMulaw } from '@tva/audio';
import { newSid, runCall } from '@tva/call-simulator';
import { STREAM_PATH, twilioSignature } from '@tva/security';
import { type CheckResult, excerpt } from './check';
import { request } from './request';

export function streamUrl(base: string): string {
  return `${base.replace(/^http/, 'ws')}${STREAM_PATH}`;
}

function upgradeHeaders(url: string, authToken: string | undefined): Record<string, string> {
  return { 'user-agent': 'Twilio.TmeWs/1.0', ...(authToken ? { 'x-twilio-signature': twilioSignature(authToken, url) } : {}) };
}

const HANDSHAKE_HINTS: Record<number, string> = {
  200: 'HTML or 200 on the handshake: something other than the media worker answered /ws/* (a web framework or static host swallowed the upgrade) — Twilio 31920',
  400: 'a 400 usually means a proxy in front stripped the Upgrade/Connection headers, or a framework answered /ws/* — Twilio 31920',
  403: 'the upgrade signature was refused: pass --auth-token, and make PUBLIC_BASE_URL the URL Twilio calls',
  404: 'the path is not routed to the media worker (it must be /ws/twilio-media) — Twilio 31920',
  502: 'a proxy in front could not reach the router',
  503: 'the router is up but the media worker is down or hung (pm2 logs media)',
};

export async function checkHandshake(base: string, withProtocol: boolean, authToken: string | undefined): Promise<CheckResult> {
  const id = withProtocol ? 'B1' : 'B2';
  const name = withProtocol ? 'handshake offering audio.twilio.com → 101, echoed' : 'handshake offering no subprotocol (as Twilio) → 101';
  const url = streamUrl(base);
  return new Promise((resolve) => {
    const ws = new WebSocket(url, withProtocol ? ['audio.twilio.com'] : [], { headers: upgradeHeaders(url, authToken), handshakeTimeout: 5000 });
    let status = 0;
    ws.on('upgrade', (res) => (status = res.statusCode ?? 0));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        resolve({ id, name, pass: false, detail: `HTTP/${res.httpVersion} ${code} ${res.statusMessage ?? ''} ${excerpt(body, 120)}`, hint: HANDSHAKE_HINTS[code] ?? 'see the status above — Twilio logs any non-101 as 31920' });
        ws.terminate();
      });
    });
    ws.on('open', () => {
      const proto = ws.protocol;
      ws.close(1000, 'gonogo');
      if (withProtocol && proto !== 'audio.twilio.com') {
        resolve({ id, name, pass: false, detail: `101 but Sec-WebSocket-Protocol is "${proto}"`, hint: 'the server does not echo the offered subprotocol (handleProtocols)' });
      } else {
        resolve({ id, name, pass: true, detail: `${status || 101} Switching Protocols${proto ? `, Sec-WebSocket-Protocol: ${proto}` : ', no subprotocol'}` });
      }
    });
    ws.on('error', (err) => {
      if (err.message.includes('Unexpected server response')) return;
      resolve({ id, name, pass: false, detail: err.message, hint: /protocol/i.test(err.message) ? 'the server did not echo audio.twilio.com' : 'connection failed: wrong BASE, TLS problem (Twilio 31910), or the router is down' });
    });
  });
}

/** 1.5 s of a 440 Hz tone as 8 kHz μ-law: something audible to echo back. */
function tone(ms: number): Uint8Array {
  const pcm = new Int16Array((8000 * ms) / 1000);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  return encodeMulaw(pcm);
}

/** Like Twilio: ask incoming_call for the TwiML, and start the stream with its <Parameter>s (call_sid, call_token). */
async function streamParameters(base: string, authToken: string | undefined, callSid: string): Promise<Record<string, string>> {
  const url = `${base}/webhook/incoming_call`;
  const form = { CallSid: callSid, AccountSid: newSid('AC') };
  const res = await request(url, { method: 'POST', form, headers: authToken ? { 'x-twilio-signature': twilioSignature(authToken, url, form) } : {} });
  const params: Record<string, string> = {};
  for (const m of res.body.matchAll(/<Parameter name="([^"]+)" value="([^"]*)"\/>/g)) params[m[1] as string] = m[2] as string;
  return params;
}

export async function checkCall(base: string, authToken: string | undefined): Promise<CheckResult> {
  const id = 'D1';
  const name = 'a simulated call through BASE gets audio back';
  const url = streamUrl(base);
  const callSid = newSid('CA');
  const customParameters = await streamParameters(base, authToken, callSid);
  const result = await runCall({ url, headers: upgradeHeaders(url, authToken), callSid, customParameters, audio: tone(1500), trailingSilenceMs: 2500, maxDurationMs: 15000 });
  const echoed = result.marks.filter((m) => m.echoedAtMs !== null && m.echoedAtMs !== undefined).length;
  const detail = `${result.received.length} bytes back (${(result.received.length / 8).toFixed(0)} ms of audio), first audio at ${result.firstAudioMs ?? '-'} ms, marks ${echoed}/${result.marks.length} played, close ${result.closeCode}`;
  if (result.received.length === 0) {
    const why = result.upgradeStatus ? `upgrade answered HTTP ${result.upgradeStatus}` : result.errors.join('; ') || 'no audio';
    return { id, name, pass: false, detail: `${detail}; ${why}`, hint: 'the media worker accepted the stream but sent nothing: check `pm2 logs media` for WS_START/WS_STOP and errors' };
  }
  return { id, name, pass: true, detail };
}
