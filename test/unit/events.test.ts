import type { Posting } from '../../src/domain/posting';
import { applicationCreated, candidatesChanged, postingEvent, syncCompleted } from '../../src/events/catalog';
import { DeliveryPacer, ROUND_SIZE, type Round, retryDelayMs } from '../../src/events/pacer';
import { signatureHeader } from '../../src/events/signature';
import { readmeReceiver } from '../fixtures/webhooks';

const round = (r: Partial<Round> = {}): Round => ({
  gone: false,
  attempted: 0,
  delivered: 0,
  failedSubjects: 0,
  full: false,
  waiting: 0,
  ...r,
});

describe('the delivery pacer', () => {
  it('backs a failed delivery off 5 s, then ×3 each time, at most an hour', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => retryDelayMs(n) / 1000)).toEqual([5, 15, 45, 135, 405, 1215, 3600, 3600, 3600]);
  });

  it('runs rounds back to back while deliveries are due, waits for the next one backing off, and idles until woken', () => {
    const pacer = new DeliveryPacer();
    expect(pacer.nextRound()).toEqual({ limit: ROUND_SIZE, probe: false });
    const full = round({ attempted: 100, delivered: 100, full: true, waiting: 40 });
    pacer.record(full, 0);
    expect(pacer.msUntilNextRound(full, 0)).toBe(0);
    const backingOff = round({ attempted: 3, delivered: 2, failedSubjects: 1, waiting: 1, nextDueAt: 5_000 });
    pacer.record(backingOff, 1_000);
    expect(pacer.down).toBe(false); // one subject failing holds up only itself
    expect(pacer.msUntilNextRound(backingOff, 1_000)).toBe(4_000);
    const quiet = round();
    pacer.nextRound();
    pacer.record(quiet, 2_000);
    expect(pacer.msUntilNextRound(quiet, 2_000)).toBeUndefined();
    pacer.wake();
    expect(pacer.interrupted).toBe(true);
    expect(pacer.msUntilNextRound(quiet, 2_000)).toBe(0);
  });

  it('takes a subscriber failing on several subjects as down: probes it with one delivery, backing off, until one goes through', () => {
    const pacer = new DeliveryPacer();
    const outage = round({ attempted: 12, failedSubjects: 12, waiting: 30, nextDueAt: 5_000 });
    pacer.record(outage, 0);
    expect(pacer.down).toBe(true);
    expect(pacer.nextRound()).toEqual({ limit: 1, probe: true });
    expect(pacer.msUntilNextRound(outage, 0)).toBe(5_000);
    pacer.wake(); // new events do not hurry a probe…
    expect(pacer.interrupted).toBe(false);
    const failedProbe = round({ attempted: 1, failedSubjects: 1, waiting: 31 });
    pacer.nextRound();
    pacer.record(failedProbe, 5_000);
    expect(pacer.msUntilNextRound(failedProbe, 5_000)).toBe(15_000);
    pacer.urge(); // …an operator's redelivery does
    expect(pacer.interrupted).toBe(true);
    pacer.nextRound();
    const through = round({ attempted: 1, delivered: 1, waiting: 30 });
    pacer.record(through, 6_000);
    expect(pacer.down).toBe(false);
    expect(pacer.msUntilNextRound(through, 6_000)).toBe(0);
    expect(new DeliveryPacer(pacer.snapshot()).nextRound()).toEqual({ limit: ROUND_SIZE, probe: false });
  });

  it('ends the probing when nothing is left to deliver', () => {
    const pacer = new DeliveryPacer({ down: true, failedProbes: 3, probeAt: 10 });
    pacer.record(round({ waiting: 0 }), 20);
    expect(pacer.down).toBe(false);
  });
});

