import { SANDBOX_API_KEY, SANDBOX_COMPANY } from '../../src/providers/smartrecruiters/sandbox';
import { waitForRuns } from '../fixtures/connectors';
import { sandboxJobs, setUpCvLibrary, untilPostingState } from '../fixtures/cv-library';
import { aJob } from '../fixtures/jobs';
import { runSmartRecruitersSandbox, smartRecruitersConnector } from '../fixtures/smartrecruiters';
import { dumpDatabase, linesMentioning } from '../helpers/dump';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

// What a SmartRecruiters sync owes the rest of jobrelay: boards drop a job SmartRecruiters deleted, and a person
// erased here stays erased whatever SmartRecruiters still holds of them.

describeEachStore(
  'SmartRecruiters jobs on the boards and erased people, through the API, Temporal, the sandboxes and the store',
  (store) => {
    let t: TestSystem;
    let s: Awaited<ReturnType<typeof runSmartRecruitersSandbox>>;
    let connectorId: string;

    const connector = () => t.api('GET', `/v1/connectors/${connectorId}`).then((r) => r.body);
    /** The connector once `stream` finished `runs` runs in `mode`. */
    const ran = (stream: string, runs: number, mode = 'incremental') =>
      waitFor(
        async () => {
          const c = await connector();
          const st = c.status?.streams[stream];
          return st?.totals.runs >= runs && st.mode === mode && !st.running && st.queued.length === 0 ? c : undefined;
        },
        (c) => c !== undefined,
        60_000,
        `${runs} ${stream} runs (${mode})`,
      );

    beforeAll(async () => {
      t = await startTestSystem({}, { store });
      await setUpCvLibrary(t);
      s = await runSmartRecruitersSandbox({ rateLimit: { perSecond: 500, burst: 60 } });
      s.sandbox.seed({ postings: 6, candidates: 8, seed: 21 });
      const created = await t.api('POST', '/v1/connectors', smartRecruitersConnector(s.baseUrl, SANDBOX_COMPANY, SANDBOX_API_KEY));
      expect(created.status).toBe(201);
      connectorId = created.body.id;
      await waitForRuns(t, connectorId, 1);
    });
    afterAll(async () => {
      await s?.close();
      await t?.stop();
    });

    it('takes a job’s board posting down when a complete listing finds the posting deleted in SmartRecruiters', async () => {
      const [sr] = [...s.sandbox.postings.values()].filter((p) => p.location.city);
      const synced = (await t.api('GET', `/v1/jobs?source=smartrecruiters&limit=100`)).body.items.find(
        (j: { externalId: string }) => j.externalId === sr.id,
      );
      expect(synced).toMatchObject({ state: 'open', published: true, experienceLevel: sr.experienceLevel.label });
      // SmartRecruiters documents no postcode and CV-Library needs one: the job as an ATS that gives one writes it.
      await t.deps.store.jobs.upsertFromSource({
        ...aJob({ reference: sr.refNumber }),
        workplace: 'onsite',
        state: 'open',
        source: 'smartrecruiters',
        externalId: sr.id,
        hidden: false,
        published: true,
      });
      const posted = await t.api('POST', `/v1/jobs/${synced.id}/postings`, { board: 'cv-library' });
      expect(posted.status).toBe(202);
      const live = await untilPostingState(t, posted.body.id, 'live');

      s.sandbox.removePosting(sr.id);
      expect((await t.api('POST', `/v1/connectors/${connectorId}/sync`, { stream: 'jobs' })).status).toBe(202);

      const down = await untilPostingState(t, live.id, 'unposted');
      expect(down.events.at(-1)).toMatchObject({
        kind: 'unposted',
        details: { reason: 'job deleted in smartrecruiters', outcome: 'deleted' },
      });
      expect((await sandboxJobs(t)).find((j) => j.job_id === live.externalId)).toMatchObject({ status: 'deleted' });
      expect((await t.api('GET', `/v1/jobs/${synced.id}`)).body).toMatchObject({ state: 'closed', published: false });
      expect((await ran('jobs', 2)).status.streams.jobs).toMatchObject({ deleted: 1 });
    });

    it('keeps an erased person erased: a change, a sweep and a resync at SmartRecruiters write nothing of them', async () => {
      const [person] = [...s.sandbox.candidates.values()];
      const traces = ['Ottoline', 'Brambleworth', 'ottoline.brambleworth@example.org', '+44 7700 900777'];
      s.sandbox.updateCandidate(person.id, {
        firstName: traces[0],
        lastName: traces[1],
        email: traces[2],
        phoneNumber: traces[3],
        web: { linkedin: 'https://www.linkedin.com/in/Ottoline-Brambleworth' },
      });
      expect((await t.api('POST', `/v1/connectors/${connectorId}/sync`, { stream: 'candidates' })).status).toBe(202);
      await ran('candidates', 2);
      const held = (await t.api('GET', '/v1/candidates?provider=smartrecruiters&limit=200')).body.items.find(
        (c: { email?: string }) => c.email === traces[2],
      );
      expect(held).toMatchObject({
        firstName: traces[0],
        lastName: traces[1],
        links: { linkedin: 'https://www.linkedin.com/in/Ottoline-Brambleworth' },
      });
      expect((await t.api('GET', `/v1/candidates/${held.id}`)).body.documents.length).toBeGreaterThan(0);

      const erased = await t.api('DELETE', `/v1/candidates/${held.id}`);
      expect(erased.status).toBe(200);
      expect(erased.body.erased).toMatchObject({ candidate: 1, sources: 1 });
      const stored = [...traces, '7700900777'];
      expect(linesMentioning(await dumpDatabase(t.deps.store.db), stored)).toEqual([]);

      // SmartRecruiters still holds them, and changes them: the next sync reads them and skips them as erased.
      s.sandbox.updateCandidate(person.id, { lastName: `${traces[1]}-Smythe` });
      await t.api('POST', `/v1/connectors/${connectorId}/sync`, { stream: 'candidates' });
      const synced = await ran('candidates', 3);
      expect(synced.status.streams.candidates).toMatchObject({ created: 0, skippedReasons: { erased: 1 } });

      // A sweep and a resync from before they were first synced read them again: still nothing of them is written.
      await t.api('POST', `/v1/connectors/${connectorId}/sweep`, { stream: 'candidates' });
      await ran('candidates', 4, 'sweep');
      const since = new Date(Date.parse(person.createdOn) - 1000).toISOString();
      expect((await t.api('POST', `/v1/connectors/${connectorId}/resync`, { since, stream: 'candidates' })).status).toBe(202);
      const resynced = await ran('candidates', 5, 'resync');
      expect(resynced.status.streams.candidates).toMatchObject({ created: 0, skippedReasons: { erased: 1 } });

      expect(linesMentioning(await dumpDatabase(t.deps.store.db), [...stored, `${traces[1]}-Smythe`])).toEqual([]);
      expect((await t.api('GET', `/v1/candidates/${held.id}`)).status).toBe(410);
      const metrics = await (await fetch(`${t.system.apiUrl}/metrics`)).text();
      expect(metrics).toMatch(/jobrelay_erased_returns_total\{provider="smartrecruiters",via="sync",action="refused"\} 2/);
    });
  },
);
