import { sql } from 'kysely';
import { tinyPdf } from '../../src/providers/cv-library/sandbox-direct-apply';
import { setUpCvLibrary } from '../fixtures/cv-library';
import { aDelivery, applicationId, deliver, type LivePosting, postLiveJob, untilApplications } from '../fixtures/direct-apply';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

describeEachStore('DirectApply burst with intakes taken one at a time (INTAKE_CONCURRENCY=1)', (store) => {
  let t: TestSystem;
  let posting: LivePosting;

  beforeAll(async () => {
    t = await startTestSystem({ INTAKE_CONCURRENCY: '1' }, { store });
    await setUpCvLibrary(t);
    posting = await postLiveJob(t);
  });
  afterAll(() => t?.stop());

  it('answers every delivery of a burst once staged, then takes in each application once, with its CV', async () => {
    const applications = Array.from({ length: 12 }, (_, i) =>
      aDelivery({
        id: applicationId(`burst${i}`),
        last_name: `Burst${i}`,
        email: `burst.${i}@example.com`,
        phone: `07700 9001${String(i).padStart(2, '0')}`,
        cv: { filename: `cv-${i}.pdf`, content_type: 'application/pdf', content: tinyPdf(`Burst ${i}`) },
      }),
    );
    // All at once, every third delivered twice at the same moment (a board retrying over a slow answer).
    const answers = await Promise.all(
      applications.flatMap((a, i) => (i % 3 === 0 ? [a, a] : [a]).map((body) => deliver(posting.directApplyUrl, body))),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(16).fill(200));

    const stored = await untilApplications(t, posting.jobId, applications.length);
    expect(stored.map((a) => a.externalId).sort()).toEqual(applications.map((a) => a.id).sort());
    await waitFor(
      () => t.deps.store.intake.counts(),
      (counts) => (counts.processed ?? 0) >= applications.length,
      30_000,
      'every delivery processed',
    );
    const ids = applications.map((a) => a.id);
    const { rows } = await sql<{ candidates: number; cvs: number }>`select
        (select count(*)::int from candidate_sources where external_id in (${sql.join(ids)})) as candidates,
        (select count(*)::int from application_documents l join applications a on a.id = l.application_id
           where a.external_id in (${sql.join(ids)})) as cvs`.execute(t.deps.store.db);
    expect(rows[0]).toEqual({ candidates: applications.length, cvs: applications.length });
  });
});