describe('the event catalog', () => {
  const posting: Posting = {
    id: 'post_1',
    jobId: 'job_1',
    board: 'cv-library',
    account: 'priya.shah@example.com',
    workflowId: 'posting:cv-library:job_1',
    state: 'live',
    options: { autoRepost: false, quickApply: true },
    externalId: '555',
    publicUrl: 'https://www.cv-library.co.uk/job/555',
    postedAt: '2026-11-26T10:00:00.000Z',
    expiresAt: '2026-12-24T10:00:00.000Z',
    repostCount: 2,
    lastError: 'CV-Library answered 422: poster priya.shah@example.com unknown',
    createdAt: '2026-11-26T10:00:00.000Z',
    updatedAt: '2026-11-26T10:00:00.000Z',
  };

  it('raises one event per posting transition a subscriber cares for, keyed on the cycle, with neither account nor error text', () => {
    const live = postingEvent(posting, 'reposted', 'Payroll Administrator');
    expect(live).toMatchObject({ key: 'posting.live:post_1:2', type: 'posting.live', subject: 'posting:post_1', data: { reposted: true } });
    expect(postingEvent(posting, 'posted', undefined)?.key).toBe(live?.key); // a retried transition is the same event
    expect(postingEvent(posting, 'amended', 'x')).toBeUndefined();
    expect(postingEvent(posting, 'error', 'x')).toBeUndefined();
    const failed = postingEvent({ ...posting, state: 'failed' }, 'failed', 'Payroll Administrator');
    expect(failed?.type).toBe('posting.failed');
    expect(JSON.stringify([live, failed])).not.toMatch(/priya|422/);
  });

  it('raises application.created only for a recorded application, keyed on the board’s application id', () => {
    const ref = { provider: 'cv-library', applicationId: 'A-1' };
    const delivery = { postingId: 'post_1', jobId: 'job_1' };
    expect(applicationCreated(ref, { outcome: 'rejected', reason: 'no CV' }, delivery)).toBeUndefined();
    expect(applicationCreated(ref, { outcome: 'recorded', applicationId: 'app_1', candidateId: 'cand_1', late: true }, delivery)).toEqual({
      key: 'application.created:cv-library:A-1',
      type: 'application.created',
      subject: 'application:app_1',
      data: {
        applicationId: 'app_1',
        candidateId: 'cand_1',
        jobId: 'job_1',
        postingId: 'post_1',
        provider: 'cv-library',
        externalId: 'A-1',
        late: true,
      },
    });
  });

  it('batches a page’s people: an event per kind that happened, keyed on the ids, so a page retried after a partial write announces only the rest', () => {
    const scope = { connectorId: 'con_1', provider: 'lever', stream: 'candidates', runUntil: 1000, page: 'p2' };
    const first = candidatesChanged(scope, { created: ['c2', 'c1'], updated: [] });
    expect(first).toEqual([
      expect.objectContaining({
        type: 'candidate.created',
        subject: 'connector:con_1',
        data: expect.objectContaining({ candidateIds: ['c2', 'c1'] }),
      }),
    ]);
    expect(candidatesChanged(scope, { created: ['c1', 'c2'], updated: [] })[0].key).toBe(first[0].key);
    expect(candidatesChanged(scope, { created: ['c3'], updated: ['c1'] }).map((e) => e.type)).toEqual([
      'candidate.created',
      'candidate.updated',
    ]);
    expect(candidatesChanged(scope, { created: ['c3'], updated: [] })[0].key).not.toBe(first[0].key);
    expect(candidatesChanged(scope, { created: [], updated: [] })).toEqual([]);
  });

  it('keys a stream run’s sync.completed on its start', () => {
    const run = {
      intervalMinutes: 15,
      running: false,
      mode: 'sweep' as const,
      lastStartedAt: '2026-11-26T10:00:00.000Z',
      lastFinishedAt: '2026-11-26T10:01:00.000Z',
      created: 1,
      updated: 2,
      unchanged: 3,
      skipped: 4,
      deleted: 5,
      repaired: 6,
      skippedReasons: { 'no location': 4 },
      notes: {},
      pages: 2,
      requests: 3,
      queued: [],
      totals: { created: 1, updated: 2, runs: 1 },
    };
    expect(syncCompleted({ connectorId: 'con_1', provider: 'lever' }, 'jobs', run)).toMatchObject({
      key: 'sync.completed:con_1:jobs:2026-11-26T10:00:00.000Z',
      data: { mode: 'sweep', counts: { created: 1, updated: 2, unchanged: 3, skipped: 4, deleted: 5, repaired: 6 }, pages: 2, requests: 3 },
    });
  });
});

describe('signatures', () => {
  it('signs t.body with each secret; the README example verifies with any one of them', () => {
    const body = '{"id":"evt_1"}';
    const now = 1_795_000_000_000;
    const header = signatureHeader(body, ['whsec_new', 'whsec_old'], now);
    expect(header).toMatch(/^t=1795000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(readmeReceiver.verifySignature(body, header, ['whsec_old'], now)).toBe(true);
    expect(readmeReceiver.verifySignature(body, header, ['whsec_new'], now)).toBe(true);
    expect(readmeReceiver.verifySignature(body, header, ['whsec_other'], now)).toBe(false);
    expect(readmeReceiver.verifySignature(body, undefined, ['whsec_new'], now)).toBe(false);
    expect(readmeReceiver.verifySignature(body, 'v1=abc', ['whsec_new'], now)).toBe(false);
  });
});
