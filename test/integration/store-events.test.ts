import type { NewEvent } from '../../src/events/types';
import { aJob } from '../fixtures/jobs';
import { storeBackends } from '../helpers/stores';

const event = (key: string, subject: string, type: NewEvent['type'] = 'posting.live'): NewEvent => ({ key, type, subject, data: { key } });

describe.each(storeBackends())('the events outbox and webhook deliveries on %s', (_name, open) => {
  let store: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(() => store.close());

  const subscribe = (eventTypes: NewEvent['type'][]) =>
    store.webhooks.create({ url: 'https://hooks.acme.example/x', eventTypes, secret: `whsec_${Math.random()}` });
  const states = async (subscriptionId: string) =>
    (await store.webhooks.deliveries(subscriptionId, { limit: 200 })).items.map((d) => [d.subject, d.state, d.attempts]);

  it('stores each raised event once by its key, with a delivery for each live subscription that asked for its type', async () => {
    const postings = await subscribe(['posting.live', 'posting.unposted']);
    const applications = await subscribe(['application.created']);
    const gone = await subscribe(['posting.live']);
    await store.webhooks.delete(gone.id);

    await store.events.raise([event('k-1', 'posting:a'), event('k-1', 'posting:a'), undefined]);
    await store.events.raise(event('k-1', 'posting:a')); // a retry
    await store.events.raise(event('k-2', 'application:b', 'application.created'));
    const long = event(`candidate.created:${'c'.repeat(400)}`, 'connector:c', 'candidate.created');
    await store.events.raise(long);
    await store.events.raise(long);

    expect((await store.events.ofSubject('posting:a')).map((e) => e.data)).toEqual([{ key: 'k-1' }]);
    expect(await store.events.ofSubject('connector:c')).toHaveLength(1);
    expect(await states(postings.id)).toEqual([['posting:a', 'pending', 0]]);
    expect(await states(applications.id)).toEqual([['application:b', 'pending', 0]]);
    expect(await states(gone.id)).toEqual([]);
    // The dispatcher hears of each delivery once; starting over, of every subscription with deliveries waiting.
    expect((await store.webhooks.announce()).map((s) => s.id).sort()).toEqual([postings.id, applications.id].sort());
    expect(await store.webhooks.announce()).toEqual([]);
    expect((await store.webhooks.announce(true)).map((s) => s.id).sort()).toEqual([postings.id, applications.id].sort());
  });

  it('commits a posting’s transition and its event together', async () => {
    const subscription = await subscribe(['posting.live', 'posting.expired']);
    const job = await store.jobs.create(aJob({ title: 'Outbox Clerk' }));
    const { posting } = await store.postings.createOrGet({
      jobId: job.id,
      board: 'cv-library',
      account: 'generic',
      options: { autoRepost: false, quickApply: true },
    });
    const published = {
      externalId: '77',
      publicUrl: 'https://x/77',
      postedAt: new Date().toISOString(),
      expiresAt: new Date().toISOString(),
    };
    await store.postings.markLive(posting.id, published, 0, { kind: 'posted', key: 'posted:0' });
    await store.postings.markLive(posting.id, published, 0, { kind: 'posted', key: 'posted:0' }); // the activity retried
    await store.postings.markLive(posting.id, published, 0, { kind: 'amended', key: 'amend:1' });
    await store.postings.markState(posting.id, 'expired', { kind: 'expired', key: 'expired:0' });
    const events = await store.events.ofSubject(`posting:${posting.id}`);
    expect(events.map((e) => [e.type, e.data.jobTitle])).toEqual([
      ['posting.live', 'Outbox Clerk'],
      ['posting.expired', 'Outbox Clerk'],
    ]);
    expect(await states(subscription.id)).toHaveLength(2);
  });

  it('hands out due deliveries in order, subjects side by side; a subject whose first waiting delivery backs off waits whole', async () => {
    const s = await subscribe(['posting.live']);
    for (const [key, subject] of [
      ['o-1', 'posting:x'],
      ['o-2', 'posting:y'],
      ['o-3', 'posting:x'],
      ['o-4', 'posting:z'],
    ])
      await store.events.raise(event(key, subject));
    const now = new Date();
    const due = await store.webhooks.due(s.id, { limit: 10, now, probe: false });
    expect(due.map((d) => d.event.data.key)).toEqual(['o-1', 'o-2', 'o-3', 'o-4']);
    expect(due[0].event).toMatchObject({ id: expect.stringMatching(/^evt_/), type: 'posting.live', subject: 'posting:x' });

    // x's first fails and backs off: x waits whole (o-3 too); y is delivered; z fails twice.
    const later = new Date(now.getTime() + 60_000);
    await store.webhooks.recordAttempt(due[0].id, { ok: false, error: 'ECONNREFUSED' }, later);
    await store.webhooks.recordAttempt(due[1].id, { ok: true, statusCode: 204 }, later);
    await store.webhooks.recordAttempt(due[3].id, { ok: false, statusCode: 503, error: 'answered HTTP 503' }, later);
    await store.webhooks.recordAttempt(due[3].id, { ok: false, statusCode: 503, error: 'answered HTTP 503' }, later);
    expect(await store.webhooks.due(s.id, { limit: 10, now, probe: false })).toEqual([]);
    expect(await store.webhooks.waiting(s.id, now)).toEqual({ count: 3, nextDueAt: later.getTime() });
    expect((await store.webhooks.due(s.id, { limit: 10, now: later, probe: false })).map((d) => d.event.data.key)).toEqual([
      'o-1',
      'o-3',
      'o-4',
    ]);

    // A probe is one subject's first waiting delivery, the least tried; once through, everything waiting is due again.
    const [probe] = await store.webhooks.due(s.id, { limit: 1, now, probe: true });
    expect(probe.event.data.key).toBe('o-1');
    await store.webhooks.release(s.id);
    expect((await store.webhooks.due(s.id, { limit: 10, now, probe: false })).map((d) => d.event.data.key)).toEqual(['o-1', 'o-3', 'o-4']);
    const listed = await store.webhooks.deliveries(s.id, { limit: 10, state: 'pending' });
    expect(listed.items.find((d) => d.subject === 'posting:z')).toMatchObject({
      attempts: 2,
      lastStatusCode: 503,
      lastError: 'answered HTTP 503',
    });
    expect(await store.webhooks.counts(s.id)).toEqual({ pending: 3, delivered: 1, failed: 0, cancelled: 0 });
  });

  it('fails deliveries past their three days, redelivers one on request, and cancels what waits when the subscription goes', async () => {
    const s = await subscribe(['posting.live']);
    await store.events.raise([event('d-1', 'posting:d'), event('d-2', 'posting:e')]);
    expect(await store.webhooks.expire(s.id, new Date(Date.now() + 2 * 86_400_000))).toEqual([]);
    expect(await store.webhooks.expire(s.id, new Date(Date.now() + 3 * 86_400_000 + 60_000))).toEqual(['posting.live', 'posting.live']);
    const failed = (await store.webhooks.deliveries(s.id, { limit: 10, state: 'failed' })).items;
    expect(failed.map((d) => d.lastError)).toEqual(['not delivered in time', 'not delivered in time']);

    const again = await store.webhooks.redeliver(s.id, failed[0].eventId);
    expect(again).toMatchObject({ state: 'pending', eventId: failed[0].eventId });
    expect(await store.webhooks.redeliver(s.id, 'evt_unknown')).toBeUndefined();
    expect(await store.webhooks.targetOf(again!.id, new Date())).toMatchObject({
      url: 'https://hooks.acme.example/x',
      secrets: [expect.stringMatching(/^whsec_/)],
    });

    const rotated = await store.webhooks.rotate(s.id, 'whsec_next', new Date(Date.now() + 3_600_000));
    expect(rotated?.previousSecretExpiresAt).toEqual(expect.any(String));
    expect((await store.webhooks.target(s.id, new Date()))?.secrets).toEqual(['whsec_next', expect.stringMatching(/^whsec_0/)]);
    expect((await store.webhooks.target(s.id, new Date(Date.now() + 7_200_000)))?.secrets).toEqual(['whsec_next']);

    await store.webhooks.delete(s.id);
    expect(await store.webhooks.counts(s.id)).toEqual({ pending: 0, delivered: 0, failed: 1, cancelled: 1 });
    expect(await store.webhooks.targetOf(again!.id, new Date())).toBeUndefined();
    expect(await store.webhooks.target(s.id, new Date())).toBeUndefined();
  });
});
