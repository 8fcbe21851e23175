import { SANDBOX_INHIRE_ORIGIN } from '../../src/providers/erecruiter-inhire/sandbox-erecruiter';
import { waitForRuns } from '../fixtures/connectors';
import { deliveriesSettled, ownPairConnector, pairOf } from '../fixtures/erecruiter-inhire';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

// A GDPR request arrives with the person's email (or phone and surname), not our candidate id. Two people:
// Maja, whom only inhire knows (relayed into eRecruiter, waiting there for a source: jobrelay holds her contact data
// and no candidate), and Tomasz, a candidate from a board who is also waiting in the relay.
describeEachStore('data subject requests by email, or phone and surname', (store) => {
  let t: TestSystem;
  let connectorId: string;
  let maja: { id: string; email?: string; phone?: string; lastName: string };
  let tomasz: typeof maja;
  let tomaszId: string;
  let recruitmentId: number;

  /** Runs the connector's hand-over once more and waits for that run to finish. */
  const sync = async () => {
    const runs = (await t.api('GET', `/v1/connectors/${connectorId}`)).body.status.streams.deliveries.totals.runs as number;
    expect((await t.api('POST', `/v1/connectors/${connectorId}/sync`, {})).status).toBe(202);
    await waitForRuns(t, connectorId, runs + 1);
  };

  beforeAll(async () => {
    t = await startTestSystem({}, { store });
    // No source chosen: deliveries wait, refused, with the person staged.
    connectorId = await ownPairConnector(t, 'by-identity', 700);
    const { erecruiter, inhire } = pairOf(t);
    const recruitment = erecruiter.addRecruitment({ companyId: 700 });
    recruitmentId = recruitment.id;
    [maja, tomasz] = inhire.addReady(recruitment.id, 2, { account: 'by-identity' });
    await sync();
    await deliveriesSettled(t, connectorId, [maja.id, tomasz.id]);

    tomaszId = (
      await t.deps.store.candidates.upsertFromSource({
        source: { provider: 'cv-library', externalId: `identity-${tomasz.id}` },
        fields: { firstName: 'Tomasz', lastName: tomasz.lastName, email: tomasz.email, phone: tomasz.phone },
        matchBy: ['email'],
        createIfUnknown: true,
        applicationIds: [`identity-${tomasz.id}`],
      })
    ).candidateId as string;
  });
  afterAll(() => t?.stop());

  it('refuses a request that names no one, and one from a token without the admin scope', async () => {
    for (const body of [{}, { phone: '+48 600 100 200' }, { lastName: 'Nowak' }]) {
      const res = await t.api('POST', '/v1/privacy/subjects/find', body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain('give the person’s email, or their phone and last name');
    }
    const reader = (await t.api('POST', '/v1/tokens', { name: 'identity reader', scope: 'read' })).body.token;
    for (const action of ['find', 'export', 'erase'])
      expect((await t.api('POST', `/v1/privacy/subjects/${action}`, { email: maja.email }, { token: reader })).status).toBe(403);
  });

  it('finds a person no candidate holds by their email, and exports what the relay holds of them, audited', async () => {
    const found = await t.api('POST', '/v1/privacy/subjects/find', { email: maja.email?.toUpperCase() });
    expect(found.status).toBe(200);
    expect(found.body).toEqual({ candidates: [], foundByIdentity: { deliveries: 0, relayDeliveries: 1 }, erasedBefore: false });

    const exported = await t.api('POST', '/v1/privacy/subjects/export', { email: maja.email });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('cache-control')).toContain('no-store');
    expect(exported.body.candidates).toEqual([]);
    expect(exported.body.foundByIdentity.relayDeliveries).toEqual([
      expect.objectContaining({
        connectorId,
        toolCandidateId: maja.id,
        state: 'refused',
        person: expect.objectContaining({ email: maja.email }),
      }),
    ]);
    const [audit] = (await t.api('GET', '/v1/privacy/audit?action=export&limit=1')).body.items;
    expect(audit).toMatchObject({ action: 'export', details: { by: 'identity', candidates: [], sections: { relayDeliveries: 1 } } });
    expect(audit.candidateId).toBeUndefined();
    expect(JSON.stringify(audit)).not.toContain(String(maja.email));
  });

  it('finds a candidate by phone and surname as the match rules do: another email is another person', async () => {
    const byPhone = await t.api('POST', '/v1/privacy/subjects/find', { phone: tomasz.phone, lastName: ` ${tomasz.lastName} ` });
    expect(byPhone.body.candidates.map((c: { id: string }) => c.id)).toEqual([tomaszId]);
    const otherEmail = await t.api('POST', '/v1/privacy/subjects/find', {
      email: 'someone.else@example.org',
      phone: tomasz.phone,
      lastName: tomasz.lastName,
    });
    expect(otherEmail.body.candidates).toEqual([]);
  });

  it('erases a person no candidate holds: nothing of them is left, they stay erased, and a later hand-over is refused', async () => {
    const erased = await t.api('POST', '/v1/privacy/subjects/erase', { email: maja.email });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({
      erasedBy: expect.any(String),
      candidates: [],
      erasedByIdentity: { deliveries: 0, relayDeliveries: 1 },
    });

    const rows = JSON.stringify(
      await t.deps.store.db.selectFrom('relay_deliveries').selectAll().where('connector_id', '=', connectorId).execute(),
    );
    for (const trace of [maja.email, maja.phone, maja.lastName]) if (trace) expect(rows).not.toContain(trace);
    expect((await t.api('POST', '/v1/privacy/subjects/find', { email: maja.email })).body).toEqual({
      candidates: [],
      foundByIdentity: { deliveries: 0, relayDeliveries: 0 },
      erasedBefore: true,
    });
    const [audit] = (await t.api('GET', '/v1/privacy/audit?action=erasure&limit=1')).body.items;
    expect(audit).toMatchObject({ details: { by: 'identity', candidates: [], erased: { relayDeliveries: 1 } } });

    // inhire hands her over again: refused as erased, and eRecruiter never receives her.
    pairOf(t).inhire.markReady(maja.id);
    await sync();
    const connector = (await t.api('GET', `/v1/connectors/${connectorId}`)).body;
    expect(connector.status.streams.deliveries.skippedReasons).toMatchObject({ erased: 1 });
    expect(pairOf(t).erecruiter.applicationsOf(maja.id)).toEqual([]);
  });

  it('erases every candidate who is the person, and what the relay holds of them, in one request', async () => {
    const erased = await t.api('POST', '/v1/privacy/subjects/erase', { email: tomasz.email });
    expect(erased.status).toBe(200);
    expect(erased.body.candidates).toEqual([
      expect.objectContaining({ candidateId: tomaszId, erased: expect.objectContaining({ candidate: 1, sources: 1 }) }),
    ]);
    // The relay's delivery of him went with the candidate's erasure or before it: once, either way.
    const relayed = erased.body.erasedByIdentity.relayDeliveries + erased.body.candidates[0].erased.relayDeliveries;
    expect(relayed).toBe(1);
    expect((await t.api('GET', `/v1/candidates/${tomaszId}`)).status).toBe(410);

    // Asking again changes nothing and finds no one.
    const again = await t.api('POST', '/v1/privacy/subjects/erase', { email: tomasz.email });
    expect(again.body).toMatchObject({ candidates: [], erasedByIdentity: { deliveries: 0, relayDeliveries: 0 } });
  });

  it('tells the operator where a person went who reached eRecruiter while being erased: the ATS holds them now', async () => {
    const { erecruiter, inhire } = pairOf(t);
    const [ola] = inhire.addReady(recruitmentId, 1, { account: 'by-identity' });
    await sync(); // no source chosen yet: refused, waiting with her data staged
    expect((await deliveriesSettled(t, connectorId, [ola.id])).get(ola.id)?.state).toBe('refused');
    // She asks to be erased just as her application reaches eRecruiter, which answers after the erasure is made.
    let erasing: Promise<{ status: number; body: any }> | undefined;
    erecruiter.onRequest = (method, path) => {
      if (method !== 'POST' || !path.endsWith('/CandidateApplications') || erasing) return;
      erecruiter.faults.latencyMs = 3000;
      erasing = t.api('POST', '/v1/privacy/subjects/erase', { email: ola.email });
    };
    try {
      expect((await t.api('PUT', `/v1/connectors/${connectorId}/source`, { sourceId: SANDBOX_INHIRE_ORIGIN.id })).status).toBe(200);
      // Her delivery runs again now that a source is chosen; its workflow ends once eRecruiter has answered.
      const resent = await waitFor(
        () => deliveriesSettled(t, connectorId, [ola.id]),
        (d) => d.get(ola.id)?.state !== 'refused' && erasing !== undefined,
        60_000,
        'her delivery sent',
      );
      expect((await erasing)?.body.erasedByIdentity).toEqual({ deliveries: 0, relayDeliveries: 1 });
      await t.system.client.workflow.getHandle(resent.get(ola.id)?.workflowId as string).result();
      const [application] = erecruiter.applicationsOf(ola.id);
      expect(application).toBeDefined();
      expect((await deliveriesSettled(t, connectorId, [ola.id])).get(ola.id)).toMatchObject({
        state: 'erased',
        detail: `sent to the ATS while the person was being erased: remove application ${application.id} in the ATS`,
      });
      const metrics = await (await fetch(`${t.system.apiUrl}/metrics`)).text();
      expect(metrics).toMatch(/jobrelay_relay_sent_during_erasure_total\{provider="erecruiter-inhire"\} 1/);
    } finally {
      erecruiter.onRequest = undefined;
      erecruiter.faults.latencyMs = 0;
    }
  });
});
