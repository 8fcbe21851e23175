import express from 'express';
import { createCvLibrarySandbox } from '../../src/providers/cv-library';
import { putCvLibraryBoard } from '../fixtures/cv-library';
import { applicationId, deliver, intakeOutcome } from '../fixtures/direct-apply';
import { aJob } from '../fixtures/jobs';
import { type Served, serve } from '../helpers/serve';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';
import { example, shapeDifferences } from './shape';

// CV-Library's contract as written in ../shared/providers/cv-library.md, held as literal examples in ./examples:
// what our client sends and accepts is compared with them, and so is what the sandbox accepts and sends.

const jobCreate = example('cv-library-job-create');
const jobCreated = example('cv-library-job-created');
const delivery = example('cv-library-direct-apply');
/** Marked `?` in the documentation; `industry` may be left out ("No industry sent → Other"); salary_from/_to are
 * listed without `?`, but a job may have no salary, so jobrelay reads them as optional too (to confirm with the partner). */
const OPTIONAL_JOB_FIELDS = ['salary_from', 'salary_to', 'salary_benefits', 'county', 'start_date', 'industry'];
/** The board sends what the candidate's profile holds ("the email when given", "the CV if attached"): any field but
 * the ids may be absent (issue 8), never one the documentation does not list, nor one of another JSON type. */
const OPTIONAL_DELIVERY_FIELDS = [
  'first_name',
  'last_name',
  'email',
  'phone',
  'town',
  'county',
  'postcode',
  'applied_at',
  'job_title',
  'cv',
];
const BASIC = { username: 'acme-api', password: 'posting-password-s3cret' };

describe('CV-Library contract: what jobrelay sends and accepts, against the documented examples', () => {
  let t: TestSystem;
  let board: Served;
  const received: Array<{ path: string; authorization?: string; body: Record<string, any> }> = [];

  beforeAll(async () => {
    // A stand-in for CV-Library that records each call and answers with the documented examples only.
    const app = express().use(express.json());
    app.post('/v2/job/create', (req, res) => {
      received.push({ path: req.path, authorization: req.headers.authorization, body: req.body });
      res.json(jobCreated);
    });
    app.get('/v2/jobs', (_req, res) => res.json({ jobs: [] }));
    [t, board] = await Promise.all([startTestSystem(), serve(app)]);
    await putCvLibraryBoard(t, { baseUrl: board.url, credentials: BASIC });
  });
  afterAll(async () => {
    await t?.stop();
    await board?.close();
  });

  it('posts a job as the documented create body and takes the documented answer; a delivery in the documented shape is taken in', async () => {
    const job = (await t.api('POST', '/v1/jobs', aJob())).body;
    const accepted = await t.api('POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library', salaryText: '£28k–£32k + bonus' });
    expect(accepted.status).toBe(202);
    const live = await waitFor(
      () => t.api('GET', `/v1/postings/${accepted.body.id}`).then((r) => r.body),
      (p) => p.state !== 'pending',
      30_000,
      'the posting to leave pending',
    );

    // What we sent: the documented fields, with the documented JSON types; nothing the documentation does not have.
    expect(received).toHaveLength(1);
    const [{ body: sent, authorization }] = received;
    expect(shapeDifferences(sent, jobCreate, { optional: OPTIONAL_JOB_FIELDS })).toEqual([]);
    expect(authorization).toBe(`Basic ${Buffer.from(`${BASIC.username}:${BASIC.password}`).toString('base64')}`);
    expect(sent).toMatchObject({ job_type: 'Permanent', salary_period: 'annum', salary_currency: 'GBP', duration_days: 28 });

    // What we took from the answer.
    expect(live).toMatchObject({
      state: 'live',
      externalId: String(jobCreated.job_id),
      publicUrl: jobCreated.url,
      expiresAt: new Date(jobCreated.expires_at).toISOString(),
    });

    // The documented delivery, POSTed to the direct_apply_url we gave, becomes a candidate and an application.
    const id = applicationId('contract');
    const answered = await deliver(sent.direct_apply_url, { ...delivery, id, direct_apply_jobid: sent.reference });
    expect(answered.status).toBe(200);
    expect(await intakeOutcome(t, id)).toMatchObject({ outcome: 'recorded', late: false });
    const [application] = (await t.api('GET', `/v1/applications?jobId=${job.id}`)).body.items;
    expect(application).toMatchObject({
      externalId: id,
      referrer: 'cv-library.co.uk',
      appliedAt: new Date(delivery.applied_at).toISOString(),
    });
    const candidate = (await t.api('GET', `/v1/candidates/${application.candidateId}`)).body;
    expect(candidate).toMatchObject({
      firstName: delivery.first_name,
      lastName: delivery.last_name,
      email: delivery.email,
      phone: delivery.phone.replace(/\s/g, ''),
      location: { town: delivery.town, county: delivery.county, postcode: delivery.postcode },
    });
    expect(candidate.documents).toEqual([
      expect.objectContaining({ filename: delivery.cv.filename, contentType: delivery.cv.content_type }),
    ]);
  });
});

