import { SANDBOX_API_KEY } from '../../src/providers/lever/sandbox';
import { leverConnector, recordSyncHistory, waitForRuns } from '../fixtures/connectors';
import { runLeverSandbox } from '../fixtures/lever';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

// Sweeps are the engine's, so every connector has them: Lever here, with nothing of its own for them.

describeEachStore('a reconciling sweep on the Lever connector', (store) => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem({}, { store });
  });
  afterAll(() => t?.stop());

  it('repairs a change the incremental path missed and marks what Lever no longer has deleted; a resync deletes nothing', async () => {
    const s = await runLeverSandbox({ rateLimit: { perSecond: 2000, burst: 200 } });
    try {
      s.sandbox.seed({ postings: 8, opportunities: 40, resumes: false, seed: 31 });
      const created = await t.api('POST', '/v1/connectors', {
        ...leverConnector(s.baseUrl, SANDBOX_API_KEY),
        sweep: { timeOfDay: '04:30', timeZone: 'Europe/London' },
      });
      expect(created.body.sweep).toEqual({ enabled: true, timeOfDay: '04:30', timeZone: 'Europe/London' });
      const id = created.body.id;
      const first = await waitForRuns(t, id, 1);
      expect(first.status.sweep).toMatchObject({
        timeZone: 'Europe/London',
        running: false,
        nextAt: expect.stringMatching(/T0[34]:30:00\.000Z$/),
      });

      const [renamed, deleted] = [...s.sandbox.opportunities.values()];
      // Changed without a new updatedAt (a clock that lags), and deleted: the incremental path sees neither.
      renamed.name = 'Quietly Renamed';
      s.sandbox.opportunities.delete(deleted.id);
      const [posting] = [...s.sandbox.postings.values()].filter((p) => p.state === 'published');
      s.sandbox.postings.delete(posting.id);
      await t.api('POST', `/v1/connectors/${id}/sync`, {});
      expect((await waitForRuns(t, id, 2)).status.streams.candidates).toMatchObject({ updated: 0, deleted: 0 });

      expect((await t.api('POST', `/v1/connectors/${id}/sweep`, {})).status).toBe(202);
      expect((await t.api('POST', `/v1/connectors/${id}/sweep`, {})).status).toBe(409);
      const swept = await waitFor(
        async () => {
          const c = (await t.api('GET', `/v1/connectors/${id}`)).body;
          return c.status.sweep.totals.runs >= 1 && !c.status.sweep.running ? c : undefined;
        },
        (c) => c !== undefined,
        60_000,
        'the sweep',
      );
      expect(swept.status.streams.candidates).toMatchObject({ mode: 'sweep', repaired: 1, deleted: 1 });
      expect(swept.status.sweep.deleted).toBeGreaterThanOrEqual(2);

      const personOf = (contact: string) =>
        t.deps.store.db
          .selectFrom('candidate_sources')
          .innerJoin('candidates', 'candidates.id', 'candidate_sources.candidate_id')
          .select([
            'candidates.id',
            'first_name',
            'last_name',
            'candidates.deleted_at',
            'candidate_sources.deleted_at as source_deleted_at',
          ])
          .where('provider', '=', 'lever')
          .where('external_id', '=', contact)
          .executeTakeFirstOrThrow();
      expect(await personOf(renamed.contact)).toMatchObject({ first_name: 'Quietly', last_name: 'Renamed', deleted_at: null });
      const gone = await personOf(deleted.contact);
      expect(gone).toMatchObject({ deleted_at: expect.any(Date), source_deleted_at: expect.any(Date) });
      // What the sweep found gone is announced: the person as changed, and the run with what it deleted.
      const events = await t.deps.store.events.ofSubject(`connector:${id}`);
      const updatedIds = events.filter((e) => e.type === 'candidate.updated').flatMap((e) => e.data.candidateIds as string[]);
      expect(updatedIds).toContain(gone.id);
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'sync.completed',
          data: expect.objectContaining({
            stream: 'candidates',
            mode: 'sweep',
            counts: expect.objectContaining({ deleted: 1, repaired: 1 }),
          }),
        }),
      );
      const job = await t.api('GET', `/v1/jobs?source=lever&limit=200`);
      expect(job.body.items.find((j: { externalId: string }) => j.externalId === posting.id)).toMatchObject({
        published: false,
        state: 'closed',
        deletedAt: expect.any(String),
      });

      // A resync from a date writes in place and deletes nothing, even what Lever no longer has.
      const another = [...s.sandbox.opportunities.values()][1];
      s.sandbox.opportunities.delete(another.id);
      await t.api('POST', `/v1/connectors/${id}/resync`, { since: '2000-01-01' });
      const resynced = await waitFor(
        async () => {
          const c = (await t.api('GET', `/v1/connectors/${id}`)).body;
          const streams = Object.values(c.status.streams) as Array<{ mode: string; running: boolean; queued: string[] }>;
          return streams.every((st) => st.mode === 'resync' && !st.running && st.queued.length === 0) ? c : undefined;
        },
        (c) => c !== undefined,
        60_000,
        'the resync',
      );
      expect(resynced.status.streams.candidates.deleted).toBe(0);
      expect((await personOf(another.contact)).deleted_at).toBeNull();
      if (store === 'PGlite') await recordSyncHistory(t, id, 'connector-sync-sweep-resync');
    } finally {
      await s.close();
    }
  });
});
