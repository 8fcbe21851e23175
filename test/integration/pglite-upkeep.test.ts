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

  it('uses the space of every staged CV again once its application is taken in, and keeps the CVs taken in whole', async () => {
    const sent = new Map<string, string>();
    for (let i = 0; i < APPLICATIONS; i++) {
      const id = applicationId(`upkeep${i}`);
      const content = paddedPdf(`Upkeep ${i}`, CV_BYTES);
      sent.set(id, createHash('sha256').update(Buffer.from(content, 'base64')).digest('hex'));
      const cv = { filename: `cv-${i}.pdf`, content_type: 'application/pdf', content };
      const answer = await deliver(
        posting.directApplyUrl,
        aDelivery({ id, email: `upkeep.${i}@example.com`, last_name: `Upkeep${i}`, cv }),
      );
      expect(answer.status).toBe(200);
      // One after another, as applications trickle in: each staged CV is dropped before the next one is staged.
      await waitFor(
        () => t.deps.store.intake.counts(),
        (counts) => (counts.processed ?? 0) > i,
        30_000,
        `application ${i} processed`,
      );
    }

    // Each finished intake drops its staged CV; without a vacuum its bytes stayed in the files as dead rows (3 MB here),
    // and each new CV took new space. Vacuumed, the space of the CVs dropped is used again by those staged after.
    const { rows: staging } = await sql<{ bytes: number }>`select pg_total_relation_size('intake_deliveries')::int as bytes`.execute(
      t.deps.store.db,
    );
    expect(staging[0].bytes).toBeLessThan((APPLICATIONS * CV_BYTES) / 3);

    // Once nothing is written for a second, the last ones are vacuumed too, and the space is given back to the disk.
    const stagedCvBytes = async () =>
      (
        await sql<{
          bytes: number;
        }>`select pg_relation_size(reltoastrelid)::int as bytes from pg_class where relname = 'intake_deliveries'`.execute(t.deps.store.db)
      ).rows[0].bytes;
    await waitFor(stagedCvBytes, (bytes) => bytes < CV_BYTES, 30_000, 'the staged CVs’ space given back');

    const { rows } = await sql<{ external_id: string; sha256: string }>`select a.external_id, encode(sha256(d.content), 'hex') as sha256
        from documents d join application_documents l on l.document_id = d.id join applications a on a.id = l.application_id
        where a.job_id = ${posting.jobId}`.execute(t.deps.store.db);
    expect(new Map(rows.map((r) => [r.external_id, r.sha256]))).toEqual(sent);
  });
});
