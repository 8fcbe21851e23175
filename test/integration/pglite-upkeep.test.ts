import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { paddedPdf } from '../../src/providers/cv-library/sandbox-direct-apply';
import { setUpCvLibrary } from '../fixtures/cv-library';
import { aDelivery, applicationId, deliver, type LivePosting, postLiveJob } from '../fixtures/direct-apply';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

const CV_BYTES = 100 * 1024;
const APPLICATIONS = 30;

// PGlite only: it runs no autovacuum, so the store does its upkeep itself. PostgreSQL's own autovacuum does this there,
// on its own schedule, which a test cannot wait for.
describe('embedded PGlite store upkeep', () => {
  let t: TestSystem;
  let posting: LivePosting;

  beforeAll(async () => {
    // A vacuum waits for a second without writes, or for ten times this many rows when none comes: here every 20 rows
    // (about two applications; the next is delivered as soon as one is taken in) instead of every 20,000.
    t = await startTestSystem({ PGLITE_VACUUM_AFTER_ROWS: '2' });
    await setUpCvLibrary(t);
    posting = await postLiveJob(t);
  });
  afterAll(() => t?.stop());

  it('uses the space of every staged CV dropped again, keeps no CV bytes in the staging table, and keeps the CVs taken in whole', async () => {
    // Each person applies twice with the same CV: the intake keeps the copy they hold and drops the second staged one.
    const sent = new Map<string, string>();
    const cvs = new Map<number, string>();
    for (let i = 0; i < APPLICATIONS; i++) {
      const person = Math.floor(i / 2);
      const id = applicationId(`upkeep${i}`);
      const content = cvs.get(person) ?? paddedPdf(`Upkeep ${person}`, CV_BYTES);
      cvs.set(person, content);
      sent.set(id, createHash('sha256').update(Buffer.from(content, 'base64')).digest('hex'));
      const cv = { filename: `cv-${person}.pdf`, content_type: 'application/pdf', content };
      const answer = await deliver(
        posting.directApplyUrl,
        aDelivery({ id, email: `upkeep.${person}@example.com`, last_name: `Upkeep${person}`, cv }),
      );
      expect(answer.status).toBe(200);
      // One after another, as applications trickle in: each dropped staged CV is dead before the next one is staged.
      await waitFor(
        () => t.deps.store.intake.counts(),
        (counts) => (counts.processed ?? 0) > i,
        30_000,
        `application ${i} processed`,
      );
    }

    // A CV's bytes are written once, as a document: the staging table holds none.
    const { rows: staging } = await sql<{ bytes: number }>`select pg_total_relation_size('intake_deliveries')::int as bytes`.execute(
      t.deps.store.db,
    );
    expect(staging[0].bytes).toBeLessThan(CV_BYTES);

    // Without a vacuum each dropped copy stayed in the files as dead rows (30 CVs' space for the 15 kept, 3.2 MB), and
    // each new CV took new space. Vacuumed, the space of the copies dropped is used again by those staged after; once
    // nothing is written for a second, the last ones are vacuumed too.
    const kept = APPLICATIONS / 2;
    const cvBytes = async () =>
      (
        await sql<{
          bytes: number;
        }>`select pg_relation_size(reltoastrelid)::int as bytes from pg_class where relname = 'documents'`.execute(t.deps.store.db)
      ).rows[0].bytes;
    await waitFor(cvBytes, (bytes) => bytes < (kept + 3) * CV_BYTES, 30_000, 'the dropped CVs’ space used again');

    const { rows } = await sql<{ external_id: string; sha256: string }>`select a.external_id, encode(sha256(d.content), 'hex') as sha256
        from documents d join application_documents l on l.document_id = d.id join applications a on a.id = l.application_id
        where a.job_id = ${posting.jobId}`.execute(t.deps.store.db);
    expect(new Map(rows.map((r) => [r.external_id, r.sha256]))).toEqual(sent);
  });
});
