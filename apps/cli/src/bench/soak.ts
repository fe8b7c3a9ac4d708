// `npm run soak`: 200 simulated calls for 10 minutes with barge-ins and key presses; RSS and event-loop delay over time.
import { parseArgs } from 'node:util';
import { SimulatedCall } from '@tva/call-simulator';
import { speechLikeMulaw } from '@tva/providers';
import type { Stack } from '../stack/start-stack';
import { mediaStats, startBenchStack } from './bench-stack';
import { busyPercent, fmt, machineCpu } from './stats';

const SPEECH = speechLikeMulaw(600);
const BARGE = speechLikeMulaw(500);

interface Tally {
  turns: number;
  bargeIns: number;
  dtmf: number;
  dropped: number;
}

/** One caller for the whole soak: talks, interrupts the agent now and then, presses keys; reconnects if dropped. */
async function caller(stack: Stack, until: number, delayMs: number, tally: Tally): Promise<void> {
  await new Promise((r) => setTimeout(r, delayMs));
  let n = 0;
  while (Date.now() < until) {
    const call = await SimulatedCall.connect({ url: stack.wsUrl, connectTimeoutMs: 10000 }).catch(() => undefined);
    if (!call) {
      tally.dropped += 1;
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    await call.sendSilence(1500);
    // a call lasts about a minute, then the caller hangs up and calls again (so set-up and tear-down are soaked too)
    const hangUpAt = Math.min(until, Date.now() + 60_000);
    while (Date.now() < hangUpAt && call.isOpen) {
      n += 1;
      if (n % 5 === 0) {
        call.sendDtmf(String(n % 10));
        tally.dtmf += 1;
        await call.sendSilence(3000);
      } else {
        await call.sendAudio(SPEECH);
        tally.turns += 1;
        // every third turn, talk over the answer 1.2 s in: a barge-in
        await call.sendSilence(n % 3 === 0 ? 1200 + 600 : 3400);
        if (n % 3 === 0) {
          await call.sendAudio(BARGE);
          tally.bargeIns += 1;
          await call.sendSilence(2000);
        }
      }
    }
    if (!call.isOpen) tally.dropped += 1;
    await call.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { calls: { type: 'string', default: '200' }, minutes: { type: 'string', default: '10' }, every: { type: 'string', default: '30' } } });
  const calls = Number(values.calls);
  const minutes = Number(values.minutes);
  const everyS = Number(values.every);
  const bench = await startBenchStack(200, 100);
  const { stack } = bench;
  try {
    const idle = await mediaStats(stack, true);
    const until = Date.now() + minutes * 60_000;
    const tally: Tally = { turns: 0, bargeIns: 0, dtmf: 0, dropped: 0 };
    const running = Array.from({ length: calls }, (_, i) => caller(stack, until, (i * 10_000) / calls, tally));
    const rows = ['| minute | calls | media RSS MB | event-loop delay p99 / max ms (since last row) | machine CPU busy | turns / barge-ins / DTMF so far |', '|---|---|---|---|---|---|'];
    const started = Date.now();
    let cpu = machineCpu();
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, everyS * 1000));
      const s = await mediaStats(stack, true);
      const now = machineCpu();
      rows.push(`| ${fmt((Date.now() - started) / 60_000)} | ${s.calls} | ${fmt(s.rssBytes / 2 ** 20)} | ${fmt(s.eventLoopDelayMs.p99)} / ${fmt(s.eventLoopDelayMs.max)} | ${fmt(busyPercent(cpu, now), 0)} % | ${tally.turns} / ${tally.bargeIns} / ${tally.dtmf} |`);
      cpu = now;
      process.stderr.write(`${rows[rows.length - 1]}\n`);
    }
    await Promise.all(running);
    await new Promise((r) => setTimeout(r, 5000));
    const end = await mediaStats(stack, false);
    const bargeLogged = stack.logs().filter((l) => l['event'] === 'BARGE_IN').length;
    console.log(`Soak: ${calls} callers for ${minutes} min (each call ~1 min, then a new one); RSS idle ${fmt(idle.rssBytes / 2 ** 20)} MB → after ${fmt(end.rssBytes / 2 ** 20)} MB with ${end.calls} calls left.`);
    console.log(`Turns ${tally.turns}, barge-ins sent ${tally.bargeIns} (BARGE_IN logged ${bargeLogged}), DTMF ${tally.dtmf}, calls dropped ${tally.dropped}.\n`);
    console.log(rows.join('\n'));
  } finally {
    await bench.stop();
  }
}

main().catch((err: Error) => {
  console.error(`soak failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
