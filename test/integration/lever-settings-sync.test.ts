import { SANDBOX_API_KEY } from '../../src/providers/lever/sandbox';
import type { SandboxPosting } from '../../src/providers/lever/sandbox-data';
import { expectedFrom, leverConnector, waitForRuns } from '../fixtures/connectors';
import { runLeverSandbox } from '../fixtures/lever';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';

/** Seed 003's settings as a careers site uses them: blank start dates, and rules changed after the connector runs. */
describeEachStore('Lever connector settings: start dates left blank, rules changed', (store) => {
  let t: TestSystem;
  let lever: Awaited<ReturnType<typeof runLeverSandbox>>;
  beforeAll(async () => {
    t = await startTestSystem({}, { store });
  });
  afterEach(() => lever?.close());
  afterAll(() => t?.stop());

  /** The jobs this sandbox's postings became in the store, by Lever id. */
  async function heldJobs() {
    const ids = [...lever.sandbox.postings.keys()];
    const rows = await t.deps.store.db
      .selectFrom('jobs')
      .selectAll()
      .where('source', '=', 'lever')
      .where('external_id', 'in', ids)
      .execute();
    return new Map(rows.map((r) => [r.external_id as string, r]));
  }

  /** The `/postings` requests of the connector's last jobs run: a run reading the whole list sends no `updated_at_start`. */
  const postingsRequestsSince = (index: number) => lever.sandbox.requestsSince(index, /^\/v1\/postings$/).map((r) => r.query);

  it('with a blank jobs start date takes every posting open and published now; a blank candidates start date only what changes from now', async () => {
    lever = await runLeverSandbox({ rateLimit: false });
    lever.sandbox.seed({ postings: 40, opportunities: 30, seed: 303 });
    const connector = leverConnector(lever.baseUrl, SANDBOX_API_KEY, { jobsStartDate: undefined, candidatesStartDate: undefined });
    const { id } = (await t.api('POST', '/v1/connectors', connector)).body;

    const first = await waitForRuns(t, id, 1);
    const expected = expectedFrom(lever.sandbox);
    expect(expected.jobs.length).toBeGreaterThan(5);
    expect([...(await heldJobs()).keys()].sort()).toEqual(expected.jobs.map((p) => p.id).sort());
    expect(first.status.streams.jobs).toMatchObject({ created: expected.jobs.length, backfill: { finished: true } });
    expect(postingsRequestsSince(0)[0].updated_at_start).toBeUndefined();
    // Opportunities last changed before the connector existed are not read.
    expect(first.status.streams.candidates).toMatchObject({ created: 0, updated: 0, pages: 1 });
    expect(first.status.streams.candidates.backfill).toBeUndefined();
    const contacts = [...lever.sandbox.opportunities.values()].map((o) => o.contact);
    const heldPeople = () =>
      t.deps.store.db
        .selectFrom('candidate_sources')
        .select('external_id')
        .where('provider', '=', 'lever')
        .where('external_id', 'in', contacts)
        .execute();
    expect(await heldPeople()).toEqual([]);

    // From then on, changes arrive: a person who changes in Lever, a posting published since.
    const [opportunity] = lever.sandbox.opportunities.values();
    lever.sandbox.updateOpportunity(opportunity.id, { name: 'Ada Changed' });
    const draft = [...lever.sandbox.postings.values()].find((p) => p.state !== 'published' && p.categories.location)!;
    lever.sandbox.updatePosting(draft.id, { state: 'published', distributionChannels: ['public'] });
    const before = lever.sandbox.requests.length;
    await t.api('POST', `/v1/connectors/${id}/sync`, {});
    const second = await waitForRuns(t, id, 2);
    expect(second.status.streams.candidates).toMatchObject({ created: 1 });
    expect(second.status.streams.jobs).toMatchObject({ created: 1 });
    expect(postingsRequestsSince(before)[0].updated_at_start).toEqual(expect.any(String));
    expect(await heldPeople()).toEqual([{ external_id: opportunity.contact }]);
    expect((await heldJobs()).get(draft.id)).toMatchObject({ published: true, state: 'open' });
  });

  it('re-classifies the jobs already held on the next cycle when state, channel, remote or hidden rules change, with nothing changed in Lever', async () => {
    lever = await runLeverSandbox({ rateLimit: false });
    lever.sandbox.seed({ postings: 60, opportunities: 0, seed: 304 });
    const settings = { jobsStartDate: undefined };
    const { id } = (await t.api('POST', '/v1/connectors', leverConnector(lever.baseUrl, SANDBOX_API_KEY, settings))).body;
    await waitForRuns(t, id, 1);
    const postings = [...lever.sandbox.postings.values()].filter((p) => p.categories.location?.trim());
    const channelsAre = (p: SandboxPosting, ...channels: string[]) =>
      p.state === 'published' && [...p.distributionChannels].sort().join('+') === channels.sort().join('+');
    const publicOnly = postings.filter((p) => channelsAre(p, 'public'));
    const both = postings.filter((p) => channelsAre(p, 'public', 'internal'));
    expect(publicOnly.length).toBeGreaterThan(3);
    expect(both.length).toBeGreaterThan(3);
    const held = await heldJobs();
    expect([...held.keys()].sort()).toEqual(publicOnly.map((p) => p.id).sort());
    const untouched = JSON.stringify([...lever.sandbox.postings.values()].map((p) => p.updatedAt));

    // A setting the rules do not depend on: the next run reads only changes.
    await t.api('PATCH', `/v1/connectors/${id}`, { settings: { jobsIntervalMinutes: 90 } });
    let before = lever.sandbox.requests.length;
    await t.api('POST', `/v1/connectors/${id}/sync`, { stream: 'jobs' });
    await waitForRuns(t, id, 2, undefined, 'jobs');
    expect(postingsRequestsSince(before)[0].updated_at_start).toEqual(expect.any(String));

    const rules = {
      distributionChannel: 'public-and-internal',
      remote: { field: 'location', remoteRegex: 'emea', hybridRegex: 'hybrid' },
      hiddenJobs: { teams: ['Sales'] },
    };
    expect((await t.api('PATCH', `/v1/connectors/${id}`, { settings: rules })).status).toBe(200);
    before = lever.sandbox.requests.length;
    await t.api('POST', `/v1/connectors/${id}/sync`, { stream: 'jobs' });
    const rescanned = await waitForRuns(t, id, 3, undefined, 'jobs');
    expect(postingsRequestsSince(before)[0].updated_at_start).toBeUndefined();
    expect(rescanned.status.streams.jobs).toMatchObject({ created: both.length, updated: publicOnly.length });

    const now = await heldJobs();
    for (const p of publicOnly) expect(now.get(p.id)).toMatchObject({ published: false, state: 'open' });
    for (const p of both) {
      const location = p.categories.location!.toLowerCase();
      expect(now.get(p.id)).toMatchObject({
        published: true,
        hidden: p.categories.team === 'Sales',
        workplace: location.includes('emea') ? 'remote' : location.includes('hybrid') ? 'hybrid' : 'onsite',
      });
    }
    expect(JSON.stringify([...lever.sandbox.postings.values()].map((p) => p.updatedAt))).toBe(untouched);

    // Read once under the new rules, the list is read for changes again; a change of state reads it all once more.
    before = lever.sandbox.requests.length;
    await t.api('POST', `/v1/connectors/${id}/sync`, { stream: 'jobs' });
    expect((await waitForRuns(t, id, 4, undefined, 'jobs')).status.streams.jobs).toMatchObject({ created: 0, updated: 0 });
    expect(postingsRequestsSince(before)[0].updated_at_start).toEqual(expect.any(String));
    await t.api('PATCH', `/v1/connectors/${id}`, { settings: { postingState: 'internal' } });
    before = lever.sandbox.requests.length;
    await t.api('POST', `/v1/connectors/${id}/sync`, { stream: 'jobs' });
    await waitForRuns(t, id, 5, undefined, 'jobs');
    expect(postingsRequestsSince(before)[0].updated_at_start).toBeUndefined();
    const internal = postings.filter((p) => p.state === 'internal').map((p) => p.id);
    const last = await heldJobs();
    expect(
      [...last.values()]
        .filter((j) => j.published)
        .map((j) => j.external_id)
        .sort(),
    ).toEqual(internal.sort());
  });
});
