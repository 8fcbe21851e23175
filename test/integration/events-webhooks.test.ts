import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { dispatchWorkflowId, EVENT_TYPES } from '../../src/events/types';
import { SANDBOX_API_KEY } from '../../src/providers/lever/sandbox';
import { leverConnector, waitForRuns } from '../fixtures/connectors';
import { setUpCvLibrary, untilPostingState } from '../fixtures/cv-library';
import { applicationId, applyOnBoard, intakeOutcome, postLiveJob } from '../fixtures/direct-apply';
import { aJob } from '../fixtures/jobs';
import { runLeverSandbox } from '../fixtures/lever';
import {
  LOOPBACK_WEBHOOKS,
  RECEIVER_EXAMPLE_PATH,
  readmeReceiver,
  type Subscriber,
  startSubscriber,
  subscribe,
  untilHandled,
} from '../fixtures/webhooks';
import { recordHistory, recordWhenIdle } from '../helpers/record';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

/** Every type but the status sync's (that integration raises it). */
const ALL_TYPES = EVENT_TYPES.filter((type) => type !== 'status_sync.completed');

describeEachStore(
  'events out: signed webhooks from the real path (API → Temporal → activities → outbox → delivery workflow → subscriber)',
  (store) => {
    let t: TestSystem;
    let hooks: Subscriber;
    let subscription: { id: string; secret: string; workflowId: string };

    beforeAll(async () => {
      t = await startTestSystem(LOOPBACK_WEBHOOKS, { store });
      await setUpCvLibrary(t);
      hooks = await startSubscriber();
      subscription = await subscribe(t, hooks, ALL_TYPES);
    });
    afterAll(async () => {
      await hooks?.down();
      await t?.stop();
    });

    it('shows the signing secret once, refuses destinations the origin rules forbid, and is for admins only', async () => {
      expect(subscription.secret).toMatch(/^whsec_[\w-]{40,}$/);
      const shown = await t.api('GET', `/v1/webhook-subscriptions/${subscription.id}`);
      expect(shown.status).toBe(200);
      expect(shown.body).toMatchObject({
        id: subscription.id,
        url: hooks.url,
        eventTypes: ALL_TYPES,
        workflowId: `webhook:${subscription.id}`,
      });
      expect(JSON.stringify(shown.body)).not.toContain(subscription.secret);
      expect(JSON.stringify((await t.api('GET', '/v1/webhook-subscriptions')).body)).not.toContain(subscription.secret);
      const stored = await t.deps.store.db
        .selectFrom('webhook_subscriptions')
        .select('secret')
        .where('id', '=', subscription.id)
        .executeTakeFirstOrThrow();
      expect(stored.secret).not.toContain(subscription.secret);

      for (const [url, why] of [
        ['http://169.254.169.254/latest/meta-data', /https only/],
        ['https://169.254.169.254/latest/meta-data', /address not allowed/],
        ['https://10.1.2.3/hooks', /address not allowed/],
        ['https://[::1]/hooks', /address not allowed/],
        ['https://localhost/hooks', /loopback is not allowed/],
        ['http://hooks.example.com/jobrelay', /https only/],
        ['https://user:pw@hooks.example.com/jobrelay', /credentials/],
      ] as const) {
        const refused = await t.api('POST', '/v1/webhook-subscriptions', { url, eventTypes: ['posting.live'] });
        expect([url, refused.status, refused.body.error]).toEqual([url, 422, expect.stringMatching(why)]);
      }
      expect((await t.api('POST', '/v1/webhook-subscriptions', { url: hooks.url, eventTypes: ['nope'] })).status).toBe(400);
      expect((await t.api('POST', '/v1/webhook-subscriptions', { url: hooks.url, eventTypes: [] })).status).toBe(400);

      const writer = (await t.api('POST', '/v1/tokens', { name: 'writer', scope: 'write' })).body.token;
      const asWriter = await t.api(
        'POST',
        '/v1/webhook-subscriptions',
        { url: hooks.url, eventTypes: ['posting.live'] },
        { token: writer },
      );
      expect(asWriter.status).toBe(403);
      expect((await t.api('GET', '/v1/webhook-subscriptions', undefined, { token: writer })).status).toBe(403);
    });

    it('a posting going live reaches the subscriber as posting.live, signed and verified by the README example; unposting it as posting.unposted', async () => {
      const posting = await postLiveJob(t, { title: 'Senior Payroll Administrator' });
      const [live] = await untilHandled(hooks, 'posting.live', (e) => e.type === 'posting.live' && e.data.postingId === posting.id);
      expect(live).toMatchObject({
        id: expect.stringMatching(/^evt_/),
        type: 'posting.live',
        subject: `posting:${posting.id}`,
        occurredAt: expect.any(String),
        data: {
          postingId: posting.id,
          jobId: posting.jobId,
          board: 'cv-library',
          jobTitle: 'Senior Payroll Administrator',
          externalId: posting.externalId,
          publicUrl: expect.stringContaining(posting.externalId),
          expiresAt: expect.any(String),
          repostCount: 0,
          reposted: false,
        },
      });
      // Nothing of the recruiter (aJob's recruiter), and the signature carries the secret's HMAC of t.body.
      expect(JSON.stringify(live)).not.toMatch(/priya|@/i);
      const arrival = hooks.arrivals.find((a) => a.eventId === live.id)!;
      expect(arrival.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(readmeReceiver.verifySignature(arrival.rawBody, arrival.signature, [subscription.secret])).toBe(true);

      expect((await t.api('DELETE', `/v1/postings/${posting.id}`)).status).toBe(200);
      await untilHandled(hooks, 'posting.unposted', (e) => e.type === 'posting.unposted' && e.data.postingId === posting.id);
      expect(hooks.events(['posting.live', 'posting.unposted'], (e) => e.subject === `posting:${posting.id}`).map((e) => e.type)).toEqual([
        'posting.live',
        'posting.unposted',
      ]);
      await recordHistory('posting-live-unposted-with-memo', t.system.client.workflow.getHandle(posting.workflowId));
    });

    it("a posting the board refuses reaches the subscriber as posting.failed: ids only, the board's words stay behind the API", async () => {
      const job = (await t.api('POST', '/v1/jobs', aJob({ title: 'Refused Payroll Clerk', reference: 'REQ-REFUSED-1' }))).body;
      await t.sandbox('POST', 'cv-library', '/_sandbox/faults', { failNext: [{ status: 401, count: 1 }] });
      const accepted = await t.api('POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library' });
      expect(accepted.status).toBe(202);
      const failed = await untilPostingState(t, accepted.body.id, 'failed');
      const [event] = await untilHandled(hooks, 'posting.failed', (e) => e.type === 'posting.failed' && e.data.postingId === failed.id);
      expect(event).toMatchObject({
        type: 'posting.failed',
        subject: `posting:${failed.id}`,
        data: { postingId: failed.id, jobId: job.id, board: 'cv-library', jobTitle: 'Refused Payroll Clerk', repostCount: 0 },
      });
      expect(failed.lastError).toBeTruthy();
      expect(JSON.stringify(event)).not.toContain(failed.lastError);
      expect(hooks.events(['posting.live'], (e) => e.subject === `posting:${failed.id}`)).toEqual([]);
    });

    it('a DirectApply application reaches the subscriber as application.created: ids, never the applicant or the CV', async () => {
      const posting = await postLiveJob(t);
      const id = applicationId('event');
      const sent = await applyOnBoard(t, posting, { id, first_name: 'Amelia', last_name: 'Khan', phone: '+44 7700 900123', cv: true });
      const outcome = await intakeOutcome(t, id);
      const [created] = await untilHandled(
        hooks,
        'application.created',
        (e) => e.type === 'application.created' && e.data.externalId === id,
      );
      expect(created).toMatchObject({
        subject: `application:${outcome.applicationId}`,
        data: {
          applicationId: outcome.applicationId,
          candidateId: outcome.candidateId,
          cvDocumentId: outcome.documentId,
          jobId: posting.jobId,
          postingId: posting.id,
          provider: 'cv-library',
          externalId: id,
          late: false,
        },
      });
      const body = JSON.stringify(created);
      for (const personal of [
        'Amelia',
        'Khan',
        sent.body.application.email,
        '900123',
        'LS1',
        sent.body.application.cv.content.slice(0, 40),
      ])
        expect(body).not.toContain(personal);
      await recordWhenIdle('webhook-delivery', t.system.client.workflow.getHandle(subscription.workflowId));
    });

    it('a Lever sync reaches the subscriber as candidate.created per page (the ids of the people it created) and sync.completed per stream with counts', async () => {
      const s = await runLeverSandbox({ rateLimit: { perSecond: 2000, burst: 200 } });
      try {
        s.sandbox.seed({ postings: 6, opportunities: 120, resumes: false, seed: 416 });
        const created = await t.api('POST', '/v1/connectors', leverConnector(s.baseUrl, SANDBOX_API_KEY, { pageSize: 50 }));
        const connectorId = created.body.id;
        const done = await waitForRuns(t, connectorId, 1);
        const ofConnector = (e: { subject: string }) => e.subject === `connector:${connectorId}`;
        const completed = await untilHandled(
          hooks,
          'sync.completed of both streams',
          (e) => e.type === 'sync.completed' && ofConnector(e),
          2,
        );
        for (const stream of ['jobs', 'candidates']) {
          const run = completed.find((e) => e.data.stream === stream)!;
          const status = done.status.streams[stream];
          expect(run.data).toMatchObject({
            connectorId,
            provider: 'lever',
            counts: { created: status.created, updated: status.updated, unchanged: status.unchanged, skipped: status.skipped },
            pages: status.pages,
            requests: status.requests,
            startedAt: status.lastStartedAt,
            finishedAt: status.lastFinishedAt,
          });
        }
        // One candidate.created per page that created someone; together, every candidate the sync created, once.
        const batches = hooks.events(['candidate.created'], ofConnector);
        expect(batches.length).toBeGreaterThanOrEqual(2);
        expect(batches.length).toBeLessThanOrEqual(done.status.streams.candidates.pages);
        const announced = batches.flatMap((e) => e.data.candidateIds as string[]);
        const sources = await t.deps.store.db
          .selectFrom('candidate_sources')
          .select('candidate_id')
          .where('provider', '=', 'lever')
          .where('external_id', 'in', [...new Set([...s.sandbox.opportunities.values()].map((o) => o.contact))])
          .execute();
        expect(new Set(announced).size).toBe(announced.length);
        expect(announced.sort()).toEqual([...new Set(sources.map((r) => r.candidate_id))].sort());
        expect(done.status.streams.candidates.created).toBe(announced.length);
        // Events about one connector arrive in the order raised: its runs' pages before the run's end.
        const order = hooks.handled.filter(ofConnector).map((e) => e.type);
        expect(order.lastIndexOf('candidate.created')).toBeLessThan(
          hooks.handled.filter(ofConnector).findIndex((e) => e.type === 'sync.completed' && e.data.stream === 'candidates'),
        );
        await recordWhenIdle('connector-sync-with-events', t.system.client.workflow.getHandle(created.body.workflowId));
        const people = await t.deps.store.db.selectFrom('candidates').select(['email', 'last_name']).where('id', 'in', announced).execute();
        const bodies = JSON.stringify(hooks.handled.filter(ofConnector));
        for (const p of people.slice(0, 20)) {
          if (p.email) expect(bodies).not.toContain(p.email);
        }
      } finally {
        await s.close();
      }
    });

    it('a subscriber down for a while receives every event once it is back, in order per subject; the deliveries show the failed attempts', async () => {
      const late = await startSubscriber();
      const lateSubscription = await subscribe(t, late, ['posting.live', 'posting.unposted', 'application.created']);
      await late.down();

      const posting = await postLiveJob(t);
      const ids = [applicationId('down-1'), applicationId('down-2'), applicationId('down-3')];
      for (const id of ids) expect((await applyOnBoard(t, posting, { id, cv: false })).body.state).toBe('delivered');
      await Promise.all(ids.map((id) => intakeOutcome(t, id)));
      expect((await t.api('DELETE', `/v1/postings/${posting.id}`)).status).toBe(200);
      expect((await t.api('POST', `/v1/postings/${posting.id}/repost`)).status).toBe(202);
      await untilPostingState(t, posting.id, 'live');

      // The subscriber that stayed up has them all already; the one that is down has failed attempts on record.
      const subject = `posting:${posting.id}`;
      await untilHandled(
        hooks,
        'both live events at the subscriber that is up',
        (e) => e.subject === subject && e.type === 'posting.live',
        2,
      );
      const failing = await waitFor(
        () => t.api('GET', `/v1/webhook-subscriptions/${lateSubscription.id}/deliveries?state=pending`).then((r) => r.body.items),
        (items: any[]) => items.length === 6 && items.some((d) => d.attempts > 0),
        30_000,
        'six waiting deliveries, tried',
      );
      const tried = failing.find((d: any) => d.attempts > 0);
      expect(tried).toMatchObject({
        state: 'pending',
        lastError: expect.stringMatching(/ECONNREFUSED/),
        nextAttemptAt: expect.any(String),
      });
      expect(late.handled).toHaveLength(0);

      await late.up();
      const got = await untilHandled(late, 'every event after the subscriber is back', () => true, 6, 90_000);
      expect(new Set(got.map((e) => e.id)).size).toBe(6);
      expect(got.filter((e) => e.subject === subject).map((e) => e.type)).toEqual(['posting.live', 'posting.unposted', 'posting.live']);
      expect(
        got
          .filter((e) => e.type === 'application.created')
          .map((e) => e.data.externalId)
          .sort(),
      ).toEqual([...ids].sort());
      // Each event id is the idempotency key: anything delivered twice carries the same id, and is handled once.
      expect(late.arrivals.every((a) => got.some((e) => e.id === a.eventId))).toBe(true);
      const after = (await t.api('GET', `/v1/webhook-subscriptions/${lateSubscription.id}`)).body;
      expect(after.deliveries).toMatchObject({ pending: 0, delivered: 6, failed: 0 });
      const delivered = (await t.api('GET', `/v1/webhook-subscriptions/${lateSubscription.id}/deliveries?state=delivered`)).body.items;
      expect(delivered.every((d: any) => d.lastStatusCode === 204 && d.deliveredAt && d.lastError === undefined)).toBe(true);
      expect(delivered.some((d: any) => d.attempts >= 2)).toBe(true);
      await t.api('DELETE', `/v1/webhook-subscriptions/${lateSubscription.id}`);
      await late.down();
    });

    it('the README example refuses a tampered body and an old timestamp, and verifies with the old secret during a rotation', async () => {
      const [delivery] = hooks.arrivals;
      const { verifySignature } = readmeReceiver;
      const { rawBody, signature } = delivery;
      const t0 = Number(/t=(\d+)/.exec(signature)![1]) * 1000;
      expect(verifySignature(rawBody, signature, [subscription.secret], t0)).toBe(true);
      expect(verifySignature(rawBody.replace('"type":"', '"type":"x'), signature, [subscription.secret], t0)).toBe(false);
      expect(verifySignature(`${rawBody} `, signature, [subscription.secret], t0)).toBe(false);
      expect(verifySignature(rawBody, signature, ['whsec_someone-else'], t0)).toBe(false);
      expect(verifySignature(rawBody, signature, [subscription.secret], t0 + 5 * 60_000 - 1000)).toBe(true);
      expect(verifySignature(rawBody, signature, [subscription.secret], t0 + 5 * 60_000 + 1000)).toBe(false);
      expect(verifySignature(rawBody, signature.replace(/t=\d+/, `t=${Math.floor(t0 / 1000) + 1}`), [subscription.secret], t0)).toBe(false);

      // The README shows this exact code.
      const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
      expect(readme).toContain(fs.readFileSync(path.resolve(__dirname, '../..', RECEIVER_EXAMPLE_PATH), 'utf8'));

      // Rotation: the new secret is shown once; deliveries are signed with both until the grace period ends.
      const rotated = await t.api('POST', `/v1/webhook-subscriptions/${subscription.id}/rotate-secret`, { graceHours: 1 });
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).not.toBe(subscription.secret);
      const posting = await postLiveJob(t);
      await untilHandled(hooks, 'posting.live after the rotation', (e) => e.type === 'posting.live' && e.data.postingId === posting.id);
      const signed = hooks.arrivals.find((a) => a.rawBody.includes(posting.id))!;
      expect(signed.signature.split(',').filter((f) => f.startsWith('v1='))).toHaveLength(2);
      expect(verifySignature(signed.rawBody, signed.signature, [subscription.secret])).toBe(true);
      expect(verifySignature(signed.rawBody, signed.signature, [rotated.body.secret])).toBe(true);
      hooks.secrets.push(rotated.body.secret);
    });

    it('redelivers one event on request (the same id), lists deliveries with status, attempts and response code, and counts them in /metrics', async () => {
      const posting = await postLiveJob(t);
      const [live] = await untilHandled(hooks, 'posting.live', (e) => e.type === 'posting.live' && e.data.postingId === posting.id);
      const list = await t.api('GET', `/v1/webhook-subscriptions/${subscription.id}/deliveries?eventType=posting.live`);
      expect(list.status).toBe(200);
      const latest = list.body.items.find((d: any) => d.eventId === live.id);
      expect(latest).toMatchObject({
        eventType: 'posting.live',
        subject: `posting:${posting.id}`,
        state: 'delivered',
        attempts: 1,
        lastStatusCode: 204,
      });
      const before = hooks.arrivals.filter((a) => a.eventId === latest.eventId).length;
      const again = await t.api('POST', `/v1/webhook-subscriptions/${subscription.id}/deliveries/${latest.eventId}/redeliver`);
      expect(again.status).toBe(202);
      await waitFor(
        async () => hooks.arrivals.filter((a) => a.eventId === latest.eventId).length,
        (n) => n === before + 1,
        30_000,
        'the redelivery',
      );
      const redelivered = await waitFor(
        () =>
          t
            .api('GET', `/v1/webhook-subscriptions/${subscription.id}/deliveries?eventType=posting.live`)
            .then((r) => r.body.items.find((d: any) => d.eventId === live.id)),
        (d: any) => d.state === 'delivered' && d.attempts === 2,
        30_000,
        'the redelivery recorded',
      );
      expect(redelivered.eventId).toBe(latest.eventId);
      expect(hooks.handled.filter((e) => e.id === latest.eventId)).toHaveLength(1); // the receiver deduplicated it
      expect((await t.api('POST', `/v1/webhook-subscriptions/${subscription.id}/deliveries/evt_nope/redeliver`)).status).toBe(404);

      const metrics = await (await fetch(`${t.system.apiUrl}/metrics`)).text();
      expect(metrics).toMatch(/jobrelay_webhook_deliveries_total\{event_type="posting.live",result="delivered"\} \d+/);
      expect(metrics).toMatch(/jobrelay_webhook_deliveries_total\{event_type="posting.live",result="retrying"\} \d+/);
    });

    it('shows operators what each workflow is about (summary, details, current details, memo) without personal data', async () => {
      const posting = await postLiveJob(t, { title: 'Payroll Team Lead' });
      const id = applicationId('ops');
      await applyOnBoard(t, posting, { id, first_name: 'Oliver', last_name: 'Walsh', cv: false });
      await intakeOutcome(t, id);
      const views = async (workflowId: string) => {
        const handle = t.system.client.workflow.getHandle(workflowId);
        const described = await handle.describe();
        return {
          summary: await described.staticSummary(),
          details: await described.staticDetails(),
          memo: described.memo,
          status: described.status.name,
          current:
            described.status.name === 'RUNNING'
              ? (await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails
              : undefined,
        };
      };
      const postingView = await views(posting.workflowId);
      expect(postingView.summary).toBe('Payroll Team Lead → cv-library');
      expect(postingView.details).toContain(posting.id);
      expect(postingView.current).toMatch(/^Payroll Team Lead → cv-library, live until \d+ \w{3} \d{4}$/);
      expect(postingView.memo).toEqual({ summary: postingView.current });

      const intakeView = await views(`application:cv-library:${id}`);
      expect(intakeView.summary).toBe(`cv-library application → job ${posting.jobId}`);
      expect(intakeView.details).toContain(id);

      const deliveryView = await views(subscription.workflowId);
      expect(deliveryView.summary).toBe(`Webhooks → ${new URL(hooks.url).origin} (${ALL_TYPES.join(', ')})`);
      expect(deliveryView.current).toMatch(/^delivering · \d+ delivered by this run · \d+ waiting$/);
      expect(deliveryView.memo).toEqual({ summary: deliveryView.summary, subscriber: 'answering' });

      const connector = (await t.api('GET', '/v1/connectors')).body.items[0];
      const syncView = await views(connector.workflowId);
      expect(syncView.summary).toBe('lever connector “Acme Lever”');
      expect(syncView.current).toMatch(/^active · jobs: last run .+ \(\d+ created, \d+ updated\), next .+ · candidates: /);
      expect(syncView.memo).toEqual({ summary: syncView.summary, state: 'active' });

      const dispatchId = dispatchWorkflowId(t.deps.config.temporal.taskQueue);
      const dispatchView = await views(dispatchId);
      expect(dispatchView.summary).toBe('Event dispatch: wakes webhook deliveries as events are raised');
      expect(dispatchView.memo).toEqual({ summary: dispatchView.summary });
      // The dispatcher is never idle (its activity long-polls the outbox): recorded as it waits in that activity.
      if (store === 'PGlite') await recordHistory('event-dispatch', t.system.client.workflow.getHandle(dispatchId));

      const everything = JSON.stringify([postingView, intakeView, deliveryView, syncView, dispatchView]);
      for (const personal of ['Oliver', 'Walsh', 'Priya', '@']) expect(everything).not.toContain(personal);
    });

    it('a subscriber that never answers delays neither another subscriber nor the posting that raised the event', async () => {
      // Takes each delivery and holds it open without an answer, counting those the sender gave up on (its timeout).
      const held: http.ServerResponse[] = [];
      let givenUp = 0;
      const stuck = http.createServer((_req, res) => {
        held.push(res);
        res.on('close', () => givenUp++);
      });
      await new Promise<void>((resolve) => stuck.listen(0, '127.0.0.1', resolve));
      const stuckUrl = `http://127.0.0.1:${(stuck.address() as { port: number }).port}/hooks`;
      const created = await t.api('POST', '/v1/webhook-subscriptions', { url: stuckUrl, eventTypes: ['posting.live'] });
      expect(created.status).toBe(201);
      try {
        const posting = await postLiveJob(t);
        await waitFor(
          async () => held.length,
          (n) => n > 0,
          30_000,
          'the stuck subscriber to be sent posting.live',
        );
        // While that delivery hangs, the other subscriber has its posting.live (and the posting is live).
        await untilHandled(
          hooks,
          'posting.live at the answering subscriber',
          (e) => e.type === 'posting.live' && e.data.postingId === posting.id,
        );
        expect(givenUp).toBe(0);
        expect((await t.api('GET', `/v1/postings/${posting.id}`)).body.state).toBe('live');
      } finally {
        expect((await t.api('DELETE', `/v1/webhook-subscriptions/${created.body.id}`)).status).toBe(200);
        stuck.closeAllConnections();
        await new Promise<void>((resolve) => stuck.close(() => resolve()));
      }
    });

    it('deleting a subscription stops its deliveries', async () => {
      const gone = await startSubscriber();
      const goneSubscription = await subscribe(t, gone, ['posting.live']);
      const first = await postLiveJob(t);
      await untilHandled(gone, 'the first posting.live', (e) => e.data.postingId === first.id);

      const deleted = await t.api('DELETE', `/v1/webhook-subscriptions/${goneSubscription.id}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body.deletedAt).toEqual(expect.any(String));
      expect((await t.api('GET', `/v1/webhook-subscriptions/${goneSubscription.id}`)).status).toBe(404);
      const second = await postLiveJob(t);
      await untilHandled(hooks, 'the second posting.live at the subscription still there', (e) => e.data.postingId === second.id);
      await new Promise((r) => setTimeout(r, 1500));
      expect(gone.handled.map((e) => e.data.postingId)).toEqual([first.id]);
      const rows = await t.deps.store.db
        .selectFrom('webhook_deliveries')
        .select('state')
        .where('subscription_id', '=', goneSubscription.id)
        .execute();
      expect(rows.map((r) => r.state)).toEqual(['delivered']);
      await waitFor(
        async () => (await t.system.client.workflow.getHandle(goneSubscription.workflowId).describe()).status.name,
        (s) => s === 'COMPLETED',
        30_000,
        'the delivery workflow to end',
      );
      await gone.down();
    });
  },
);
