import http from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createEventActivities } from '../../activities/events';
import type { EventBody } from '../../src/events/types';
import { Metrics } from '../../src/metrics';
import { OriginPolicy } from '../../src/providers/origins';
import type { Store } from '../../src/store';
import { webhookDelivery } from '../../workflows/webhook-delivery';
import { createTimeSkippingEnv, testServers } from '../helpers/env';
import { describeEachStore, openTestStore } from '../helpers/stores';
import { waitFor } from '../helpers/wait';

const TASK_QUEUE = 'webhooks';

/** A subscriber that answers 503 until told otherwise, and logs what it took. */
async function subscriber() {
  const taken: EventBody[] = [];
  let answering = false;
  let requests = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests += 1;
      if (!answering) return void res.writeHead(503).end();
      taken.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    taken,
    requests: () => requests,
    answer: () => {
      answering = true;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describeEachStore('webhookDelivery under time skipping (real activities, store and HTTP)', (kind) => {
  let env: TestWorkflowEnvironment;
  let store: Store;
  let metrics: Metrics;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    store = await openTestStore(kind);
    metrics = new Metrics();
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: testServers.workflowBundle(),
      activities: createEventActivities({ store, metrics, webhookOrigins: new OriginPolicy(['http://127.0.0.1:*']) }),
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await store?.close();
    await env?.teardown();
  });

  async function subscribed(url: string, events: Array<[key: string, subject: string]>) {
    const subscription = await store.webhooks.create({ url, eventTypes: ['posting.live'], secret: 'whsec_test' });
    await store.events.raise(
      events.map(([key, subject]) => ({ key: `${subscription.id}:${key}`, type: 'posting.live', subject, data: { key } })),
    );
    const handle = await env.client.workflow.start(webhookDelivery, {
      taskQueue: TASK_QUEUE,
      workflowId: `webhook:${subscription.id}`,
      args: [{ subscriptionId: subscription.id }],
    });
    return { subscription, handle };
  }

  // Skipped time carries over from test to test, while deliveries' three days count from when they were raised (the
  // store's clock): the three-day test comes last.
  it('sends everything that waited, each subject in order, once a subscriber down for hours answers again', async () => {
    const hooks = await subscriber();
    const { handle } = await subscribed(hooks.url, [
      ['1', 'posting:x'],
      ['2', 'posting:y'],
      ['3', 'posting:x'],
      ['4', 'posting:y'],
      ['5', 'posting:x'],
    ]);
    await env.sleep('5 hours');
    expect(hooks.taken).toEqual([]);
    const triesWhileDown = hooks.requests();
    // Taken as down after the first round: probed with one delivery at a time, not all five each time.
    expect(triesWhileDown).toBeLessThan(20);

    hooks.answer();
    await env.sleep('61 minutes');
    // The round the probe started may still be running when the skipped time is up.
    await waitFor(
      async () => hooks.taken.length,
      (n) => n === 5,
      30_000,
      'every waiting delivery',
    );
    expect(hooks.taken.map((e) => e.data.key).sort()).toEqual(['1', '2', '3', '4', '5']);
    expect(hooks.taken.filter((e) => e.subject === 'posting:x').map((e) => e.data.key)).toEqual(['1', '3', '5']);
    expect(hooks.taken.filter((e) => e.subject === 'posting:y').map((e) => e.data.key)).toEqual(['2', '4']);
    await handle.terminate();
    await hooks.close();
  });

  it('retries a subscriber that keeps failing with backoff for three days, then marks its deliveries failed', async () => {
    const hooks = await subscriber();
    const { subscription, handle } = await subscribed(hooks.url, [
      ['a', 'posting:a'],
      ['b', 'posting:b'],
    ]);
    await env.sleep('2 days');
    let deliveries = (await store.webhooks.deliveries(subscription.id, { limit: 10 })).items;
    expect(deliveries.map((d) => d.state)).toEqual(['pending', 'pending']);
    const tries = hooks.requests();
    // Backing off to an hour at most: dozens of tries over two days, not thousands.
    expect(tries).toBeGreaterThan(20);
    expect(tries).toBeLessThan(100);

    await env.sleep('1 day');
    await env.sleep('2 hours');
    deliveries = await waitFor(
      async () => (await store.webhooks.deliveries(subscription.id, { limit: 10 })).items,
      (items) => items.every((d) => d.state === 'failed'),
      30_000,
      'both deliveries failed',
    );
    expect(deliveries).toEqual([
      expect.objectContaining({ state: 'failed', lastStatusCode: 503, lastError: 'answered HTTP 503', attempts: expect.any(Number) }),
      expect.objectContaining({ state: 'failed', lastStatusCode: 503, lastError: 'answered HTTP 503', attempts: expect.any(Number) }),
    ]);
    expect(hooks.taken).toEqual([]);
    expect(metrics.render()).toMatch(/jobrelay_webhook_deliveries_total\{event_type="posting.live",result="failed"\} 2/);
    // Nothing is tried once they have failed; the workflow waits for new deliveries.
    const after = hooks.requests();
    await env.sleep('3 hours');
    expect(hooks.requests()).toBe(after);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate();
    await hooks.close();
  });
});
