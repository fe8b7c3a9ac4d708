// FileUsedTokenStore: a claim is on disk before it counts, survives a new store on the same file, expires, and compacts.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FileUsedTokenStore, USED_TOKENS_FILE } from '../src/used-token-file';
import { MemoryUsedTokenStore } from '../src/used-token-store';

const lineCount = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;

t.test('a token is claimed once; a second claim is a replay, also for a new store on the same file (a restart)', async (t) => {
  const dir = t.testdir();
  let now = 1_000_000;
  const first = FileUsedTokenStore.inDir(dir, { now: () => now });
  t.equal(await first.claim('123.abc', now + 60_000), true, 'first use');
  t.equal(await first.claim('123.abc', now + 60_000), false, 'replay in the same process');
  t.match(readFileSync(path.join(dir, USED_TOKENS_FILE), 'utf8'), /^1060000 123\.abc\n$/, 'on disk before claim resolved');
  // no close(): a SIGKILL closes nothing
  const second = FileUsedTokenStore.inDir(dir, { now: () => now });
  t.equal(await second.claim('123.abc', now + 60_000), false, 'replay after a restart');
  t.equal(await second.claim('124.def', now + 60_000), true, 'another token is fine');
  now += 61_000;
  t.equal(await second.claim('123.abc', now + 60_000), true, 'after its expiry the entry is forgotten (the token itself is expired by then)');
  first.close();
  second.close();
});

t.test('loading drops expired entries and torn or garbled lines, then rewrites the file with the live ones', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, USED_TOKENS_FILE);
  writeFileSync(file, ['500 old.token', '5000 live.one', 'garbage', '9999 has space inside', '6000 live.two', '70'].join('\n'));
  const store = new FileUsedTokenStore(file, { now: () => 1000 });
  t.equal(store.size, 2);
  t.same(readFileSync(file, 'utf8').split('\n').filter(Boolean).sort(), ['5000 live.one', '6000 live.two']);
  t.equal(await store.claim('live.one', 5000), false);
  store.close();
});

t.test('the file is compacted once it holds many more lines than live tokens', async (t) => {
  const dir = t.testdir();
  let now = 0;
  const store = FileUsedTokenStore.inDir(dir, { now: () => now });
  const file = path.join(dir, USED_TOKENS_FILE);
  const claimed = await Promise.all(Array.from({ length: 999 }, (_, i) => store.claim(`t${i}`, now + 10)));
  t.ok(claimed.every(Boolean), '999 distinct tokens claimed');
  t.equal(lineCount(file), 999);
  now = 100; // all of those expire
  await store.claim('fresh', now + 10);
  t.equal(lineCount(file), 1, 'the 1000th line triggered a rewrite holding only the live token');
  t.equal(await store.claim('fresh', now + 10), false, 'still remembered after compaction');
  now = 105;
  await store.claim('second', now + 10);
  t.same(readFileSync(file, 'utf8').split('\n').filter(Boolean), ['110 fresh', '115 second'], 'appends go to the new file');
  store.close();
});

t.test('a claim that cannot be written rejects and is not remembered (the stream is refused, never let through)', async (t) => {
  const dir = t.testdir();
  const store = FileUsedTokenStore.inDir(dir);
  store.close(); // the handle is gone: the next write fails
  await t.rejects(store.claim('123.abc', Date.now() + 1000));
  t.equal(store.size, 0);
  const other = FileUsedTokenStore.inDir(dir);
  await t.rejects(other.claim('has space', Date.now() + 1000), /without spaces/, 'a token the line format cannot hold is refused');
  other.close();
  t.equal(await new MemoryUsedTokenStore().claim('x', Date.now() + 1000), true, 'the memory store claims without a file');
});

t.test('a directory that cannot hold the file fails at start, loudly', async (t) => {
  const dir = t.testdir({ blocker: 'a file, not a directory' });
  t.throws(() => FileUsedTokenStore.inDir(path.join(dir, 'blocker')));
});
