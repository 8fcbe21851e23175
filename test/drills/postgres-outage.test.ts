import { freePort } from '../../src/net';
import { setUpCvLibrary } from '../fixtures/cv-library';
import { aDelivery, applicationId, deliver, type LivePosting, postLiveJob } from '../fixtures/direct-apply';
import { backfillThroughFault } from '../fixtures/lever-drill';
import { findPostgresBin, startPostgres, type TestPostgres } from '../helpers/postgres';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

if (!findPostgresBin() && process.env.CI) throw new Error('CI must run the PostgreSQL drill: PostgreSQL binaries not found');
const describeWithPostgres = findPostgresBin() ? describe : describe.skip;

const APPLICATIONS = 90;
const PER_SECOND = 3;
const OUTAGE_MS = 30_000;
const OPPORTUNITIES = 200;
const PAGE_SIZE = 25;

/**
 * Fault drills: PostgreSQL (a server of this test's own) is down for 30 s in the middle of a steady stream of
 * DirectApply deliveries, and in the middle of a Lever backfill. The webhook must never answer 200 for an
 * application it did not stage (it answers 503 and the board delivers again); intakes and sync pages caught mid-way
 * ride the outage out on their retries. Afterwards every application and every synced record is stored exactly once.
 */
describeWithPostgres('drill: PostgreSQL down for 30 s during intake and during a Lever backfill', () => {
  let postgres: TestPostgres;
  let t: TestSystem;
  let posting: LivePosting;

  beforeAll(async () => {
    postgres = await startPostgres(await freePort());
    t = await startTestSystem({ DATABASE_URL: postgres.url });
    await setUpCvLibrary(t);
    posting = await postLiveJob(t);
  });
  afterAll(async () => {
    await t?.stop();
    await postgres?.stop();
  });

  it('answers 503 while the database is down and stores every application once when it is back', async () => {
    const ids = Array.from({ length: APPLICATIONS }, (_, i) => applicationId(`pg${i}`));
    const answers = new Map<string, number[]>();
    let down = false;
    const answeredWhileDown: number[] = [];

    // The board: each application on schedule, then again every second until it is answered 200.
    const board = ids.map(async (id, i) => {
      await new Promise((r) => setTimeout(r, (i * 1000) / PER_SECOND));
      const body = aDelivery({ id, email: `${id}@example.com`, direct_apply_jobid: posting.externalId });
      for (;;) {
        const sentWhileDown = down;
        const { status } = await deliver(posting.directApplyUrl, body, {}, 10_000).catch(() => ({ status: 0 }));
        answers.set(id, [...(answers.get(id) ?? []), status]);
        // Sent and answered with the database down (one sent just before may have been staged in time).
        if (sentWhileDown && down) answeredWhileDown.push(status);
        if (status === 200) return;
        await new Promise((r) => setTimeout(r, 1000));
      }
    });

    await new Promise((r) => setTimeout(r, 5_000));
    await postgres.halt();
    down = true;
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    down = false;
    await postgres.resume();
    await Promise.all(board);

    expect(answeredWhileDown.length).toBeGreaterThan(0);
    expect(answeredWhileDown.filter((s) => s === 200)).toEqual([]); // nothing acknowledged that was not staged
    for (const statuses of answers.values()) expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);

    const stored = await waitFor(
      () =>
        t.deps.store.db
          .selectFrom('applications')
          .select('external_id')
          .where('job_id', '=', posting.jobId)
          .execute()
          .catch(() => []),
      (rows) => rows.length >= APPLICATIONS,
      180_000,
      `${APPLICATIONS} applications`,
    );
    expect(stored.map((r) => r.external_id).sort()).toEqual([...ids].sort());
    // Each intake finishes by marking its delivery processed, just after its application is written.
    await waitFor(
      () => t.deps.store.intake.counts(),
      (counts) => counts.processed === APPLICATIONS,
      60_000,
      'every delivery processed',
    );
    expect(await t.deps.store.intake.counts()).toEqual({ processed: APPLICATIONS });
  });

  it(`finishes a Lever backfill (${OPPORTUNITIES} opportunities) cut by the outage, every record once`, async () => {
    // The page's writes fail until the database is back, and the page is retried until it is whole.
    const backfill = await backfillThroughFault(t, { opportunities: OPPORTUNITIES, pageSize: PAGE_SIZE, seed: 717 }, async () => {
      await postgres.halt();
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      await postgres.resume();
    });
    await backfill.expectBackfilledOnce(180_000);
    // The interrupted page was asked for again (by the activity's retry), not skipped.
    expect(backfill.progress.listings).toBeGreaterThan(OPPORTUNITIES / PAGE_SIZE);
  }, 300_000);
});
