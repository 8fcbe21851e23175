import { CV_ACCOUNT, putCvLibraryBoard, sandboxJobs, setUpCvLibrary, untilPostingState } from '../fixtures/cv-library';
import { aJob } from '../fixtures/jobs';
import { shownHistory } from '../helpers/history';
import { recordHistory } from '../helpers/record';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

describeEachStore('CV-Library postings through API → Temporal → activity → sandbox → store', (store) => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem({}, { store });
    await setUpCvLibrary(t);
  });
  afterAll(() => t?.stop());

  const posting = (id: string) => t.api('GET', `/v1/postings/${id}`).then((r) => r.body);
  const untilState = (id: string, state: string) => untilPostingState(t, id, state);

  async function postAJob(overrides = {}, options = {}) {
    const job = (await t.api('POST', '/v1/jobs', aJob(overrides))).body;
    const res = await t.api('POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library', ...options });
    expect(res.status).toBe(202);
    return { job, accepted: res.body };
  }

  it('posts a job: live, with a link to view it on CV-Library and a 28-day expiry; the same request again returns the same posting', async () => {
    const { job, accepted } = await postAJob();
    expect(accepted).toMatchObject({ jobId: job.id, board: 'cv-library', state: 'pending', workflowId: `posting:cv-library:${job.id}` });

    const live = await untilState(accepted.id, 'live');
    expect(live.publicUrl).toMatch(/^https:\/\/www\.cv-library\.co\.uk\/job\//);
    const days = (Date.parse(live.expiresAt) - Date.parse(live.postedAt)) / 86_400_000;
    expect(Math.round(days)).toBe(28);
    expect(live.events.map((e: { kind: string }) => e.kind)).toEqual(['posted']);

    const onBoard = (await sandboxJobs(t)).filter((j) => j.job_id === live.externalId);
    expect(onBoard).toHaveLength(1);
    expect(onBoard[0]).toMatchObject({
      status: 'live',
      title: job.title,
      job_type: 'Permanent',
      industry: 'Accounting/Financial/Insurance',
      postcode: 'LS1 4AP',
      cv_required: false,
    });
    expect(onBoard[0].direct_apply_url).toContain(`/v1/webhooks/cv-library/applications?posting=${live.id}&token=`);

    const again = await t.api('POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(accepted.id);
    expect((await sandboxJobs(t)).filter((j) => j.reference?.startsWith(accepted.id))).toHaveLength(1);

    const view = await t.api('GET', `/v1/jobs/${job.id}/boards`);
    expect(view.body.items).toEqual([
      expect.objectContaining({
        board: 'cv-library',
        configured: true,
        enabled: true,
        posted: true,
        posting: expect.objectContaining({ id: accepted.id, publicUrl: live.publicUrl }),
      }),
    ]);
  });

  it('makes one posting, one workflow and one board job of the same request sent eight times at once', async () => {
    const job = (await t.api('POST', '/v1/jobs', aJob({ reference: 'REQ-8' }))).body;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => t.api('POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library' })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 202]);
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    const [id] = ids;
    const live = await untilState(id, 'live');
    expect(live.events.map((e: { kind: string }) => e.kind)).toEqual(['posted']);
    expect((await sandboxJobs(t)).filter((j) => j.reference?.startsWith(id))).toHaveLength(1);
    const described = await t.system.client.workflow.getHandle(live.workflowId).describe();
    expect(described.runId).toBe(described.raw.workflowExecutionInfo?.firstRunId);
  });

  it('amends the board when the job is edited, and unposts once (twice changes nothing)', async () => {
    const { job, accepted } = await postAJob({ reference: 'REQ-2' });
    const live = await untilState(accepted.id, 'live');

    expect((await t.api('PATCH', `/v1/jobs/${job.id}`, { title: 'Senior Payroll Administrator' })).status).toBe(200);
    await waitFor(
      () => sandboxJobs(t),
      (jobs) => jobs.some((j) => j.job_id === live.externalId && j.title === 'Senior Payroll Administrator'),
      20_000,
      'amended title on the board',
    );

    const unposted = await t.api('DELETE', `/v1/postings/${accepted.id}`);
    expect(unposted.body.state).toBe('unposted');
    const requestsAfterFirst = (await sandboxJobs(t)).find((j) => j.job_id === live.externalId)!.requests;
    const twice = await t.api('DELETE', `/v1/postings/${accepted.id}`);
    expect(twice.body.state).toBe('unposted');
    const boardJob = (await sandboxJobs(t)).find((j) => j.job_id === live.externalId)!;
    expect(boardJob.status).toBe('deleted');
    expect(boardJob.requests).toBe(requestsAfterFirst);
    await recordHistory('posting-amended-unposted', t.system.client.workflow.getHandle(accepted.workflowId));
  });

  it('unposts every live posting when the job is closed', async () => {
    const { job, accepted } = await postAJob({ reference: 'REQ-3' });
    const live = await untilState(accepted.id, 'live');
    await t.api('PATCH', `/v1/jobs/${job.id}`, { state: 'closed' });
    const closed = await untilState(accepted.id, 'unposted');
    expect(closed.events.at(-1)).toMatchObject({ kind: 'unposted', details: { reason: 'job closed' } });
    expect((await sandboxJobs(t)).find((j) => j.job_id === live.externalId)!.status).toBe('deleted');
    // The job boards screen no longer links to the role on CV-Library: it is gone there.
    const [board] = (await t.api('GET', `/v1/jobs/${job.id}/boards`)).body.items;
    expect(board).toMatchObject({ posted: false, posting: { id: accepted.id, state: 'unposted' } });
    expect(board.posting).not.toHaveProperty('publicUrl');
    const refused = await t.api('POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library' });
    expect(refused.status).toBe(422);
    expect(refused.body.details.problems).toContain('the job is closed');
  });

  it('refuses a job whose status has no CV-Library job type, naming it, before any workflow starts', async () => {
    const job = (await t.api('POST', '/v1/jobs', aJob({ employmentStatus: 'zero-hours' }))).body;
    const res = await t.api('POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library' });
    expect(res.status).toBe(422);
    expect(res.body.error).toContain('employment status "zero-hours" has no CV-Library job type');
    expect((await t.api('GET', `/v1/jobs/${job.id}/boards`)).body.items[0].posting).toBeUndefined();
  });

  const boardStats = () => t.sandbox('GET', 'cv-library', '/_sandbox/stats').then((r) => r.body);

  it('rides out 429s and 5xx from the board: every fault served, then live with no error', async () => {
    const before = await boardStats();
    await t.sandbox('POST', 'cv-library', '/_sandbox/faults', {
      failNext: [
        { status: 503, count: 2 },
        { status: 429, count: 1 },
      ],
    });
    const { accepted } = await postAJob({ reference: 'REQ-4' });
    const live = await untilState(accepted.id, 'live');
    expect(live.lastError).toBeUndefined();
    expect(live.events.map((e: { kind: string }) => e.kind)).toEqual(['posted']);
    const after = await boardStats();
    expect(after.faultsServed).toEqual({
      ...before.faultsServed,
      503: (before.faultsServed[503] ?? 0) + 2,
      429: (before.faultsServed[429] ?? 0) + 1,
    });
    // The three refused attempts and the one that posted: a retry for each fault, nothing more.
    expect(after.requests - before.requests).toBe(4);
    await t.sandbox('POST', 'cv-library', '/_sandbox/faults', {});
  });

  it('fails at once with the board’s own words when it refuses the job (422), after exactly one request', async () => {
    const before = await boardStats();
    const refusal = 'salary_to: must not be less than salary_from';
    await t.sandbox('POST', 'cv-library', '/_sandbox/faults', { failNext: [{ status: 422, count: 1, message: refusal }] });
    const { accepted } = await postAJob({ reference: 'REQ-10' });
    const failed = await untilState(accepted.id, 'failed');
    expect(failed.lastError).toBe(`publish failed: CV-Library answered 422: invalid_field: ${refusal}`);
    expect(failed.events).toEqual([expect.objectContaining({ kind: 'failed', details: { message: failed.lastError } })]);
    const after = await boardStats();
    expect(after.requests - before.requests).toBe(1);
    expect(after.faultsServed[422]).toBe((before.faultsServed[422] ?? 0) + 1);
    expect((await sandboxJobs(t)).filter((j) => j.reference?.startsWith(accepted.id))).toEqual([]);
  });

  it('a repost on request takes the job down and up again with a fresh expiry', async () => {
    const { accepted } = await postAJob({ reference: 'REQ-5' });
    const live = await untilState(accepted.id, 'live');
    const reposted = await t.api('POST', `/v1/postings/${accepted.id}/repost`);
    expect(reposted.status).toBe(200);
    expect(reposted.body).toMatchObject({ state: 'live', repostCount: 1 });
    expect(reposted.body.externalId).not.toBe(live.externalId);
    const mine = (await sandboxJobs(t)).filter((j) => j.reference?.startsWith(accepted.id));
    expect(mine.filter((j) => j.status === 'live')).toHaveLength(1);
  });

  it('fails a posting whose password was changed on CV-Library with a readable reason, no retry storm, and no secret in history', async () => {
    const stats = async () => (await t.sandbox('GET', 'cv-library', '/_sandbox/stats')).body.requests as number;
    const rotated = 'rotated-password-9f8e7d';
    await t.sandbox('PATCH', 'cv-library', `/_sandbox/accounts/${CV_ACCOUNT.id}`, { password: rotated });
    const before = await stats();
    const { accepted } = await postAJob({ reference: 'REQ-6' });
    const failed = await untilState(accepted.id, 'failed');
    expect(failed.lastError).toMatch(/publish failed: CV-Library answered 401: unauthorized: invalid username or password/);
    expect((await stats()) - before).toBe(1);

    const shown = shownHistory(accepted.workflowId);
    expect(shown).toContain('publish failed: CV-Library answered 401');
    expect(shown).not.toContain(CV_ACCOUNT.password);
    await recordHistory('posting-failed-auth', t.system.client.workflow.getHandle(accepted.workflowId));

    // The operator saves the new password (checked with CV-Library first) and posts the job again.
    expect((await putCvLibraryBoard(t, { credentials: { username: CV_ACCOUNT.username, password: rotated } })).credentials).toEqual({
      username: CV_ACCOUNT.username,
      password: '••••',
    });
    const again = await t.api('POST', `/v1/jobs/${failed.jobId}/postings`, { board: 'cv-library' });
    expect(again.status).toBe(202);
    expect((await untilState(accepted.id, 'live')).events.map((e: { kind: string }) => e.kind)).toEqual(['failed', 'posted']);

    const logs = t.logLines.join('');
    expect(logs).toContain('/v1/boards/cv-library');
    expect(logs).not.toContain(rotated);
    expect(logs).not.toContain(CV_ACCOUNT.password);
    await t.sandbox('PATCH', 'cv-library', `/_sandbox/accounts/${CV_ACCOUNT.id}`, { password: CV_ACCOUNT.password });
    await putCvLibraryBoard(t);
  });

  it('posts a job again after it was closed and reopened: a new board job for a fresh 28 days, the history keeping the first cycle', async () => {
    const { job, accepted } = await postAJob({ reference: 'REQ-7' }, { quickApply: false });
    const first = await untilState(accepted.id, 'live');
    expect((await t.api('PATCH', `/v1/jobs/${job.id}`, { state: 'closed' })).status).toBe(200);
    await untilState(accepted.id, 'unposted');
    expect((await t.api('PATCH', `/v1/jobs/${job.id}`, { state: 'open' })).status).toBe(200);
    expect((await posting(accepted.id)).state).toBe('unposted');

    const again = await t.api('POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library' });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ id: accepted.id, state: 'pending', repostCount: 1, options: { quickApply: false } });
    const second = await untilState(accepted.id, 'live');
    expect(second.externalId).not.toBe(first.externalId);
    expect(second.events.map((e: { kind: string }) => e.kind)).toEqual(['posted', 'unposted', 'posted']);
    expect(second.events[1].details).toMatchObject({ reason: 'job closed' });
    const mine = (await sandboxJobs(t)).filter((j) => j.reference?.startsWith(`${accepted.id}-`));
    expect(mine.map((j) => [j.reference, j.status])).toEqual([
      [`${accepted.id}-0`, 'deleted'],
      [`${accepted.id}-1`, 'live'],
    ]);
    const live = mine[1];
    expect(Date.parse(live.expires_at) - Date.parse(live.created_at)).toBe(28 * 86_400_000);
    expect(live.cv_required).toBe(true);

    // Each cycle's unpost stays in the history.
    expect((await t.api('DELETE', `/v1/postings/${accepted.id}`)).status).toBe(200);
    const third = await untilState(accepted.id, 'unposted');
    expect(third.events.map((e: { kind: string }) => e.kind)).toEqual(['posted', 'unposted', 'posted', 'unposted']);
  });

  it('refuses a second request with other options while the posting is live, naming where to change them', async () => {
    const { job, accepted } = await postAJob({ reference: 'REQ-8' });
    await untilState(accepted.id, 'live');
    const other = await t.api('POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library', quickApply: false });
    expect(other.status).toBe(409);
    expect(other.body.error).toContain(`with another quickApply: change options with PATCH /v1/postings/${accepted.id}`);
    expect((await posting(accepted.id)).options.quickApply).toBe(true);
  });

  it('refuses a job edit its live posting could not carry to the board, and saves nothing', async () => {
    const { job, accepted } = await postAJob({ reference: 'REQ-9' });
    const live = await untilState(accepted.id, 'live');
    const res = await t.api('PATCH', `/v1/jobs/${job.id}`, { title: 'Zero-hours payroll', employmentStatus: 'zero-hours' });
    expect(res.status).toBe(422);
    expect(res.body.error).toContain(`the cv-library posting ${accepted.id} could not carry this edit`);
    expect(res.body.details.problems).toEqual([expect.stringContaining('employment status "zero-hours" has no CV-Library job type')]);
    expect((await t.api('GET', `/v1/jobs/${job.id}`)).body).toMatchObject({ title: job.title, employmentStatus: 'full-time' });
    expect((await sandboxJobs(t)).find((j) => j.job_id === live.externalId)).toMatchObject({ title: job.title, status: 'live' });
  });

  it('removes a job type or salary text override with null: the board gets the job status mapping and no benefits text again', async () => {
    const { job, accepted } = await postAJob({ reference: 'REQ-10' }, { jobType: 'Contract', salaryText: '£32k + pension' });
    const live = await untilState(accepted.id, 'live');
    const onBoard = async () => (await sandboxJobs(t)).find((j) => j.job_id === live.externalId);
    expect(await onBoard()).toMatchObject({ job_type: 'Contract', salary_benefits: '£32k + pension' });
    // The same options again, and null for an override the posting has not got, are the same request.
    expect((await t.api('POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library', jobType: 'Contract' })).status).toBe(200);

    const cleared = await t.api('PATCH', `/v1/postings/${accepted.id}`, { jobType: null, salaryText: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.options).toEqual({ autoRepost: false, quickApply: true });
    const board = await onBoard();
    expect(board).toMatchObject({ job_type: 'Permanent', status: 'live' });
    expect(board).not.toHaveProperty('salary_benefits');
    expect((await t.api('POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library', salaryText: null })).status).toBe(200);
  });

  it('maps a job status and category an ATS writes in another case ("Full-time", "Finance") as the mapping’s "full-time" and "finance"', async () => {
    const { accepted } = await postAJob({ reference: 'REQ-11', employmentStatus: 'Full-time', category: ' Finance' });
    const live = await untilState(accepted.id, 'live');
    expect((await sandboxJobs(t)).find((j) => j.job_id === live.externalId)).toMatchObject({
      job_type: 'Permanent',
      industry: 'Accounting/Financial/Insurance',
    });
    const statuses = (await t.api('GET', '/v1/boards/cv-library')).body.unmappedJobStatuses as Array<{ employmentStatus: string }>;
    expect(statuses.map((s) => s.employmentStatus)).not.toContain('Full-time');
  });
});
