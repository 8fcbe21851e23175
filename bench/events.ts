import type http from 'node:http';
import os from 'node:os';
import type { EventBody } from '../src/events/types';
import { application, deliverOne, fmt, livePostingUrl, untilStored } from './direct-apply';
import { type BenchSystem, percentile, startBenchSystem } from './harness';

const BURST = Number(process.env.BENCH_BURST ?? 1000);
/** Deliveries the "board" has in flight at once during the burst. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);

const readmeReceiver: any = require('../docs/webhook-receiver');

/**
 * A burst of DirectApply applications, twice on a fresh system each: without a webhook subscription, then with one
 * (the README's receiver on loopback, verifying every signature). Prints the webhook's acknowledgement latency both
 * times (raising events must not slow intake), how long until every application is stored, and with the
 * subscriber, how long until every application.created arrived, how many were lost and how many came twice.
 */
export async function run(): Promise<void> {
  console.log(`events: a burst of ${BURST} DirectApply applications (${CONCURRENCY} in flight), without and with a webhook subscriber`);
  await burst(false);
  await burst(true);
}

async function burst(withSubscriber: boolean): Promise<void> {
  const b = await startBenchSystem({ JOBRELAY_ALLOWED_WEBHOOK_ORIGINS: 'http://127.0.0.1:*' });
  const received = new Map<string, EventBody>();
  let arrivals = 0;
  let receiver: http.Server | undefined;
  try {
    const url = await livePostingUrl(b);
    if (withSubscriber)
      receiver = await subscribe(
        b,
        (event) => received.set(event.id, event),
        () => arrivals++,
      );
    await deliverOne(url, application('warm-up', 0));
    const ids = Array.from({ length: BURST }, (_, i) => `burst-${withSubscriber ? 'on' : 'off'}-${i}`);
    const latencies: number[] = [];
    const failures: Record<string, number> = {};
    const started = performance.now();
    const startedAt = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < BURST; i = next++) {
          const { status, ms } = await deliverOne(url, application(ids[i], i));
          if (status === 200) latencies.push(ms);
          else failures[status] = (failures[status] ?? 0) + 1;
        }
      }),
    );
    const sentMs = performance.now() - started;
    const stored = await untilStored(b, ids, 300_000);
    const storedMs = Math.max(...stored.map((r) => r.created_at.getTime())) - startedAt;
    const expected = new Set(ids);
    let eventsMs = Number.NaN;
    if (withSubscriber) {
      const deadline = Date.now() + 300_000;
      while (countFor(received, expected) < BURST && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      eventsMs = performance.now() - started;
    }

    // Timings on a shared machine move with its load: say what it was.
    console.log(
      `\n  ${withSubscriber ? 'with a subscriber' : 'without a subscriber'} (load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores):`,
    );
    console.log(
      `    webhook answered 200: ${latencies.length}/${BURST}${Object.keys(failures).length ? ` (others: ${JSON.stringify(failures)})` : ''} in ${(sentMs / 1000).toFixed(1)} s; acknowledgement latency p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms, max ${fmt(Math.max(...latencies))} ms`,
    );
    console.log(
      `    all ${new Set(stored.map((r) => r.external_id)).size}/${BURST} applications stored ${(storedMs / 1000).toFixed(1)} s after the burst began`,
    );
    if (withSubscriber) {
      const got = countFor(received, expected);
      console.log(
        `    application.created at the subscriber: ${got}/${BURST} distinct (${BURST - got} lost), ${arrivals - received.size} delivered twice (deduplicated by event id), all in ${(eventsMs / 1000).toFixed(1)} s after the burst began`,
      );
    }
  } finally {
    await b.stop();
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  }
}

/** The README's receiver on loopback, subscribed to application.created. */
async function subscribe(b: BenchSystem, handle: (event: EventBody) => void, arrived: () => void): Promise<http.Server> {
  const secrets: string[] = [];
  const server: http.Server = readmeReceiver.createReceiver({ secrets, handle });
  server.prependListener('request', arrived);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`;
  const created = await b.api('POST', '/v1/webhook-subscriptions', { url, eventTypes: ['application.created'] });
  if (created.status !== 201) throw new Error(`subscription refused: ${JSON.stringify(created.body)}`);
  secrets.push(created.body.secret);
  return server;
}

function countFor(received: Map<string, EventBody>, ids: Set<string>): number {
  let n = 0;
  for (const event of received.values()) if (ids.has(String(event.data.externalId))) n++;
  return n;
}
