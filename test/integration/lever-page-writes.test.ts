import { SANDBOX_API_KEY } from '../../src/providers/lever/sandbox';
import { landed, leverConnector, waitForRuns } from '../fixtures/connectors';
import { runLeverSandbox } from '../fixtures/lever';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';

// A page of people is written at once, in one transaction of set-based statements: what lands must be what writing
// them one after another would have landed.
describeEachStore('Lever pages written at once, through the API, Temporal, the sandbox and the store', (store) => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem({}, { store });
  });
  afterAll(() => t?.stop());

  it('writes the same person twice in a page, a person known by email and two contacts sharing an email as one person each; a page written again changes nothing and an erased person stays erased', async () => {
    const s = await runLeverSandbox({ rateLimit: { perSecond: 2000, burst: 200 } });
    try {
      s.sandbox.seed({ postings: 12, opportunities: 40, resumes: false, seed: 73 });
      const [a, b, c, d, e] = [...s.sandbox.opportunities.values()].filter(
        (o, _, all) => all.filter((x) => x.contact === o.contact).length === 1 && o.applications.length > 0,
      );
      // Opportunities of one person agree on their details (else each write of the page would flip them back and forth).
      const detailsOf = ({ name, emails, phones, location, links }: typeof a) => ({ name, emails, phones, location, links });
      const all = [...s.sandbox.opportunities.values()];
      for (const o of all) s.sandbox.updateOpportunity(o.id, detailsOf(all.find((x) => x.contact === o.contact) as typeof a));
      // b becomes a second opportunity of a's contact; e another Lever contact with d's email (written differently).
      s.sandbox.updateOpportunity(b.id, { contact: a.contact, ...detailsOf(a) });
      s.sandbox.updateOpportunity(e.id, { ...detailsOf(d), emails: [` ${d.emails[0].toUpperCase()}`] });
      // c applied through CV-Library before: we hold them under their email.
      const known = await t.deps.store.candidates.upsertFromSource({
        source: { provider: 'cv-library', externalId: `known-${c.contact}` },
        fields: { firstName: 'Earlier', lastName: 'Applicant', email: c.emails[0] },
        matchBy: ['email'],
        createIfUnknown: true,
      });

      const created = await t.api('POST', '/v1/connectors', leverConnector(s.baseUrl, SANDBOX_API_KEY, { syncResumes: false }));
      const id = created.body.id;
      const first = await waitForRuns(t, id, 1);
      expect(first.status.streams.candidates).toMatchObject({ pages: 1, skipped: 0 });

      const sourceOf = async (contact: string) =>
        (
          await t.deps.store.db
            .selectFrom('candidate_sources')
            .select('candidate_id')
            .where('provider', '=', 'lever')
            .where('external_id', '=', contact)
            .executeTakeFirstOrThrow()
        ).candidate_id;
      const got = await landed(t, s.sandbox);
      // Every contact once; d and e share an email, so they are one person with two Lever sources.
      expect(got.sources).toBe(got.e.contacts.size);
      expect(got.candidates).toBe(got.e.contacts.size - 1);
      expect(got.applications).toHaveLength(got.e.applications.size);
      expect(await sourceOf(e.contact)).toBe(await sourceOf(d.contact));
      expect(await sourceOf(c.contact)).toBe(known.candidateId);
      const person = (await t.api('GET', `/v1/candidates/${await sourceOf(a.contact)}`)).body;
      expect(person.sources).toHaveLength(1);
      const theirApplications = await t.deps.store.db
        .selectFrom('applications')
        .select('external_id')
        .where('candidate_id', '=', person.id)
        .execute();
      expect(theirApplications.map((x) => x.external_id).sort()).toEqual([...a.applications, ...b.applications].map((x) => x.id).sort());

      // The same page written again (a resync rewrites every record) changes nothing and announces no one.
      const snapshot = async () => ({
        candidates: await t.deps.store.db.selectFrom('candidates').selectAll().orderBy('id').execute(),
        sources: await t.deps.store.db.selectFrom('candidate_sources').selectAll().orderBy('external_id').execute(),
        applications: await t.deps.store.db.selectFrom('applications').selectAll().orderBy('id').execute(),
        events: (await t.deps.store.db.selectFrom('events').select('id').where('type', 'like', 'candidate.%').execute()).length,
      });
      const before = await snapshot();
      expect((await t.api('POST', `/v1/connectors/${id}/resync`, { since: '2000-01-01', stream: 'candidates' })).status).toBe(202);
      const again = await waitForRuns(t, id, 2, 90_000, 'candidates');
      expect(again.status.streams.candidates).toMatchObject({ created: 0, updated: 0, unchanged: 40 });
      expect(await snapshot()).toEqual(before);

      // a (and so b, the same contact) erased: written again, both are skipped as erased and nothing of them returns.
      const admin = (await t.api('POST', '/v1/tokens', { name: 'dpo', scope: 'admin' })).body.token;
      expect((await t.api('DELETE', `/v1/candidates/${person.id}`, undefined, { token: admin })).status).toBe(200);
      expect((await t.api('POST', `/v1/connectors/${id}/resync`, { since: '2000-01-01', stream: 'candidates' })).status).toBe(202);
      const afterErasure = await waitForRuns(t, id, 3, 90_000, 'candidates');
      expect(afterErasure.status.streams.candidates).toMatchObject({
        created: 0,
        updated: 0,
        unchanged: 38,
        skippedReasons: { erased: 2 },
      });
      const erasedRow = await t.deps.store.db.selectFrom('candidates').selectAll().where('id', '=', person.id).executeTakeFirstOrThrow();
      expect(erasedRow).toMatchObject({ email: null, erased_at: expect.any(Date) });
      const left = await landed(t, s.sandbox);
      expect(left.candidates).toBe(got.candidates - 1);
      expect(left.applications).toHaveLength(got.applications.length - a.applications.length - b.applications.length);
    } finally {
      await s.close();
    }
  });
});
