import { execFileSync } from 'node:child_process';
import { requireBinary } from '../../src/tooling/binaries';
import { repostSignal } from '../../workflows/posting-lifecycle';
import { putCvLibraryBoard, sandboxJobs, setUpCvLibrary, untilPostingState } from '../fixtures/cv-library';
import { aJob } from '../fixtures/jobs';
import { testServers } from '../helpers/env';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

const temporal = (...args: string[]) =>
  execFileSync(requireBinary('temporal'), [...args, '--address', testServers.temporalAddress()], { encoding: 'utf8' });

describeEachStore('postings: accounts, options and the operator’s Temporal tools', (store) => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem({}, { store });
    await setUpCvLibrary(t);
  });
  afterAll(() => t?.stop());

  const untilState = (id: string, state: string) => untilPostingState(t, id, state);

  async function post(jobOverrides = {}, body: Record<string, unknown> = {}) {
    const job = (await t.api('POST', '/v1/jobs', aJob(jobOverrides))).body;
    return { job, res: await t.api('POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library', ...body }) };
  }

  it('is listed by Board, JobId and PostingState in Temporal, and unposted by a signal from the CLI', async () => {
    const { job, res } = await post({ reference: 'OPS-1' });
    await untilState(res.body.id, 'live');
    await waitFor(
      async () =>
        temporal('workflow', 'list', '--query', `Board="cv-library" AND JobId="${job.id}" AND PostingState="live"`, '--output', 'json'),
      (out) => out.includes(res.body.workflowId),
      20_000,
      'the posting in a visibility query',
    );
    temporal('workflow', 'signal', '--workflow-id', res.body.workflowId, '--name', 'unpostSignal', '--input', '"operator"');
    const unposted = await untilState(res.body.id, 'unposted');
    expect(unposted.events.at(-1)).toMatchObject({ kind: 'unposted', details: { reason: 'operator' } });
  });

  it('finds failed, unposted and expired postings, and live ones by an ExpiresAt range, with visibility queries', async () => {
    const DAY = 86_400_000;
    // Failed: the board refuses the job.
    await t.sandbox('POST', 'cv-library', '/_sandbox/faults', { failNext: [{ status: 422, count: 1 }] });
    const failed = await post({ reference: 'VIS-1' });
    await untilState(failed.res.body.id, 'failed');
    // Unposted on request.
    const unposted = await post({ reference: 'VIS-2' });
    await untilState(unposted.res.body.id, 'live');
    expect((await t.api('DELETE', `/v1/postings/${unposted.res.body.id}`)).body.state).toBe('unposted');
    // Expired: the board's clock runs 28 days less 4 s behind ours, so the job it takes expires 4 s from now.
    await t.sandbox('POST', 'cv-library', '/_sandbox/clock', { advanceMs: -(28 * DAY - 4000) });
    const expiring = await post({ reference: 'VIS-3' });
    await untilState(expiring.res.body.id, 'live');
    await t.sandbox('POST', 'cv-library', '/_sandbox/clock', { advanceMs: 28 * DAY - 4000 });
    // Live for 28 days.
    const live = await post({ reference: 'VIS-4' });
    await untilState(live.res.body.id, 'live');
    await untilState(expiring.res.body.id, 'expired');

    const ours = `(${[failed, unposted, expiring, live].map((p) => `JobId="${p.job.id}"`).join(' OR ')})`;
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    const found = (query: string, expected: Array<{ res: { body: { workflowId: string } } }>) =>
      waitFor(
        async () => {
          const ids: string[] = [];
          for await (const w of t.system.client.workflow.list({ query: `${query} AND ${ours}` })) ids.push(w.workflowId);
          return ids.sort();
        },
        (ids) => JSON.stringify(ids) === JSON.stringify(expected.map((p) => p.res.body.workflowId).sort()),
        20_000,
        query,
      );
    await found('PostingState="failed"', [failed]);
    await found('PostingState="unposted"', [unposted]);
    await found('PostingState="expired"', [expiring]);
    await found(`PostingState="live" AND ExpiresAt > "${at(27 * DAY)}" AND ExpiresAt < "${at(29 * DAY)}"`, [live]);
    await found(`ExpiresAt < "${at(DAY)}"`, [expiring]);
  });

  it('reposts on the repostSignal an operator sends: a new board job with a fresh expiry, the old one deleted', async () => {
    const { res } = await post({ reference: 'OPS-6' });
    const live = await untilState(res.body.id, 'live');
    await t.system.client.workflow.getHandle(res.body.workflowId).signal(repostSignal);
    const reposted = await waitFor(
      () => t.api('GET', `/v1/postings/${res.body.id}`).then((r) => r.body),
      (p) => p.repostCount === 1,
      30_000,
      'the repost',
    );
    expect(reposted).toMatchObject({ state: 'live' });
    expect(reposted.externalId).not.toBe(live.externalId);
    expect(Date.parse(reposted.expiresAt)).toBeGreaterThanOrEqual(Date.parse(live.expiresAt));
    expect(reposted.events.at(-1)).toMatchObject({
      kind: 'reposted',
      details: { reason: 'requested', previousExternalId: live.externalId },
    });
    const onBoard = await sandboxJobs(t);
    expect(onBoard.find((j) => j.job_id === live.externalId)?.status).toBe('deleted');
    expect(onBoard.find((j) => j.job_id === reposted.externalId)?.status).toBe('live');
  });

  it('makes a CV mandatory when quick apply is off, and applies per-posting overrides validated like the job', async () => {
    const { res } = await post({ reference: 'OPS-2' }, { quickApply: false, salaryText: '£28k–£32k + bonus' });
    const live = await untilState(res.body.id, 'live');
    const onBoard = () => sandboxJobs(t).then((jobs) => jobs.find((j) => j.job_id === live.externalId)!);
    expect(await onBoard()).toMatchObject({ cv_required: true, salary_benefits: '£28k–£32k + bonus' });

    const bad = await t.api('PATCH', `/v1/postings/${live.id}`, { jobType: 'Gig' });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toContain('job type override "Gig" is not a CV-Library job type');
    // An amend changes what it names: quick apply stays off.
    const amended = await t.api('PATCH', `/v1/postings/${live.id}`, { jobType: 'Contract' });
    expect(amended.status).toBe(200);
    expect(await onBoard()).toMatchObject({ job_type: 'Contract', cv_required: true, salary_benefits: '£28k–£32k + bonus' });
  });

  it('posts to the recruiter’s own account when there is no generic account', async () => {
    await t.sandbox('POST', 'cv-library', '/_sandbox/accounts', {
      username: 'sam-own',
      password: 'sams-own-pw',
      posterEmails: ['sam@acme.example'],
    });
    await putCvLibraryBoard(t, { genericAccount: false });
    const recruiter = { name: 'Sam Lee', email: 'Sam@Acme.example' };
    const missing = await post({ reference: 'OPS-3', recruiter });
    expect(missing.res.status).toBe(422);
    expect(missing.res.body.error).toContain('sam@acme.example has no cv-library account');

    const account = await t.api('PUT', '/v1/boards/cv-library/accounts/sam@acme.example', {
      credentials: { username: 'sam-own', password: 'sams-own-pw' },
      posterEmail: 'sam@acme.example',
    });
    expect(account.status).toBe(200);
    expect(JSON.stringify(account.body)).not.toContain('sams-own-pw');
    const posted = await t.api('POST', `/v1/jobs/${missing.job.id}/postings`, { board: 'cv-library' });
    expect(posted.body.account).toBe('sam@acme.example');
    const live = await untilState(posted.body.id, 'live');
    expect((await sandboxJobs(t)).find((j) => j.job_id === live.externalId)).toMatchObject({ poster_email: 'sam@acme.example' });
    await putCvLibraryBoard(t);
  });

  it('refuses new postings while the board is disabled, and leaves live ones up', async () => {
    const { res } = await post({ reference: 'OPS-4' });
    await untilState(res.body.id, 'live');
    await putCvLibraryBoard(t, { enabled: false });
    const refused = await post({ reference: 'OPS-5' });
    expect(refused.res.status).toBe(422);
    expect(refused.res.body.details.problems[0]).toMatch(/disabled/);
    expect((await t.api('GET', `/v1/postings/${res.body.id}`)).body.state).toBe('live');
    const boards = await t.api('GET', `/v1/jobs/${refused.job.id}/boards`);
    expect(boards.body.items[0]).toMatchObject({ configured: true, enabled: false, posted: false });
    await putCvLibraryBoard(t);
  });

  it('validates board settings with clear messages and never answers with the secret', async () => {
    const bad = await t.api('PUT', '/v1/boards/cv-library', {
      credentials: { username: 'x' },
      jobTypeMapping: { 'full-time': 'Forever' },
      industryMapping: {},
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.details)).toMatch(/credentials/);
    expect(JSON.stringify(bad.body.details)).toMatch(/jobTypeMapping/);
    const shown = await t.api('GET', '/v1/boards/cv-library');
    expect(shown.body.credentials).toEqual({ username: 'acme-api', password: '••••' });
  });
});
