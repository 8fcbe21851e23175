import { aJob } from '../fixtures/jobs';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';

describeEachStore('API on a real Temporal dev server', (store) => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem({}, { store });
  });
  afterAll(() => t?.stop());

  it('is live and ready, with Temporal, the database and the worker checked', async () => {
    expect((await t.api('GET', '/healthz', undefined, { token: null })).status).toBe(200);
    const ready = await t.api('GET', '/readyz', undefined, { token: null });
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ temporal: { ok: true }, database: { ok: true }, worker: { ok: true } });
  });

  it('refuses /v1 without the bearer token', async () => {
    const none = await t.api('GET', '/v1/jobs/job_x', undefined, { token: null });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ error: 'missing or invalid bearer token' });
    expect((await t.api('GET', '/v1/jobs/job_x', undefined, { token: 'wrong' })).status).toBe(401);
  });

  it('creates and reads a job', async () => {
    const created = await t.api('POST', '/v1/jobs', aJob());
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/jobs/${created.body.id}`);
    const read = await t.api('GET', `/v1/jobs/${created.body.id}`);
    expect(read.body).toEqual(created.body);
  });

  it('answers 400 with the zod issues for a bad job, and writes nothing', async () => {
    const jobs = async () =>
      Number(
        (
          await t.deps.store.db
            .selectFrom('jobs')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await jobs();
    const res = await t.api('POST', '/v1/jobs', { ...aJob(), title: '', salary: { min: 5, max: 1, currency: 'pounds', period: 'annum' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid body');
    expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['salary.currency', 'salary.min', 'title']);
    expect(await jobs()).toBe(before);
  });

  it('answers malformed JSON and unknown routes with JSON errors, no stack', async () => {
    const bad = await t.api('POST', '/v1/jobs', '{"title":');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'malformed JSON body' });
    const missing = await t.api('GET', '/v1/nope');
    expect(missing.status).toBe(404);
    expect(JSON.stringify(missing.body)).not.toMatch(/at .*\.ts/);
  });

  it('serves the OpenAPI document built from the route schemas, and the docs page', async () => {
    const doc = await t.api('GET', '/openapi.json', undefined, { token: null });
    expect(doc.body.paths['/v1/jobs'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['title', 'description', 'location', 'employmentStatus', 'recruiter']),
    );
    expect(doc.body.paths['/v1/jobs/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path' });
    // A connector's settings are each provider's own: the document names them, as seed 003's form has them.
    const lever = doc.body.components.schemas['lever.settings'];
    expect(lever.required).toEqual(expect.arrayContaining(['companyCode', 'postingState']));
    expect(lever.properties.distributionChannel).toMatchObject({ enum: ['public', 'internal', 'public-and-internal'] });
    expect(Object.keys(lever.properties)).toEqual(
      expect.arrayContaining([
        'remote',
        'hiddenJobs',
        'syncResumes',
        'importUnknownCandidates',
        'jobsIntervalMinutes',
        'candidatesStartDate',
      ]),
    );
    expect(doc.body.components.schemas['lever.credentials'].required).toEqual(['apiKey']);
    expect(doc.body.components.schemas['smartrecruiters.settings'].required).toContain('companyIdentifier');
    expect(doc.body.paths['/v1/connectors'].post.requestBody.content['application/json'].schema.properties.settings.description).toContain(
      'lever.settings',
    );
    const docs = await fetch(`${t.system.apiUrl}/docs`);
    expect(await docs.text()).toContain('/openapi.json');
    expect((await fetch(`${t.system.apiUrl}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
  });

  it('counts requests in /metrics', async () => {
    const created = async () => {
      const metrics = await t.api('GET', '/metrics', undefined, { token: null });
      return Number(/jobrelay_http_requests_total\{method="POST",route="\/v1\/jobs",status="201"\} (\d+)/.exec(metrics.body)?.[1] ?? 0);
    };
    const before = await created();
    expect((await t.api('POST', '/v1/jobs', aJob())).status).toBe(201);
    expect(await created()).toBe(before + 1);
  });
});
