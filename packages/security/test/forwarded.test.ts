// publicOrigin: PUBLIC_BASE_URL wins; else the first forwarded scheme and host (never "https,http"), checked strictly.
import t from 'tap';
import { PublicOriginError, firstForwarded, isValidHost, publicOrigin } from '../src/index';

t.test('the left-most value of a chained header', async (t) => {
  t.equal(firstForwarded('https,http'), 'https');
  t.equal(firstForwarded([' https ', 'http']), 'https');
  t.equal(firstForwarded(undefined), undefined);
  t.equal(firstForwarded(''), undefined);
});

t.test('the public origin', async (t) => {
  t.equal(publicOrigin('https://a.example/', {}), 'https://a.example');
  t.equal(publicOrigin(undefined, { 'x-forwarded-proto': 'https,http', 'x-forwarded-host': 'b.example', host: '127.0.0.1:8082' }), 'https://b.example');
  t.equal(publicOrigin(undefined, { host: '127.0.0.1:8080' }), 'http://127.0.0.1:8080');
  t.equal(publicOrigin(undefined, { 'x-forwarded-proto': 'HTTPS', host: '[::1]:8080' }), 'https://[::1]:8080');
  t.equal(publicOrigin('https://a.example', { host: 'a b', 'x-forwarded-proto': 'gopher' }), 'https://a.example', 'PUBLIC_BASE_URL set: the headers are not read at all');
});

t.test('hosts: a hostname, IPv4 or bracketed IPv6, with an optional port — nothing else', async (t) => {
  for (const good of ['agent.example.com', 'xn--4db.example', 'a-b.repl.co:443', 'localhost', '127.0.0.1', '127.0.0.1:8082', '[::1]', '[2001:db8::1]:65535', 'EXAMPLE.com']) {
    t.ok(isValidHost(good), good);
  }
  const bad = ['a b', '', 'a,b', 'a/b', 'a@b', 'a?b', 'a#b', 'evil.com\r\nX: 1', 'a:0', 'a:65536', 'a:08', 'a:', ':80', '::1', '[::1', '[zz::1]', '[::1]x',
    '-a.example', 'a-.example', 'a..b', '.a', 'a.', '1.2.3.999', '300.1.1.1', 'a'.repeat(64) + '.com', 'a_b.example', 'é.example', 'a\u0000b'];
  for (const b of bad) t.notOk(isValidHost(b), JSON.stringify(b));
});

t.test('a bad host or scheme throws a PublicOriginError naming the header, never echoing the value', async (t) => {
  const attempt = (headers: Record<string, string>) => {
    try {
      publicOrigin(undefined, headers);
      return undefined;
    } catch (err) {
      return err;
    }
  };
  const xfh = attempt({ 'x-forwarded-host': 'a b', host: '127.0.0.1:8082' });
  t.ok(xfh instanceof PublicOriginError);
  t.match(xfh, { code: 'FORWARDED_BAD_HOST', header: 'X-Forwarded-Host' });
  t.match(attempt({ host: 'a b' }), { code: 'FORWARDED_BAD_HOST', header: 'Host' });
  t.match(attempt({ host: 'a,b' }), { code: 'FORWARDED_BAD_HOST', header: 'Host' }, 'Host is one value, not a chain');
  t.match(attempt({ host: 'ok.example', 'x-forwarded-proto': 'javascript' }), { code: 'FORWARDED_BAD_PROTO', header: 'X-Forwarded-Proto' });
  t.notMatch((attempt({ host: 'secret<script>' }) as Error).message, /secret/);
});
