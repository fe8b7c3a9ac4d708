// parseRequestTarget: origin-form only, and the canonical path the router both routes on and forwards.
import t from 'tap';
import { parseRequestTarget } from '../src/request-target';

const refused = (method: string, url: string) => {
  const r = parseRequestTarget(method, url);
  return r.ok ? 'accepted' : r.code;
};

t.test('origin-form paths pass, with the query kept as given', async (t) => {
  t.same(parseRequestTarget('POST', '/webhook/incoming_call'), { ok: true, kind: 'origin', path: '/webhook/incoming_call', url: '/webhook/incoming_call' });
  t.same(parseRequestTarget('GET', '/ws/twilio-media?a=%2e%2e/b&c=..'), { ok: true, kind: 'origin', path: '/ws/twilio-media', url: '/ws/twilio-media?a=%2e%2e/b&c=..' });
  t.same(parseRequestTarget('GET', '/'), { ok: true, kind: 'origin', path: '/', url: '/' });
});

t.test('encoded unreserved characters are decoded, other escapes upper-cased: one spelling per path', async (t) => {
  t.match(parseRequestTarget('GET', '/%68ealthz'), { path: '/healthz' });
  t.match(parseRequestTarget('POST', '/%69nternal/stream-outcome'), { path: '/internal/stream-outcome', url: '/internal/stream-outcome' });
  t.match(parseRequestTarget('GET', '/a%3bb/c%20d'), { path: '/a%3Bb/c%20d' });
  t.match(parseRequestTarget('GET', '/a..b/.c/d.'), { path: '/a..b/.c/d.' }, 'dots inside a segment are not dot segments');
});

t.test('dot segments, literal or encoded, are refused', async (t) => {
  for (const url of ['/x/../internal/stream-outcome', '/./internal/x', '/webhook/%2e%2e/internal/x', '/webhook/%2E%2E/x', '/a/.%2e/b', '/a/%2e/b', '/..', '/a/.', '/ws/twilio-media/..']) {
    t.equal(refused('POST', url), 'ROUTER_ERR_DOT_SEGMENT', url);
  }
});

t.test('backslashes, a leading "//", encoded slashes and controls, bad escapes are refused', async (t) => {
  for (const url of ['/a\\..\\internal', '//internal/x', '/a%2finternal', '/a%2Fb', '/a%5c..%5cb', '/a%00b', '/a%7fb', '/a%zz', '/a%2', '/a%']) {
    t.equal(refused('GET', url), 'ROUTER_ERR_BAD_PATH', url);
  }
});

t.test('escapes that are not UTF-8 (overlong "%c0%ae", a lone continuation byte) are refused; valid UTF-8 escapes pass', async (t) => {
  for (const url of ['/webhook/%c0%ae%c0%ae/x', '/a%80', '/a%ff%fe', '/a%e2%82']) t.equal(refused('GET', url), 'ROUTER_ERR_BAD_PATH', url);
  t.equal(refused('GET', '/audio/%D7%A9.wav'), 'accepted', 'Hebrew in UTF-8 escapes is a path like any other');
});

t.test('absolute-form, authority-form and asterisk-form (but OPTIONS *) are refused', async (t) => {
  t.equal(refused('POST', 'http://127.0.0.1:8082/internal/stream-outcome'), 'ROUTER_ERR_BAD_TARGET');
  t.equal(refused('GET', 'HTTP://example.com/healthz'), 'ROUTER_ERR_BAD_TARGET');
  t.equal(refused('CONNECT', '127.0.0.1:8082'), 'ROUTER_ERR_BAD_TARGET');
  t.equal(refused('GET', '*'), 'ROUTER_ERR_BAD_TARGET');
  t.same(parseRequestTarget('OPTIONS', '*'), { ok: true, kind: 'asterisk' });
  t.equal(refused('GET', ''), 'ROUTER_ERR_BAD_TARGET');
  t.equal(refused('GET', '/a#frag'), 'ROUTER_ERR_BAD_TARGET');
  t.equal(refused('GET', '/caf\u00e9'), 'ROUTER_ERR_BAD_TARGET');
  t.equal(refused('GET', undefined as unknown as string), 'ROUTER_ERR_BAD_TARGET');
});
