// forwardedHeaders: with no trusted hop the router's own view; with N trusted hops, the client N from the right.
import t from 'tap';
import { forwardedHeaders, setForwardedHeaders } from '../src/forwarded-headers';

t.test('TRUST_PROXY=0: the client\'s X-Forwarded-* are ignored; peer, http and Host are passed', async (t) => {
  const fwd = forwardedHeaders(
    { host: 'agent.example.com', 'x-forwarded-for': '203.0.113.9, 198.51.100.1', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example.com' },
    '192.0.2.7',
    0,
  );
  t.same(fwd, { 'x-forwarded-for': '192.0.2.7', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'agent.example.com' });
});

t.test('one address only, IPv4-mapped IPv6 written as IPv4', async (t) => {
  t.equal(forwardedHeaders({ host: 'a' }, '::ffff:192.0.2.7', 0)['x-forwarded-for'], '192.0.2.7');
  t.equal(forwardedHeaders({ host: 'a' }, '::1', 0)['x-forwarded-for'], '::1');
  t.equal(forwardedHeaders({ host: 'a' }, undefined, 0)['x-forwarded-for'], 'unknown');
});

t.test('TRUST_PROXY=1: the right-most X-Forwarded-For entry (what the proxy appended) is the client', async (t) => {
  const fwd = forwardedHeaders({ host: '10.0.0.2:8080', 'x-forwarded-for': '1.2.3.4, 203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'agent.example.com' }, '10.0.0.1', 1);
  t.same(fwd, { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'agent.example.com' });
  t.equal(forwardedHeaders({ 'x-forwarded-for': ['1.2.3.4', '203.0.113.9'] }, '10.0.0.1', 1)['x-forwarded-for'], '203.0.113.9', 'repeated headers are one chain');
  t.equal(forwardedHeaders({ 'x-forwarded-proto': 'http, https' }, '10.0.0.1', 1)['x-forwarded-proto'], 'https', 'the proxy\'s own (appended) scheme');
});

t.test('TRUST_PROXY=2: the entry two hops from the right; a shorter chain yields its left-most entry', async (t) => {
  t.equal(forwardedHeaders({ 'x-forwarded-for': '6.6.6.6, 203.0.113.9, 10.0.0.5' }, '10.0.0.1', 2)['x-forwarded-for'], '203.0.113.9');
  t.equal(forwardedHeaders({}, '10.0.0.1', 2)['x-forwarded-for'], '10.0.0.1');
  t.equal(forwardedHeaders({ 'x-forwarded-proto': 'https' }, '10.0.0.1', 2)['x-forwarded-proto'], 'https');
});

t.test('a malformed scheme or host is left out, never passed on', async (t) => {
  const fwd = forwardedHeaders({ host: 'a b', 'x-forwarded-proto': 'gopher', 'x-forwarded-host': 'x/y' }, '10.0.0.1', 1);
  t.same(fwd, { 'x-forwarded-for': '10.0.0.1' });
  t.same(forwardedHeaders({ host: 'a b' }, '10.0.0.1', 0), { 'x-forwarded-for': '10.0.0.1', 'x-forwarded-proto': 'http' });
});

t.test('setForwardedHeaders replaces every forwarded header, RFC 7239 Forwarded included', async (t) => {
  const headers: Record<string, string> = { host: 'agent.example.com', forwarded: 'for=6.6.6.6', 'x-forwarded-host': 'evil.example.com', 'x-forwarded-for': '6.6.6.6' };
  setForwardedHeaders(headers, '192.0.2.7', 0);
  t.same(headers, { host: 'agent.example.com', 'x-forwarded-for': '192.0.2.7', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'agent.example.com' });
});
