import { SANDBOX_API_KEY } from '../../src/providers/lever/sandbox';
import { leverConnector, recordSyncHistory, waitForRuns } from '../fixtures/connectors';
import { sandboxJobs, setUpCvLibrary, untilPostingState } from '../fixtures/cv-library';
import { aJob } from '../fixtures/jobs';
import { runLeverSandbox } from '../fixtures/lever';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

/** Seed 003: "jobs can only be edited in Lever". A synced job's only writer is its connector's sync. */
describeEachStore('jobs synced from an ATS', (store) => {
  let t: TestSystem;
  let lever: Awaited<ReturnType<typeof runLeverSandbox>>;
  let connector: { id: string; name: string };

  beforeAll(async () => {
    t = await startTestSystem({}, { store });
    await setUpCvLibrary(t);
    lever = await runLeverSandbox();
    lever.sandbox.seed({ postings: 20 });
    connector = (await t.api('POST', '/v1/connectors', leverConnector(lever.baseUrl, SANDBOX_API_KEY))).body;
    await waitForRuns(t, connector.id, 1);
  });
  afterAll(async () => {
    await t?.stop();
    await lever?.close();
  });

  const syncedJob = async () => (await t.api('GET', '/v1/jobs?source=lever&limit=1')).body.items[0];

  it('refuses PATCH /v1/jobs/:id with 409 naming its source and connector, and leaves the job as the sync wrote it', async () => {
    const job = await syncedJob();
    expect(job).toMatchObject({ source: 'lever', externalId: expect.any(String) });
    for (const patch of [{ title: 'Edited here' }, { state: 'closed' }]) {
      const res = await t.api('PATCH', `/v1/jobs/${job.id}`, patch);
      expect(res.status).toBe(409);
      expect(res.body.error).toBe(
        `job ${job.id} is synced from lever by connector "Acme Lever" (${connector.id}): edit it in lever; the sync is its only writer`,
      );
      expect(res.body.details).toEqual({
        source: 'lever',
        externalId: job.externalId,
        connectors: [{ id: connector.id, name: 'Acme Lever' }],
      });
    }
    expect((await t.api('GET', `/v1/jobs/${job.id}`)).body).toEqual(job);
  });

  it('posts a synced job to a board: refused only for what the board needs, and posted once it has it', async () => {
    const lacking = await syncedJob();
    const refused = await t.api('POST', `/v1/jobs/${lacking.id}/postings`, { board: 'cv-library' });
    expect(refused.status).toBe(422);
    // A Lever posting carries no postcode, which CV-Library requires; being synced is no reason to refuse.
    expect(refused.body.details.problems).toContain(
      'the job has no postcode: CV-Library requires one (the job’s location.postcode, or the posting’s postcode option)',
    );
    expect(JSON.stringify(refused.body)).not.toMatch(/synced|source/);

    // The posting form's required field, filled in for the board (seed 002, step 3): the Lever job goes live with it.
    const withPostcode = await t.api('POST', `/v1/jobs/${lacking.id}/postings`, {
      board: 'cv-library',
      postcode: 'EC2A 4NE',
      jobType: 'Permanent',
    });
    expect(withPostcode.status).toBe(202);
    expect(withPostcode.body.options).toMatchObject({ postcode: 'EC2A 4NE' });
    const onBoard = await untilPostingState(t, withPostcode.body.id, 'live');
    expect((await sandboxJobs(t)).find((j) => j.job_id === onBoard.externalId)).toMatchObject({
      title: lacking.title,
      town: lacking.location.city,
      postcode: 'EC2A 4NE',
    });
    // It cannot be taken away while the job has none of its own.
    const cleared = await t.api('PATCH', `/v1/postings/${onBoard.id}`, { postcode: null });
    expect(cleared.status).toBe(422);
    expect((await t.api('GET', `/v1/postings/${onBoard.id}`)).body.options.postcode).toBe('EC2A 4NE');

    // A job as a connector whose ATS gives a postcode writes it.
    const { id } = await t.deps.store.jobs.upsertFromSource({
      ...aJob({ reference: 'ATS-1' }),
      workplace: 'onsite',
      state: 'open',
      source: 'lever',
      externalId: 'ats-job-with-postcode',
      hidden: false,
      published: true,
    });
    const posted = await t.api('POST', `/v1/jobs/${id}/postings`, { board: 'cv-library' });
    expect(posted.status).toBe(202);
    const live = await waitFor(
      () => t.api('GET', `/v1/postings/${posted.body.id}`).then((r) => r.body),
      (p) => p.state === 'live',
      30_000,
      'the synced job live on CV-Library',
    );
    expect(live.publicUrl).toMatch(/^https:\/\/www\.cv-library\.co\.uk\/job\//);
    expect((await t.api('PATCH', `/v1/jobs/${id}`, { title: 'Edited here' })).status).toBe(409);
  });

  it('takes a job’s board postings down when the sync finds it closed, or no longer published, in Lever', async () => {
    const synced = (await t.api('GET', '/v1/jobs?source=lever&state=open&limit=100')).body.items.filter(
      (j: { published: boolean; externalId: string }) => j.published && j.externalId !== 'ats-job-with-postcode',
    );
    const notPosted = [];
    for (const job of synced) if (!(await t.api('GET', `/v1/jobs/${job.id}/boards`)).body.items[0].posting) notPosted.push(job);
    const [closing, moving] = notPosted;
    const live: Array<{ id: string; externalId: string }> = [];
    for (const job of [closing, moving]) {
      // Lever gives no postcode and CV-Library needs one: the posting's own.
      const posted = await t.api('POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library', postcode: 'LS1 4AP', jobType: 'Permanent' });
      expect(posted.status).toBe(202);
      live.push(await untilPostingState(t, posted.body.id, 'live'));
    }

    lever.sandbox.updatePosting(closing.externalId, { state: 'closed' });
    lever.sandbox.updatePosting(moving.externalId, { distributionChannels: ['internal'] });
    await t.api('POST', `/v1/connectors/${connector.id}/sync`, { stream: 'jobs' });

    const [closed, moved] = await Promise.all(live.map((p) => untilPostingState(t, p.id, 'unposted')));
    expect(closed.events.at(-1)).toMatchObject({ kind: 'unposted', details: { reason: 'job closed in lever', outcome: 'deleted' } });
    expect(moved.events.at(-1)).toMatchObject({
      kind: 'unposted',
      details: { reason: 'job no longer published in lever', outcome: 'deleted' },
    });
    const board = await sandboxJobs(t);
    for (const posting of live) expect(board.find((j) => j.job_id === posting.externalId)).toMatchObject({ status: 'deleted' });
    expect((await t.api('GET', `/v1/jobs/${closing.id}`)).body).toMatchObject({ state: 'closed', published: false });
    expect((await t.api('GET', `/v1/jobs/${moving.id}`)).body).toMatchObject({ state: 'open', published: false });
    await recordSyncHistory(t, connector.id, 'connector-sync-unposts-ended-jobs');
  });
});
