import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { paddedPdf, tinyPdf } from '../../src/providers/cv-library/sandbox-direct-apply';
import { setUpCvLibrary } from '../fixtures/cv-library';
import {
  aDelivery,
  applicationId,
  deliver,
  intakeOutcome,
  type LivePosting,
  postLiveJob,
  startAnotherWorker,
  stopWorker,
} from '../fixtures/direct-apply';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, TEST_TOKEN, type TestSystem } from '../helpers/system';

const CV_BYTES = 200 * 1024;

/** An application with a PDF CV of `bytes` as DirectApply sends it (base64), and the sha256 of the CV's bytes. */
function withCv(application: { id: string; email: string; last_name: string }, bytes = CV_BYTES) {
  const content = paddedPdf(`${application.last_name} ${application.id}`, bytes);
  return { ...application, cv: { filename: `${application.last_name}.pdf`, content_type: 'application/pdf', content } };
}
const sha256Of = (base64: string) => createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex');

describeEachStore('a DirectApply CV is written once: staged as a document of no one, taken in by the intake', (store) => {
  let t: TestSystem;
  let posting: LivePosting;
  /** The worker started in place of the system's once that was stopped. */
  let replacement: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    t = await startTestSystem({}, { store });
    await setUpCvLibrary(t);
    posting = await postLiveJob(t); // quick apply: a CV we cannot take is left out, the application kept
  });
  afterAll(async () => {
    await replacement?.stop();
    await t?.stop();
  });

  /** Runs `staged` while no worker takes deliveries in (they stay as the webhook left them), then starts a worker again. */
  async function whileNoIntake<T>(staged: () => Promise<T>): Promise<T> {
    if (replacement) await replacement.stop();
    else await stopWorker(t);
    replacement = undefined;
    try {
      return await staged();
    } finally {
      replacement = await startAnotherWorker(t);
    }
  }

  const whereHeld = (sha256: string) => whereHeldIn(t.deps.store.db, sha256);

  const ref = (id: string) => ({ provider: 'cv-library', applicationId: id });
  const shaOfCv = (application: { cv: { content: string } }) => sha256Of(application.cv.content);
  const deliverTo = (p: LivePosting, application: Record<string, unknown>) =>
    deliver(p.directApplyUrl, aDelivery(application)).then((answer) => expect(answer.status).toBe(200));

  if (store === 'PGlite')
    // PGlite's WAL is this store's alone (a PostgreSQL server's is shared with every other test's database).
    it('writes a CV’s bytes to the write-ahead log once, not a second time when the intake takes it in', async () => {
      const lsn = async () => (await sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(t.deps.store.db)).rows[0].lsn;
      const walSince = async (from: string) =>
        (
          await sql<{ bytes: number }>`select pg_wal_lsn_diff(pg_current_wal_lsn(), ${from}::pg_lsn)::float8 as bytes`.execute(
            t.deps.store.db,
          )
        ).rows[0].bytes;
      const application = withCv({ id: applicationId('wal'), email: 'wally.wal@example.com', last_name: 'Wal' }, 1024 * 1024);
      const from = await lsn();
      await deliverTo(posting, application);
      expect(await intakeOutcome(t, application.id)).toMatchObject({ outcome: 'recorded', documentId: expect.any(String) });
      // The 1 MiB CV once, plus the rows around it (delivery, candidate, application, event): far from twice the CV.
      expect(await walSince(from)).toBeLessThan(1.3 * 1024 * 1024);
    });

  it('holds a delivered CV once, as a document of no one, which the intake makes the candidate’s', async () => {
    const taken = withCv({ id: applicationId('once'), email: 'ada.once@example.com', last_name: 'Once' });
    const staged = await whileNoIntake(async () => {
      // Delivered twice at once, as a board retrying over a slow answer does.
      await Promise.all([deliverTo(posting, taken), deliverTo(posting, taken)]);

      // Answered 200 = staged: the bytes are in the store once, as a document nobody holds yet, none in the staging table.
      const held = await whereHeld(shaOfCv(taken));
      expect(held).toEqual({ documents: [{ id: expect.any(String), candidate_id: null }], stagedBytes: 0 });
      expect((await t.deps.store.intake.get(ref(taken.id)))?.cv).toMatchObject({ documentId: held.documents[0].id });
      // Not shown by the API until it is someone's.
      const hidden = await fetch(`${t.system.apiUrl}/v1/documents/${held.documents[0].id}`, {
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
      });
      expect(hidden.status).toBe(404);
      return held;
    });

    const outcome = await intakeOutcome(t, taken.id);
    expect(outcome).toMatchObject({ outcome: 'recorded', documentId: staged.documents[0].id });
    expect(await whereHeld(shaOfCv(taken))).toEqual({
      documents: [{ id: staged.documents[0].id, candidate_id: outcome.candidateId }],
      stagedBytes: 0,
    });
    const download = await fetch(`${t.system.apiUrl}/v1/documents/${outcome.documentId}`, {
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
    });
    expect(sha256Of(Buffer.from(await download.arrayBuffer()).toString('base64'))).toBe(shaOfCv(taken));
  });

  it('keeps no bytes of a CV that is not a document we take, staged or after the intake', async () => {
    const refused = {
      id: applicationId('refused'),
      email: 'rex.refused@example.com',
      last_name: 'Refused',
      cv: {
        filename: 'cv.docx',
        content_type: 'application/msword',
        content: Buffer.from('PK\x03\x04not a document', 'latin1').toString('base64'),
      },
    };
    await whileNoIntake(async () => {
      await deliverTo(posting, refused);
      // Described on the delivery (the intake records why it was left out), its bytes not kept anywhere.
      expect(await whereHeld(shaOfCv(refused))).toEqual({ documents: [], stagedBytes: 0 });
      expect((await t.deps.store.intake.get(ref(refused.id)))?.cv).toMatchObject({ filename: 'cv.docx', verdict: { kind: 'refused' } });
    });
    expect(await intakeOutcome(t, refused.id)).toMatchObject({ outcome: 'recorded', cvNote: expect.stringContaining('not a PDF') });
    expect(await whereHeld(shaOfCv(refused))).toEqual({ documents: [], stagedBytes: 0 });
  });

  it('keeps the copy a candidate already holds when they send the same file again, and drops the staged one', async () => {
    const other = await postLiveJob(t);
    const first = withCv({ id: applicationId('same-a'), email: 'sam.same@example.com', last_name: 'Same' });
    const second = { ...first, id: applicationId('same-b') };
    await deliverTo(posting, first);
    const taken = await intakeOutcome(t, first.id);
    await deliverTo(other, second);
    const again = await intakeOutcome(t, second.id);

    expect(again).toMatchObject({ outcome: 'recorded', candidateId: taken.candidateId, documentId: taken.documentId });
    expect(await whereHeld(shaOfCv(first))).toEqual({
      documents: [{ id: taken.documentId, candidate_id: taken.candidateId }],
      stagedBytes: 0,
    });
    const applications = (await t.api('GET', `/v1/applications?candidateId=${taken.candidateId}`)).body.items as Array<Record<string, any>>;
    expect(applications.map((a) => a.documents.map((d: { id: string }) => d.id))).toEqual([[taken.documentId], [taken.documentId]]);
  });

  it('erases a person’s CV still waiting for its intake with them, and drops the CV of one erased who applies again', async () => {
    // Waiting: their delivery is staged, no worker has taken it in, and they ask to be erased by their email.
    const waiting = withCv({ id: applicationId('erase-waiting'), email: 'wanda.waiting@example.com', last_name: 'Waiting' });
    await whileNoIntake(async () => {
      await deliverTo(posting, waiting);
      expect(await whereHeld(shaOfCv(waiting))).not.toEqual({ documents: [], stagedBytes: 0 });
      expect((await t.api('POST', '/v1/privacy/subjects/erase', { email: waiting.email })).status).toBe(200);
      expect(await whereHeld(shaOfCv(waiting))).toEqual({ documents: [], stagedBytes: 0 });
    });
    expect(await intakeOutcome(t, waiting.id)).toEqual({ outcome: 'skipped', reason: 'erased' });
    expect(await whereHeld(shaOfCv(waiting))).toEqual({ documents: [], stagedBytes: 0 });

    // Taken in, erased, then applying again with a new CV: the erasure sticks, and the new CV is not kept either.
    const person = { email: 'eric.again@example.com', last_name: 'Again' };
    const first = withCv({ ...person, id: applicationId('erase-first') });
    await deliverTo(posting, first);
    const taken = await intakeOutcome(t, first.id);
    expect((await t.api('DELETE', `/v1/candidates/${taken.candidateId}`)).status).toBe(200);
    expect(await whereHeld(shaOfCv(first))).toEqual({ documents: [], stagedBytes: 0 });
    const again = withCv({ ...person, id: applicationId('erase-again') });
    await deliverTo(posting, again);
    expect(await intakeOutcome(t, again.id)).toEqual({ outcome: 'skipped', reason: 'erased' });
    expect(await whereHeld(shaOfCv(again))).toEqual({ documents: [], stagedBytes: 0 });
  });
});

