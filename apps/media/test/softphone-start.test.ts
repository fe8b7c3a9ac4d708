// In-process: the softphone's stream on /ws/softphone needs no Twilio signature but always a one-time softphone token.
import t from 'tap';
import { SimulatedCall } from '@tva/call-simulator';
import { createCallToken, createSoftphoneToken, newBrowserCallSid, SOFTPHONE_STREAM_PATH, SOFTPHONE_TOKEN_MAX_AGE_MS } from '@tva/security';
import { startMediaServer, type MediaServerHarness } from './helpers/start-media-server';

const AUTH = 'media-test-auth-token';
const SECRET = 'softphone-test-secret';

const softphoneUrl = (media: MediaServerHarness) => media.url.replace(/^http/, 'ws') + SOFTPHONE_STREAM_PATH;

/** Opens a browser stream (no signature header, as a browser cannot send one); resolves once closed or after openMs. */
async function tryBrowser(media: MediaServerHarness, callSid: string, customParameters: Record<string, string>, openMs = 300, url = softphoneUrl(media)) {
  const call = await SimulatedCall.connect({ url, callSid, customParameters });
  await Promise.race([call.closed(), new Promise((r) => setTimeout(r, openMs))]);
  return call;
}

const rejected = (media: MediaServerHarness, code: string) => media.logged((l) => l['event'] === 'WS_REJECT' && l['code'] === code);

t.test('a softphone token opens one browser stream without a Twilio signature, and the session is marked browser', async (t) => {
  const media = await startMediaServer({ authToken: AUTH, callTokenSecret: SECRET });
  t.teardown(() => media.close());
  const callSid = newBrowserCallSid();
  t.match(callSid, /^CA[0-9a-f]{32}$/, 'a browser CallSid has Twilio\'s format');
  const token = createSoftphoneToken(SECRET, callSid);
  const call = await tryBrowser(media, callSid, { call_token: token });
  t.ok(call.isOpen, 'the browser stream is live');
  t.ok(await media.logged((l) => l['event'] === 'WS_START' && l['callSid'] === callSid), 'WS_START logged');
  const session = [...media.media.sessions].find((s) => s.callSid === callSid);
  t.equal(session?.direction, 'browser', 'the session is a browser call');
  const replay = await tryBrowser(media, newBrowserCallSid(), { call_token: token }, 2000);
  t.equal(replay.closeCode, 1008, 'the token under another CallSid is refused');
  const again = await tryBrowser(media, callSid, { call_token: token }, 2000);
  t.equal(again.closeCode, 1008, 'the same token again is refused');
  t.ok(await rejected(media, 'CALL_TOKEN_REPLAYED'), 'CALL_TOKEN_REPLAYED logged');
  await call.close();
});

t.test('without a token, with a Twilio call token, or with an expired one, the browser stream is refused with 1008', async (t) => {
  const media = await startMediaServer({ callTokenSecret: SECRET }); // signatures off: the softphone token is still required
  t.teardown(() => media.close());
  const callSid = newBrowserCallSid();
  const none = await tryBrowser(media, callSid, {}, 2000);
  t.equal(none.closeCode, 1008, 'no token: 1008');
  t.ok(await rejected(media, 'CALL_TOKEN_MISSING'), 'CALL_TOKEN_MISSING logged');
  const phoneToken = await tryBrowser(media, callSid, { call_token: createCallToken(SECRET, callSid) }, 2000);
  t.equal(phoneToken.closeCode, 1008, 'a Twilio call token cannot open a browser stream');
  t.ok(await rejected(media, 'CALL_TOKEN_BAD_SIGNATURE'), 'CALL_TOKEN_BAD_SIGNATURE logged');
  const old = createSoftphoneToken(SECRET, callSid, Date.now() - SOFTPHONE_TOKEN_MAX_AGE_MS - 2000);
  const expired = await tryBrowser(media, callSid, { call_token: old }, 2000);
  t.equal(expired.closeCode, 1008, 'an expired token: 1008');
  t.ok(await rejected(media, 'CALL_TOKEN_EXPIRED'), 'CALL_TOKEN_EXPIRED logged');
  t.equal(media.logs().filter((l) => l['event'] === 'WS_START').length, 0, 'no stream started');
  t.same(media.outcomes, [], 'a refused stream reports no outcome');
});

t.test('a softphone token on the Twilio path is refused, and Twilio calls are still marked phone', async (t) => {
  const media = await startMediaServer({ authToken: AUTH, callTokenSecret: SECRET });
  t.teardown(() => media.close());
  const callSid = newBrowserCallSid();
  const call = await SimulatedCall.connect({ url: media.url, headers: media.signedHeaders(), callSid, customParameters: { call_sid: callSid, call_token: createSoftphoneToken(SECRET, callSid) } });
  await call.closed();
  t.equal(call.closeCode, 1008, 'a softphone token is not a call token');
  const phone = await SimulatedCall.connect({ url: media.url, headers: media.signedHeaders(), ...media.callParams() });
  await media.logged((l) => l['event'] === 'WS_START');
  t.equal([...media.media.sessions].find((s) => s.started)?.direction, 'phone', 'a Twilio stream is a phone call');
  await phone.close();
});
