import { SANDBOX_API_KEY } from '../../src/providers/lever/sandbox';
import { leverConnector, recordSyncHistory, waitForRuns } from '../fixtures/connectors';
import { runLeverSandbox } from '../fixtures/lever';
import { shownHistory } from '../helpers/history';
import { recordHistory } from '../helpers/record';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

describeEachStore('connectors API', (store) => {
  let t: TestSystem;
  let s: Awaited<ReturnType<typeof runLeverSandbox>>;
  beforeAll(async () => {
    [t, s] = await Promise.all([startTestSystem({}, { store }), runLeverSandbox({ rateLimit: { perSecond: 1000, burst: 100 } })]);
    s.sandbox.seed({ postings: 10, opportunities: 30, resumes: true, seed: 5 });
  });
  afterAll(async () => {
    await t?.stop();
    await s?.close();
  });

  it('answers 400 with zod issues for invalid settings (including a regex RE2 cannot run) and creates nothing', async () => {
    const body = leverConnector(s.baseUrl, SANDBOX_API_KEY, {
      remote: { field: 'location', remoteRegex: '(?!onsite)' },
      distributionChannel: 'everywhere',
    });
    const res = await t.api('POST', '/v1/connectors', { ...body, credentials: {} });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'settings.distributionChannel',
      'settings.remote.remoteRegex',
    ]);
    const unknown = await t.api('POST', '/v1/connectors', { ...body, provider: 'workday' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details[0]).toMatchObject({ path: 'provider', message: expect.stringContaining('lever') });
    const rows = await t.deps.store.db
      .selectFrom('connectors')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(0);
  });

  it('keeps the key out of responses, the database in clear, and the workflow history', async () => {
    const created = await t.api('POST', '/v1/connectors', leverConnector(s.baseUrl, SANDBOX_API_KEY));
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain(SANDBOX_API_KEY);
    await waitForRuns(t, created.body.id, 1);
    const row = await t.deps.store.db.selectFrom('connectors').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(row.credentials).not.toContain(SANDBOX_API_KEY);
    const history = shownHistory(created.body.workflowId);
    expect(history).toContain('loadConnectorPlan');
    expect(history).not.toContain(SANDBOX_API_KEY);
    const got = await t.api('GET', `/v1/connectors/${created.body.id}`);
    expect(JSON.stringify(got.body)).not.toContain(SANDBOX_API_KEY);
    const metrics = await t.api('GET', '/metrics', undefined, { token: null });
    expect(metrics.body).toMatch(
      new RegExp(`jobrelay_sync_records_total\\{connector="${created.body.id}",stream="candidates",outcome="created"\\} [1-9]`),
    );
    const listed = await t.api('GET', '/v1/connectors?provider=lever');
    expect(listed.body.items.map((c: { id: string }) => c.id)).toContain(created.body.id);
    expect(JSON.stringify(listed.body)).not.toContain(SANDBOX_API_KEY);
    expect(got.body.status.streams.candidates).toMatchObject({
      created: expect.any(Number),
      intervalMinutes: 60,
      nextRunAt: expect.any(String),
    });
  });

  it('tags the workflow with ConnectorId and Provider search attributes', async () => {
    const created = await t.api('POST', '/v1/connectors', leverConnector(s.baseUrl, SANDBOX_API_KEY, { candidatesStartDate: undefined }));
    const described = await t.system.client.workflow.getHandle(created.body.workflowId).describe();
    expect(described.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value])).toEqual(
      expect.arrayContaining([
        ['ConnectorId', created.body.id],
        ['Provider', 'lever'],
      ]),
    );
  });

  it('tests the connection and names the permissions the key lacks', async () => {
    s.sandbox.addKey('limited-key-0001', { permissions: ['list postings', 'list opportunities', 'list stages'], confidential: false });
    const created = await t.api('POST', '/v1/connectors', leverConnector(s.baseUrl, 'limited-key-0001'));
    await t.api('POST', `/v1/connectors/${created.body.id}/pause`, {});
    const report = await t.api('POST', `/v1/connectors/${created.body.id}/test`, {});
    expect(report.status).toBe(200);
    expect(report.body.ok).toBe(false);
    expect(report.body.missing).toEqual([
      'key lacks list archive reasons',
      'key lacks access to confidential data',
      'key lacks list opportunity resumes',
    ]);
    const good = await t.api('POST', '/v1/connectors', leverConnector(s.baseUrl, SANDBOX_API_KEY));
    const ok = await t.api('POST', `/v1/connectors/${good.body.id}/test`, {});
    expect(ok.body).toMatchObject({ ok: true, missing: [] });
    expect(ok.body.checks.map((c: { name: string }) => c.name)).toContain('download opportunity resume');
    if (process.env.RECORD_HISTORIES === '1') {
      const [run] = await waitFor(
        async () => {
          const ids: string[] = [];
          for await (const w of t.system.client.workflow.list({ query: 'WorkflowType="connectorTest"' }))
            if (w.workflowId.startsWith(`test:${good.body.id}:`)) ids.push(w.workflowId);
          return ids;
        },
        (ids) => ids.length > 0,
        20_000,
        'the connection test run',
      );
      await recordHistory('connector-test', t.system.client.workflow.getHandle(run));
    }
  });

  it('pauses, refuses a sync while paused (409), resumes, and reconfigures intervals with PATCH', async () => {
    const created = await t.api(
      'POST',
      '/v1/connectors',
      leverConnector(s.baseUrl, SANDBOX_API_KEY, { candidatesStartDate: undefined, jobsStartDate: undefined }),
    );
    const id = created.body.id;
    expect((await t.api('POST', `/v1/connectors/${id}/pause`, {})).body.state).toBe('paused');
    const refused = await t.api('POST', `/v1/connectors/${id}/sync`, { stream: 'jobs' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/paused/);
    expect((await t.api('POST', `/v1/connectors/${id}/resume`, {})).body.state).toBe('active');
    const patched = await t.api('PATCH', `/v1/connectors/${id}`, { settings: { jobsIntervalMinutes: 5 } });
    expect(patched.status).toBe(200);
    expect(patched.body.settings.jobsIntervalMinutes).toBe(5);
    // The loop loads the new plan after the PATCH answered: a run under way may still show the old interval.
    await waitFor(
      () => t.api('GET', `/v1/connectors/${id}`).then((r) => r.body),
      (c) => c.status?.streams.jobs?.intervalMinutes === 5 && c.status.streams.jobs.totals.runs >= 1,
      60_000,
      'a run of the loop with the new interval',
    );
    const bad = await t.api('PATCH', `/v1/connectors/${id}`, { settings: { remote: { field: 'location', hybridRegex: '[' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('settings.remote.hybridRegex');
    expect((await t.api('GET', '/v1/connectors/conn_missing')).status).toBe(404);
    await recordSyncHistory(t, id, 'connector-sync-paused-resumed-reconfigured');
  });
});
