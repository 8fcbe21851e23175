import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { setUpCvLibrary } from '../fixtures/cv-library';
import { aDelivery, applicationId, deliver, intakeOutcome, type LivePosting, postLiveJob } from '../fixtures/direct-apply';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

// The worker's own logger (the Temporal runtime: activity and workflow failures) writes through ours, as `npm start`
// and `npm run worker` install it; test/helpers/setup-file.ts installs it so and keeps its lines.
const runtimeLines = (globalThis as Record<string, unknown>).__JOBRELAY_RUNTIME_LOG_LINES__ as string[];

describeEachStore('accepted means recorded, and personal data stays out of logs', (store) => {
  let t: TestSystem;
  let posting: LivePosting;

  beforeAll(async () => {
    t = await startTestSystem({}, { store });
    await setUpCvLibrary(t);
    posting = await postLiveJob(t);
  });
  afterAll(() => t?.stop());

  const staged = async () => t.deps.store.intake.counts();

  it('refuses a delivery with an oversized or control-character field before staging anything (400)', async () => {
    const before = await staged();
    for (const field of [
      { first_name: 'x'.repeat(1024 * 1024) },
      { email: `${'a'.repeat(300)}@example.com` },
      { last_name: 'Wal\u0000sh' },
      { applied_at: '-271821-04-20T00:00:00Z' },
    ]) {
      const res = await deliver(posting.directApplyUrl, aDelivery(field));
      expect([Object.keys(field)[0], res.status]).toEqual([Object.keys(field)[0], 400]);
    }
    expect(await staged()).toEqual(before);
    // A delivery that only omits optional fields is still taken.
    const { email: _email, ...withoutEmail } = aDelivery();
    expect((await deliver(posting.directApplyUrl, withoutEmail)).status).toBe(200);
  });

  it('an application the store refuses fails for good: kept, visible, logged without the person’s email or phone, and replayed', async () => {
    const id = applicationId('refused');
    const email = `amelia.khan+${randomBytes(6).toString('hex')}@example.com`;
    const phone = '07700 900 461';
    // A rule of the database refuses this person's row (as a constraint would): the write fails with their email
    // and phone among its parameters, which the driver attaches to its error.
    await sql`create function refuse_amelia() returns trigger language plpgsql as $$
      begin
        if new.email like 'amelia.khan+%' then raise exception 'candidate refused by a rule of the store' using errcode = 'check_violation'; end if;
        return new;
      end $$`.execute(t.deps.store.db);
    await sql`create trigger refuse_amelia before insert on candidates for each row execute function refuse_amelia()`.execute(
      t.deps.store.db,
    );

    const delivered = await deliver(posting.directApplyUrl, aDelivery({ id, email, phone, first_name: 'Amelia', last_name: 'Khan' }));
    expect(delivered.status).toBe(200);
    const handle = t.system.client.workflow.getHandle(`application:cv-library:${id}`);
    const failure = await intakeOutcome(t, id).catch((err: { cause?: Error }) => err.cause);
    expect(failure?.message).toMatch(/application not taken in: the store refused the application/);
    const failed = await t.deps.store.intake.get({ provider: 'cv-library', applicationId: id });
    expect(failed).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/the store refused the application: candidate refused/),
    });
    // Not retried: the refusal is final, so the run ends at once instead of retrying for ever.
    const { events } = await handle.fetchHistory();
    expect(events?.length).toBeLessThan(30);

    const listed = await t.api('GET', '/v1/intake/deliveries?state=failed');
    expect(listed.body.items).toContainEqual(expect.objectContaining({ applicationId: id, state: 'failed', reason: failed?.reason }));
    expect(JSON.stringify(listed.body)).not.toContain(email);
    const metrics = await (await fetch(`${t.system.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/jobrelay_applications_total\{provider="cv-library",outcome="failed"\} [1-9]/);

    // Every log: the API's and worker's pino lines and the Temporal runtime's.
    const logs = [...t.logLines, ...runtimeLines].join('\n');
    expect(logs).toMatch(/candidate refused by a rule of the store/);
    for (const personal of [email, phone, phone.replace(/\s/g, ''), '07700900461']) expect(logs).not.toContain(personal);

    // The operator removes the cause and replays the application: it is taken in.
    await sql`drop trigger refuse_amelia on candidates`.execute(t.deps.store.db);
    const replayed = await t.api('POST', `/v1/intake/deliveries/cv-library/${id}/replay`);
    expect(replayed.status).toBe(202);
    const outcome = await waitFor(
      () => t.deps.store.intake.get({ provider: 'cv-library', applicationId: id }),
      (d) => d?.state === 'processed',
      60_000,
      'the replayed delivery processed',
    );
    expect(outcome?.applicationId).toEqual(expect.any(String));
    expect((await t.api('POST', `/v1/intake/deliveries/cv-library/${id}/replay`)).status).toBe(409);
  });
});
