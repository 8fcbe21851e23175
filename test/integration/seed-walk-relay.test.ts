import { SANDBOX_INHIRE_ORIGIN } from '../../src/providers/erecruiter-inhire/sandbox-erecruiter';
import { waitForRuns } from '../fixtures/connectors';
import { erecruiterCompany, inhireAccount, pairConnector, pairOf } from '../fixtures/erecruiter-inhire';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';

// Seed 004 (inhire ↔ eRecruiter) as its user walks the setup: the connection, "Zaimportuj source ID" and
// "Włącz synchronizację", through the API, Temporal, the worker, the pair's sandboxes and the store.

describeEachStore('seed 004 walked: inhire ↔ eRecruiter setup', (store) => {
  let t: TestSystem;
  let nextCompany = 700;
  beforeAll(async () => {
    t = await startTestSystem({}, { store });
  });
  afterAll(() => t?.stop());

  /** A connector on a company and inhire account of its own; `accessKey` replaces the partner key it was issued. */
  async function connect(name: string, accessKey?: string) {
    const company = erecruiterCompany(t, nextCompany++);
    const credentials = { ...(accessKey ? { erecruiter: { accessKey } } : company.credentials), ...inhireAccount(t, name) };
    const created = await t.api(
      'POST',
      '/v1/connectors',
      pairConnector(t, { name, settings: { companyId: company.companyId }, credentials }),
    );
    expect(created.status).toBe(201);
    await waitForRuns(t, created.body.id, 1);
    return created.body.id as string;
  }

  it('"Import source ID" with a refused access key, or with eRecruiter not answering, says so (422, 502) and saves nothing', async () => {
    const refused = await connect('walk-refused-key', 'not-the-partner-key');
    const listed = await t.api('GET', `/v1/connectors/${refused}/sources`);
    expect(listed.status).toBe(422);
    expect(listed.body.error).toBe(
      `eRecruiter's publication places could not be read: eRecruiter refused (ProviderAuthError (HTTP 401)); POST /v1/connectors/${refused}/test says which check fails`,
    );
    const chosen = await t.api('PUT', `/v1/connectors/${refused}/source`, { sourceId: SANDBOX_INHIRE_ORIGIN.id });
    expect(chosen.status).toBe(422);
    expect((await t.api('GET', `/v1/connectors/${refused}`)).body.settings.sourceId).toBeUndefined();

    const id = await connect('walk-no-answer');
    const { erecruiter } = pairOf(t);
    erecruiter.faults.dropRate = 1;
    try {
      const unanswered = await t.api('GET', `/v1/connectors/${id}/sources`);
      expect(unanswered.status).toBe(502);
      expect(unanswered.body.error).toMatch(/^eRecruiter's publication places could not be read: eRecruiter did not answer/);
      const enabling = await t.api('POST', `/v1/connectors/${id}/status-sync`, {});
      expect(enabling.status).toBe(422);
      expect(enabling.body.error).toContain('eRecruiter does not answer');
    } finally {
      erecruiter.faults.dropRate = 0;
    }
    const answered = await t.api('GET', `/v1/connectors/${id}/sources`);
    expect(answered.status).toBe(200);
    expect(answered.body.sources).toContainEqual({ id: String(SANDBOX_INHIRE_ORIGIN.id), name: SANDBOX_INHIRE_ORIGIN.name });
  });

  it('switching the status sync on again with another time moves the daily Schedule (not a 200 that ignores it)', async () => {
    const id = await connect('walk-switch-on-again');
    const on = await t.api('POST', `/v1/connectors/${id}/status-sync`, {});
    expect(on.status).toBe(201);
    expect(on.body).toMatchObject({ time: '17:00', timezone: 'Europe/Warsaw' });

    const again = await t.api('POST', `/v1/connectors/${id}/status-sync`, { time: '09:15' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ time: '09:15', timezone: 'Europe/Warsaw', enabledAt: on.body.enabledAt });
    const warsaw = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Warsaw', hour: '2-digit', minute: '2-digit' });
    for (const at of again.body.schedule.nextRunAt) expect(warsaw.format(new Date(at))).toBe('09:15');
    const described = await t.system.client.schedule.getHandle(`status-sync:${id}`).describe();
    expect(described.spec.calendars?.[0].comment).toBe('daily at 09:15 Europe/Warsaw');
    expect((await t.api('GET', `/v1/connectors/${id}/status-sync`)).body).toMatchObject({ time: '09:15', timezone: 'Europe/Warsaw' });
  });
});
