// publicOrigin: PUBLIC_BASE_URL wins; else the first forwarded scheme and host (never "https,http").
import t from 'tap';
import { firstForwarded, publicOrigin } from '../src/index';

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
});