describe('CV-Library sandbox: the documented examples drive it', () => {
  let sandbox: Served;
  let receiver: Served;
  const deliveries: Array<Record<string, unknown>> = [];
  const call = async (method: string, path: string, body?: unknown, auth = true) => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(auth && { authorization: `Basic ${Buffer.from(`${BASIC.username}:${BASIC.password}`).toString('base64')}` }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    sandbox = await serve(createCvLibrarySandbox().app);
    receiver = await serve(
      express()
        .use(express.json({ limit: '5mb' }))
        .post('/applications', (req, res) => {
          deliveries.push(req.body);
          res.json({ ok: true });
        }),
    );
    await call('POST', '/_sandbox/accounts', { ...BASIC, posterEmails: [jobCreate.poster_email] }, false);
  });
  afterAll(async () => {
    await sandbox?.close();
    await receiver?.close();
  });

  it('takes the documented create body and answers in the documented shape, keeping every field', async () => {
    const created = await call('POST', '/v2/job/create', jobCreate);
    expect(created.status).toBe(200);
    expect(shapeDifferences(created.body, jobCreated)).toEqual([]);
    const held = await call('GET', `/v2/job/${created.body.job_id}?poster_email=${jobCreate.poster_email}`);
    expect(held.body).toMatchObject({ ...jobCreate, status: 'live' });
    await call('DELETE', `/v2/job/delete/${created.body.job_id}?poster_email=${jobCreate.poster_email}`);
  });

  it('refuses, naming the field, what the documentation does not allow', async () => {
    const { job_type, ...withoutJobType } = jobCreate;
    const refusals = await Promise.all([
      call('POST', '/v2/job/create', { ...withoutJobType, jobtype: job_type }),
      call('POST', '/v2/job/create', { ...jobCreate, job_type: 'Full time' }),
      call('POST', '/v2/job/create', { ...jobCreate, industry: 'Finance' }),
      call('POST', '/v2/job/create', { ...jobCreate, salary_period: 'year' }),
      call('POST', '/v2/job/create', { ...jobCreate, postcode: undefined }),
      call('POST', '/v2/job/create', { ...jobCreate, cv_required: 'no' }),
    ]);
    expect(refusals.map((r) => [r.status, r.body.error, r.body.field])).toEqual([
      [422, 'invalid_field', 'jobtype'],
      [422, 'invalid_field', 'job_type'],
      [422, 'invalid_field', 'industry'],
      [422, 'invalid_field', 'salary_period'],
      [422, 'invalid_field', 'postcode'],
      [422, 'invalid_field', 'cv_required'],
    ]);
    expect(refusals[1].body.message).toBe(
      'job_type must be one of Permanent, Contract, Temporary, Part time, Apprenticeship (got "Full time")',
    );
    expect(refusals[4].body.message).toBe('postcode is required');
  });

  it('posts a job sent without an industry under Other', async () => {
    const { industry: _industry, ...withoutIndustry } = jobCreate;
    const created = await call('POST', '/v2/job/create', { ...withoutIndustry, reference: 'jr-no-industry-0' });
    expect(created.status).toBe(200);
    const held = await call('GET', `/v2/job/${created.body.job_id}?poster_email=${jobCreate.poster_email}`);
    expect(held.body.industry).toBe('Other');
  });

  it('delivers DirectApply applications in the documented shape, with and without a CV and an email', async () => {
    const created = await call('POST', '/v2/job/create', {
      ...jobCreate,
      reference: 'jr-delivery-0',
      direct_apply_url: `${receiver.url}/applications`,
    });
    const apply = (body: Record<string, unknown>) => call('POST', `/_sandbox/jobs/${created.body.job_id}/applications`, body, false);
    expect((await apply({ cv: true })).body.state).toBe('delivered');
    expect((await apply({ cv: false, email: null })).body.state).toBe('delivered');
    expect(deliveries).toHaveLength(2);
    for (const sent of deliveries) expect(shapeDifferences(sent, delivery, { optional: OPTIONAL_DELIVERY_FIELDS })).toEqual([]);
    expect(deliveries[0]).toMatchObject({ direct_apply_jobid: 'jr-delivery-0', job_title: jobCreate.title, cv: expect.any(Object) });
    expect(deliveries[1]).not.toHaveProperty('email');
  });
});