/** Deliveries staged by a version before migration 110 hold their CV's bytes in the staging table. */
describeEachStore('a DirectApply delivery staged by an older version (CV bytes in the staging table)', (store) => {
  let t: TestSystem;
  afterAll(() => t?.stop());

  it('is taken in once upgraded, its CV moved once into documents', async () => {
    t = await startTestSystem({}, { store });
    await setUpCvLibrary(t);
    const posting = await postLiveJob(t);
    const { up } = await import('../../src/store/migrations/110_cv_staged_as_document');
    await asBefore110(t);
    // As the older version staged it (before it kept the webhook's verdict too), and as migration 110 then finds it.
    const { id, sha256, fields, staged } = stagedByOlderVersion(posting, 'older', 'Olive Older');
    await t.deps.store.db.insertInto('intake_deliveries').values(staged).execute();
    await up(t.deps.store.db as never);

    // The board delivers it again (its first answer lost): staging changes nothing, the intake starts.
    expect((await deliver(posting.directApplyUrl, fields)).status).toBe(200);
    const outcome = await intakeOutcome(t, id);
    expect(outcome).toMatchObject({ outcome: 'recorded', documentId: expect.any(String) });
    const held = await t.deps.store.db
      .selectFrom('documents')
      .select(['id', 'candidate_id', 'content_type'])
      .where('sha256', '=', sha256)
      .execute();
    expect(held).toEqual([{ id: outcome.documentId, candidate_id: outcome.candidateId, content_type: 'application/pdf' }]);
    const row = await t.deps.store.db
      .selectFrom('intake_deliveries')
      .select(['cv_content', 'cv_document_id', 'state'])
      .where('external_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ cv_content: null, cv_document_id: null, state: 'processed' });
  });
});

/** A process of the version before 110 still running beside this one (a rolling upgrade on PostgreSQL) stages bytes in the row. */
describeEachStore('a DirectApply delivery staged by an older process after the upgrade', (store) => {
  let t: TestSystem;
  afterAll(() => t?.stop());

  it('has its CV moved into a document as it is staged, and taken in with it', async () => {
    t = await startTestSystem({}, { store });
    await setUpCvLibrary(t);
    const posting = await postLiveJob(t);
    const { id, sha256, fields, staged } = stagedByOlderVersion(posting, 'rolling', 'Rolf Rolling');
    // The older process's insert, twice (the board's repeat): the bytes move once, into one document of no one.
    await t.deps.store.db.insertInto('intake_deliveries').values(staged).execute();
    await t.deps.store.db
      .insertInto('intake_deliveries')
      .values(staged)
      .onConflict((oc) => oc.doNothing())
      .execute();
    const row = await t.deps.store.db
      .selectFrom('intake_deliveries')
      .select(['cv_content', 'cv_document_id'])
      .where('external_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.cv_content).toBeNull();
    expect(await whereHeldIn(t.deps.store.db, sha256)).toEqual({
      documents: [{ id: row.cv_document_id, candidate_id: null }],
      stagedBytes: 0,
    });

    expect((await deliver(posting.directApplyUrl, fields)).status).toBe(200);
    const outcome = await intakeOutcome(t, id);
    expect(outcome).toMatchObject({ outcome: 'recorded', documentId: row.cv_document_id });
    expect(await whereHeldIn(t.deps.store.db, sha256)).toEqual({
      documents: [{ id: row.cv_document_id, candidate_id: outcome.candidateId }],
      stagedBytes: 0,
    });
  });
});

/** A delivery as a version before migration 110 staged it: the CV's bytes in the row (and no verdict yet). */
function stagedByOlderVersion(posting: LivePosting, key: string, name: string) {
  const id = applicationId(key);
  const pdf = Buffer.from(tinyPdf(name), 'base64');
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  const [first, last] = name.split(' ');
  const fields = aDelivery({ id, email: `${first}.${last}@example.com`.toLowerCase(), last_name: last });
  const staged = {
    provider: 'cv-library',
    external_id: id,
    posting_id: posting.id,
    job_id: posting.jobId,
    payload: JSON.stringify(fields),
    cv_required: false,
    late: false,
    cv_filename: `${first}-${last}-CV.pdf`,
    cv_content_type: 'application/octet-stream',
    cv_sha256: sha256,
    cv_content: pdf,
  };
  return { id, sha256, fields, staged };
}

/** The staging table as it was before migration 110 (which the test then runs on it): bytes in the row, no pointer. */
async function asBefore110(t: TestSystem) {
  const db = t.deps.store.db;
  await sql`drop trigger intake_deliveries_cv_as_document on intake_deliveries`.execute(db);
  await sql`drop function intake_delivery_cv_as_document()`.execute(db);
  await sql`alter table intake_deliveries drop column cv_document_id`.execute(db);
  await sql`drop trigger documents_refuse_erased_update on documents`.execute(db);
}

/** Where a CV's bytes are held: the documents with its hash, and the bytes still in the staging table (older versions kept them there). */
async function whereHeldIn(db: TestSystem['deps']['store']['db'], sha256: string) {
  const documents = await db
    .selectFrom('documents')
    .select(['id', 'candidate_id'])
    .where('sha256', '=', sha256)
    .orderBy('created_at')
    .execute();
  const staged = await sql<{ bytes: number }>`select coalesce(sum(octet_length(cv_content)), 0)::int as bytes
      from intake_deliveries where cv_sha256 = ${sha256}`.execute(db);
  return { documents, stagedBytes: staged.rows[0].bytes };
}
