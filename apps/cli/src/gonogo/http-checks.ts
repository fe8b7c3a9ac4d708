// gonogo A and C: /version, /healthz latency, and the three webhooks, against BASE.
import { newSid } from '@tva/call-simulator';
import { STREAM_PATH, twilioSignature } from '@tva/security';
import { type CheckResult, excerpt } from './check';
import { request } from './request';

export interface HttpCheckOptions {
  base: string;
  deployId: string | undefined;
  authToken: string | undefined;
}

export async function checkVersion(o: HttpCheckOptions): Promise<CheckResult> {
  const name = '/version answers with DEPLOY_ID';
  const res = await request(`${o.base}/version`);
  if (res.status !== 200) {
    return { id: 'A1', name, pass: false, detail: `HTTP ${res.status} ${excerpt(res.body)}`, hint: res.status === 502 ? 'the router is up but the webhooks process is down (pm2 logs webhooks)' : 'BASE is not this stack, or the deployment is not running' };
  }
  let body: { deployId?: string };
  try {
    body = JSON.parse(res.body) as { deployId?: string };
  } catch {
    return { id: 'A1', name, pass: false, detail: `200 but not JSON: ${excerpt(res.body)}`, hint: 'something other than this stack answers BASE (a placeholder page, another app)' };
  }
  if (!body.deployId) return { id: 'A1', name, pass: false, detail: `no deployId in ${excerpt(res.body)}`, hint: 'an old build without /version' };
  if (o.deployId && body.deployId !== o.deployId) {
    return { id: 'A1', name, pass: false, detail: `deployId is "${body.deployId}", expected "${o.deployId}"`, hint: 'the deployment did not roll out yet, or DEPLOY_ID was not set on it' };
  }
  return { id: 'A1', name, pass: true, detail: `200 ${excerpt(res.body, 160)}` };
}

export async function checkHealth(o: HttpCheckOptions): Promise<CheckResult> {
  const name = '/healthz 200 "ok", median of 20 under 50 ms';
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const res = await request(`${o.base}/healthz`);
    if (res.status !== 200 || res.body !== 'ok') {
      return { id: 'A2', name, pass: false, detail: `HTTP ${res.status} ${excerpt(res.body)}`, hint: 'the router is not what answers BASE, or the health path is wrong (it is /healthz)' };
    }
    times.push(res.ms);
  }
  times.sort((a, b) => a - b);
  const median = ((times[9] as number) + (times[10] as number)) / 2;
  const detail = `median ${median.toFixed(1)} ms, max ${(times[19] as number).toFixed(1)} ms`;
  return median < 50
    ? { id: 'A2', name, pass: true, detail }
    : { id: 'A2', name, pass: false, detail, hint: 'a slow network path or an overloaded VM; from far away, run gonogo near the deployment' };
}

function signed(o: HttpCheckOptions, path: string, form: Record<string, string>): Record<string, string> {
  return o.authToken ? { 'x-twilio-signature': twilioSignature(o.authToken, `${o.base}${path}`, form) } : {};
}

async function postCheck(o: HttpCheckOptions, id: string, path: string, form: Record<string, string>, expect: number, alsoOk?: number): Promise<{ result: CheckResult; body: string }> {
  const name = `POST ${path} → ${expect}${alsoOk ? ` or ${alsoOk}` : ''}`;
  const res = await request(`${o.base}${path}`, { method: 'POST', form, headers: signed(o, path, form) });
  if (res.status === expect || res.status === alsoOk) return { result: { id, name, pass: true, detail: `${res.status} in ${res.ms.toFixed(0)} ms` }, body: res.body };
  const hint =
    res.status === 403
      ? 'signature check failed: pass --auth-token (the TWILIO_AUTH_TOKEN of the deployment), and set PUBLIC_BASE_URL to exactly the URL Twilio calls'
      : res.status === 404
        ? 'the webhooks process does not serve this path: an old build, or BASE points at another app'
        : res.status === 502
          ? 'the webhooks process is down (pm2 logs webhooks)'
          : 'see the body above';
  return { result: { id, name, pass: false, detail: `HTTP ${res.status} ${excerpt(res.body)}`, hint }, body: res.body };
}

export async function checkWebhooks(o: HttpCheckOptions): Promise<CheckResult[]> {
  const callSid = newSid('CA');
  const accountSid = newSid('AC');
  const status = await postCheck(o, 'C1', '/webhook/stream_status', { CallSid: callSid, StreamSid: newSid('MZ'), StreamEvent: 'stream-started', AccountSid: accountSid }, 204);
  // 200 with RECORD TwiML (CALL_MODE AUTO: a stream that ended without a deliberate end goes on by <Record>) or 204 (WS)
  const ended = await postCheck(o, 'C2', '/webhook/stream_ended', { CallSid: callSid, AccountSid: accountSid }, 200, 204);
  const incoming = await postCheck(o, 'C3', '/webhook/incoming_call', { CallSid: callSid, AccountSid: accountSid, From: '+10000000000', To: '+10000000001' }, 200);
  const results = [status.result, ended.result, incoming.result];
  if (incoming.result.pass) {
    const url = /<Stream[^>]* url="([^"]+)"/.exec(incoming.body)?.[1];
    const baseUrl = new URL(o.base);
    const expected = `${baseUrl.protocol === 'https:' ? 'wss' : 'ws'}://${baseUrl.host}${STREAM_PATH}`;
    const problems: string[] = [];
    if (url !== expected) problems.push(`<Stream url> is ${url ?? '(none)'}, expected ${expected}`);
    if (!/<Connect action="[^"]+\/webhook\/stream_ended"/.test(incoming.body)) problems.push('no <Connect action=…/webhook/stream_ended>');
    if (/<Play>/.test(incoming.body)) problems.push('a <Play> before the stream delays it');
    if (url && /\/\//.test(url.replace(/^wss?:\/\//, ''))) problems.push('a "//" inside the path (Twilio 31923)');
    const note = baseUrl.protocol === 'https:' ? '' : ' (local http BASE: Twilio itself needs https/wss, error 31922)';
    results[2] = problems.length
      ? { ...incoming.result, pass: false, detail: problems.join('; '), hint: 'set PUBLIC_BASE_URL to the public https URL, or make the proxy forward X-Forwarded-Proto/Host' }
      : { ...incoming.result, detail: `${incoming.result.detail}, stream url ${url}${note}` };
  }
  return results;
}
