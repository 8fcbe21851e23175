import { ScheduleOverlapPolicy } from '@temporalio/client';
import { msNumberToTs, tsToDate } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { SANDBOX_INHIRE_ORIGIN, SANDBOX_OAUTH } from '../../src/providers/erecruiter-inhire/sandbox-erecruiter';
import { NO_SOURCE_REASON } from '../../src/relay/refs';
import { waitForRuns } from '../fixtures/connectors';
import { deliveriesSettled, erecruiterCompany, inhireAccount, pairConnector, pairOf, runStatusSync } from '../fixtures/erecruiter-inhire';
import { shownHistory } from '../helpers/history';
import { recordHistory } from '../helpers/record';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

// inhire ↔ eRecruiter through the real path: the API, Temporal (dev server), the worker, both sandboxes and the store.
// Each test has an eRecruiter company and an inhire account of its own.

const ORIGIN = SANDBOX_INHIRE_ORIGIN.id;
const MISSING = 'the access key (or user and password) is refused';

describe('erecruiter-inhire: inhire candidates into eRecruiter, eRecruiter stages back to inhire', () => {
  let t: TestSystem;
  let nextCompany = 100;
  beforeAll(async () => {
    t = await startTestSystem();
  });
  afterAll(() => t?.stop());

  /** A connector of a company and an inhire account of its own (unless credentials are given), through the API. */
  async function connect(name: string, settings: Record<string, unknown> = {}, credentials: Record<string, unknown> = {}) {
    const company = erecruiterCompany(t, nextCompany++, settings.scope === 'selected' ? 'selected' : 'all');
    const body = pairConnector(t, {
      name,
      settings: { companyId: company.companyId, ...settings },
      credentials: { ...company.credentials, ...inhireAccount(t, name), ...credentials },
    });
    const created = await t.api('POST', '/v1/connectors', body);
    expect(created.status).toBe(201);
    if (!credentials.inhire) await waitForRuns(t, created.body.id, 1); // its first look at inhire, made at once
    return { id: created.body.id as string, companyId: company.companyId, account: name };
  }

  const syncNow = async (id: string, runs: number) => {
    expect((await t.api('POST', `/v1/connectors/${id}/sync`, {})).status).toBe(202);
    await waitForRuns(t, id, runs);
  };

  async function enable(id: string, body: Record<string, unknown> = {}) {
    const res = await t.api('POST', `/v1/connectors/${id}/status-sync`, body);
    expect(res.status).toBe(201);
    return res.body;
  }

  /** Delivers `count` new ready candidates of the account into the recruitment; answers them with their application ids. */
  async function deliverNew(c: { id: string; account: string }, recruitmentId: number, count: number, runs: number) {
    const candidates = pairOf(t).inhire.addReady(recruitmentId, count, { account: c.account });
    await syncNow(c.id, runs);
    const settled = await deliveriesSettled(
      t,
      c.id,
      candidates.map((x) => x.id),
    );
    return candidates.map((x) => {
      const d = settled.get(x.id);
      expect(d).toMatchObject({ state: 'delivered', reported: true });
      return { candidate: x, applicationId: Number(d?.applicationId) };
    });
  }

  const statusChanges = (candidateId: string) =>
    pairOf(t)
      .inhire.mustGet(candidateId)
      .statusChanges.map((s) => s.status);

  it('tests each side on its own and names the side whose credentials are refused', async () => {
    const test = async (id: string) => (await t.api('POST', `/v1/connectors/${id}/test`, {})).body;

    const good = await connect('conn-good');
    expect(await test(good.id)).toMatchObject({ ok: true, missing: [], parts: { eRecruiter: { ok: true }, inhire: { ok: true } } });

    const oauth = await connect('conn-oauth', { companyId: 4321 }, { erecruiter: SANDBOX_OAUTH });
    expect(await test(oauth.id)).toMatchObject({ ok: true, parts: { eRecruiter: { ok: true }, inhire: { ok: true } } });

    const badKey = await connect('conn-bad-key', {}, { erecruiter: { accessKey: 'not-the-partner-key' } });
    const refusedKey = await test(badKey.id);
    expect(refusedKey).toMatchObject({
      ok: false,
      missing: [`eRecruiter: ${MISSING}`],
      parts: { eRecruiter: { ok: false, missing: [MISSING] }, inhire: { ok: true, missing: [] } },
    });
    expect(refusedKey.checks).toContainEqual({
      name: 'eRecruiter: access key and company',
      ok: false,
      detail: expect.stringContaining('401'),
    });

    const badPassword = await connect('conn-bad-password', { companyId: 4321 }, { erecruiter: { ...SANDBOX_OAUTH, password: 'wrong' } });
    const refusedPassword = await test(badPassword.id);
    expect(refusedPassword.parts.eRecruiter).toEqual({ ok: false, missing: [MISSING] });
    expect(refusedPassword.checks[0]).toEqual({
      name: 'eRecruiter: access key and company',
      ok: false,
      detail: 'ProviderAuthError (HTTP 401)',
    });

    const otherCompany = await connect('conn-other-company', { companyId: 999 });
    const noCompany = await test(otherCompany.id);
    expect(noCompany.parts.eRecruiter.ok).toBe(false);
    expect(noCompany.parts.eRecruiter.missing[0]).toContain('access to company 999');
    expect(noCompany.parts.inhire.ok).toBe(true);

    const badInhire = await connect('conn-bad-inhire', {}, { inhire: { apiKey: 'not-an-inhire-key' } });
    const refusedInhire = await test(badInhire.id);
    expect(refusedInhire).toMatchObject({
      ok: false,
      missing: ['inhire: the API key is refused'],
      parts: { eRecruiter: { ok: true }, inhire: { ok: false, missing: ['the API key is refused'] } },
    });

    // The status sync ("Synchronizacja stanów") is there only once the connection works.
    expect((await t.api('GET', `/v1/connectors/${badInhire.id}/status-mapping`)).status).toBe(409);
    const notEnabled = await t.api('POST', `/v1/connectors/${badInhire.id}/status-sync`, {});
    expect(notEnabled.status).toBe(422);
    expect(notEnabled.body.error).toContain('inhire: the API key is refused');
    expect(notEnabled.body.details.parts.inhire.ok).toBe(false);
    expect((await t.api('GET', `/v1/connectors/${badInhire.id}/status-mapping`)).status).toBe(409);
    expect(JSON.stringify(await t.api('GET', `/v1/connectors/${oauth.id}`))).not.toContain(SANDBOX_OAUTH.password);
  });

  it('refuses delivery without a source ID, and delivers once one is chosen: tagged with it, with the CV and contact data', async () => {
    const { erecruiter, inhire } = pairOf(t);
    const c = await connect('source');
    const recruitment = erecruiter.addRecruitment({ companyId: c.companyId, name: 'Java Developer' });
    const [anna, piotr] = inhire.addReady(recruitment.id, 2, { account: c.account });
    await syncNow(c.id, 2);

    const refused = await deliveriesSettled(t, c.id, [anna.id, piotr.id]);
    expect(refused.get(anna.id)).toMatchObject({ state: 'refused', reason: NO_SOURCE_REASON, reported: true });
    expect(erecruiter.applicationsOf(anna.id)).toEqual([]);
    expect(inhire.mustGet(anna.id)).toMatchObject({ atsDelivery: 'refused', atsError: NO_SOURCE_REASON, status: 'refused' });
    const refusedRun = t.system.client.workflow.getHandle(refused.get(anna.id)?.workflowId as string);
    expect(await refusedRun.result()).toEqual({ outcome: 'refused', reason: NO_SOURCE_REASON });

    const sources = await t.api('GET', `/v1/connectors/${c.id}/sources`);
    expect(sources.body).toEqual({
      sources: [
        { id: '1', name: 'Strona kariery' },
        { id: String(ORIGIN), name: 'inhire.io' },
      ],
    });
    if (process.env.RECORD_HISTORIES === '1') {
      const [lookup] = await waitFor(
        async () => {
          const ids: string[] = [];
          for await (const w of t.system.client.workflow.list({ query: 'WorkflowType="relayLookup"' }))
            if (w.workflowId.startsWith(`relay-lookup:${c.id}:`)) ids.push(w.workflowId);
          return ids;
        },
        (ids) => ids.length > 0,
        20_000,
        'the sources lookup',
      );
      await recordHistory('relay-lookup', t.system.client.workflow.getHandle(lookup));
    }
    const unknown = await t.api('PUT', `/v1/connectors/${c.id}/source`, { sourceId: 12345 });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toContain('no publication place 12345');
    const chosen = await t.api('PUT', `/v1/connectors/${c.id}/source`, { sourceId: ORIGIN });
    expect(chosen.body.selected).toBe(String(ORIGIN));
    expect((await t.api('GET', `/v1/connectors/${c.id}`)).body.settings.sourceId).toBe(String(ORIGIN));

    // Choosing the source delivers the candidates refused for want of it.
    const delivered = await waitFor(
      async () => {
        const items = (await t.api('GET', `/v1/connectors/${c.id}/deliveries?state=delivered`)).body.items;
        return items.length === 2 && items.every((d: { reported: boolean }) => d.reported) ? items : undefined;
      },
      (items) => items !== undefined,
      60_000,
      `both candidates delivered ${JSON.stringify((await t.api('GET', `/v1/connectors/${c.id}/deliveries`)).body.items)}`,
    );
    for (const candidate of [anna, piotr]) {
      const [application] = erecruiter.applicationsOf(candidate.id);
      expect(application).toMatchObject({
        recruitmentId: recruitment.id,
        originId: ORIGIN,
        contact: { firstName: candidate.firstName, lastName: candidate.lastName, email: candidate.email, phone: candidate.phone },
      });
      expect(application.cv?.bytes.equals(candidate.cv?.bytes as Buffer)).toBe(true);
      const d = delivered.find((x: { candidateId: string }) => x.candidateId === candidate.id);
      expect(d).toMatchObject({ applicationId: String(application.id), attempts: 2, duplicate: false });
      expect(inhire.mustGet(candidate.id)).toMatchObject({ atsDelivery: 'delivered', atsApplicationId: String(application.id) });
      const handle = t.system.client.workflow.getHandle(d.workflowId);
      expect(await handle.result()).toEqual({ outcome: 'delivered', applicationId: String(application.id), duplicate: false });
      const described = await handle.describe();
      expect(described.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value])).toEqual(
        expect.arrayContaining([
          ['DeliveryState', 'delivered'],
          ['ConnectorId', c.id],
          ['Provider', 'erecruiter-inhire'],
        ]),
      );
      expect(await described.staticSummary()).toBe(`inhire candidate ${candidate.id} → eRecruiter recruitment ${recruitment.id}`);
    }
    await recordHistory('candidate-delivery', t.system.client.workflow.getHandle(delivered[0].workflowId));

    // What Temporal shows of a delivery carries ids only.
    const history = shownHistory(delivered[0].workflowId);
    expect(history).toContain('deliverCandidate');
    for (const secret of [
      anna.email,
      anna.lastName,
      anna.phone,
      piotr.email,
      piotr.lastName,
      `erec-partner-key-${c.companyId}`,
      'inhire-source-key',
    ])
      expect(history).not.toContain(secret as string);
  });

  it('delivers a candidate into a recruitment once, however often it is handed over', async () => {
    const { erecruiter, inhire } = pairOf(t);
    const c = await connect('once', { sourceId: ORIGIN });
    const recruitment = erecruiter.addRecruitment({ companyId: c.companyId });
    const [kasia, tomek] = inhire.addReady(recruitment.id, 2, { account: c.account });
    const [lost] = inhire.addReady(999_999, 1, { account: c.account }); // a recruitment eRecruiter does not have
    // eRecruiter holds tomek already under inhire's id (an earlier delivery whose answer never came back).
    const earlier = erecruiter.addApplication({ recruitmentId: recruitment.id, externalId: tomek.id, originId: ORIGIN });
    await syncNow(c.id, 2);
    const first = await deliveriesSettled(t, c.id, [kasia.id, tomek.id, lost.id]);
    expect(first.get(tomek.id)).toMatchObject({ state: 'delivered', applicationId: String(earlier.id), duplicate: true });
    expect(first.get(lost.id)).toMatchObject({
      state: 'refused',
      reason: 'eRecruiter refused the application (HTTP 404, NotFound)',
      detail: 'eRecruiter answered 404: NotFound: Recruitment 999999 not found.',
    });
    expect(erecruiter.applicationsOf(tomek.id)).toHaveLength(1);

    // inhire approves both again: they are read again, told their applications again, and nothing is posted twice.
    const posts = () =>
      erecruiter.requests.filter((r) => r.method === 'POST' && r.path.startsWith(`/Recruitments/${recruitment.id}/`)).length;
    const postsBefore = posts();
    inhire.markReady(kasia.id);
    inhire.markReady(tomek.id);
    await syncNow(c.id, 3);
    const again = await waitFor(
      async () => inhire.mustGet(kasia.id).status === 'delivered' && inhire.mustGet(tomek.id).status === 'delivered',
      (told) => told,
      30_000,
      'inhire told again',
    );
    expect(again).toBe(true);
    expect(posts()).toBe(postsBefore);
    expect(erecruiter.applicationsOf(kasia.id)).toHaveLength(1);
    expect(erecruiter.applicationsOf(tomek.id)).toHaveLength(1);
    const deliveries = (await t.api('GET', `/v1/connectors/${c.id}/deliveries`)).body.items;
    expect(deliveries).toHaveLength(3);
    expect((await t.api('POST', `/v1/connectors/${c.id}/deliveries/retry`, { state: 'failed' })).body).toEqual({ restarted: 0 });
  });

  it('never sends an erased person to eRecruiter: their deliveries are exported and erased with them, a later hand-over is refused', async () => {
    const { erecruiter, inhire } = pairOf(t);
    const { store } = t.deps;
    const c = await connect('erased'); // no source yet: the deliveries wait, refused, with the person staged
    const recruitment = erecruiter.addRecruitment({ companyId: c.companyId });
    const [ewa, jan, kuba] = inhire.addReady(recruitment.id, 3, { account: c.account });
    await syncNow(c.id, 2);
    await deliveriesSettled(t, c.id, [ewa.id, jan.id, kuba.id]);

    // jobrelay holds ewa (same email) and jan (same phone and surname, no email) from a board; ola applied there only.
    const [ola] = inhire.addReady(recruitment.id, 1, { account: `${c.account}-elsewhere` });
    const held = async (id: string, fields: object, matchBy: Array<'email' | 'phone+surname'>) =>
      (
        await store.candidates.upsertFromSource({
          source: { provider: 'cv-library', externalId: `relay-${id}` },
          fields,
          matchBy,
          createIfUnknown: true,
          applicationIds: [`relay-${id}`],
        })
      ).candidateId as string;
    const ewaId = await held(ewa.id, { firstName: ewa.firstName, lastName: ewa.lastName, email: ewa.email?.toUpperCase() }, ['email']);
    const janId = await held(jan.id, { firstName: jan.firstName, lastName: jan.lastName, phone: jan.phone }, ['phone+surname']);
    const olaId = await held(ola.id, { firstName: ola.firstName, lastName: ola.lastName, email: ola.email }, ['email']);

    const exported = (await t.api('GET', `/v1/candidates/${ewaId}/export`)).body;
    expect(exported.relayDeliveries).toEqual([
      expect.objectContaining({
        connectorId: c.id,
        toolCandidateId: ewa.id,
        recruitmentId: String(recruitment.id),
        state: 'refused',
        person: expect.objectContaining({ email: ewa.email }),
      }),
    ]);

    const erase = async (id: string) => (await t.api('DELETE', `/v1/candidates/${id}`)).body.erased;
    expect(await erase(janId)).toMatchObject({ relayDeliveries: 1 });
    expect(await erase(olaId)).toMatchObject({ relayDeliveries: 0 });

    // kuba's erasure lands between a hand-over and its delivery: the delivery screens the person before sending.
    await store.db.transaction().execute((tx) => store.erased.remember(tx, olaId, store.identityKeys.person({ email: kuba.email }), true));

    // A source chosen: ewa is delivered; jan (erased) and kuba (erased meanwhile) are not sent.
    expect((await t.api('PUT', `/v1/connectors/${c.id}/source`, { sourceId: ORIGIN })).status).toBe(200);
    const after = await deliveriesSettled(t, c.id, [ewa.id, jan.id, kuba.id]);
    expect(after.get(ewa.id)).toMatchObject({ state: 'delivered', reported: true });
    expect(after.get(jan.id)).toMatchObject({ state: 'erased', reason: 'erased', attempts: 1 });
    // kuba's delivery is erased before inhire is told (settled), and reported once it has been.
    const kubaReported = await waitFor(
      async () => (await deliveriesSettled(t, c.id, [kuba.id])).get(kuba.id),
      (d) => d?.reported === true,
      30_000,
      'kuba’s refusal reported to inhire',
    );
    expect(kubaReported).toMatchObject({ state: 'erased', reason: 'erased', reported: true });
    expect(inhire.mustGet(kuba.id)).toMatchObject({ atsDelivery: 'refused', atsError: 'erased' });

    // ewa, delivered, asks to be erased: her delivery keeps ids and dates only, and no longer names her application.
    expect(await erase(ewaId)).toMatchObject({ relayDeliveries: 1 });
    const ewaDelivery = (await t.api('GET', `/v1/connectors/${c.id}/deliveries?state=erased`)).body.items.find(
      (d: { candidateId: string }) => d.candidateId === ewa.id,
    );
    expect(ewaDelivery).toMatchObject({ state: 'erased', reason: 'erased' });
    expect(ewaDelivery.applicationId).toBeUndefined();

    // inhire hands jan over again, and ola for the first time: both skipped as erased, nothing of theirs kept.
    inhire.markReady(jan.id);
    Object.assign(inhire.mustGet(ola.id), { account: c.account });
    inhire.markReady(ola.id);
    await syncNow(c.id, 3);
    const connector = (await t.api('GET', `/v1/connectors/${c.id}`)).body;
    expect(connector.status.streams.deliveries.skippedReasons).toMatchObject({ erased: 2 });
    for (const person of [jan, kuba, ola]) expect(erecruiter.applicationsOf(person.id)).toEqual([]);
    const rows = JSON.stringify(await store.db.selectFrom('relay_deliveries').selectAll().where('connector_id', '=', c.id).execute());
    for (const person of [ewa, jan, kuba, ola])
      for (const trace of [person.email, person.phone, person.lastName]) expect(rows).not.toContain(trace);
    expect(rows).not.toContain(ola.id);
  });

  it('a sweep reads inhire’s ready list again and hands over a candidate the incremental runs missed; one no longer listed (sent) is not gone', async () => {
    const { erecruiter, inhire } = pairOf(t);
    const c = await connect('sweep', { sourceId: ORIGIN });
    const recruitment = erecruiter.addRecruitment({ companyId: c.companyId });
    await deliverNew(c, recruitment.id, 2, 2);
    // Ready with an update time before the high-water mark (a lagging clock): the incremental run does not see it.
    const [missed] = inhire.addReady(recruitment.id, 1, { account: c.account });
    inhire.mustGet(missed.id).updatedAt = new Date(Date.now() - 3_600_000).toISOString();
    await syncNow(c.id, 3);
    expect((await t.api('GET', `/v1/connectors/${c.id}/deliveries`)).body.items).toHaveLength(2);

    expect((await t.api('POST', `/v1/connectors/${c.id}/sweep`, {})).status).toBe(202);
    const swept = await waitFor(
      async () => (await t.api('GET', `/v1/connectors/${c.id}`)).body,
      (connector) => connector.status.sweep?.totals.runs >= 1 && !connector.status.sweep.running,
      60_000,
      'the sweep',
    );
    // The two sent candidates are off inhire’s ready list, but nothing of theirs is gone: nothing counted deleted.
    expect(swept.status.streams.deliveries).toMatchObject({ mode: 'sweep', repaired: 1, deleted: 0 });
    expect(swept.status.sweep).toMatchObject({ deleted: 0, repaired: 1 });
    const settled = await deliveriesSettled(t, c.id, [missed.id]);
    expect(settled.get(missed.id)).toMatchObject({ state: 'delivered', reported: true });
    expect(erecruiter.applicationsOf(missed.id)).toHaveLength(1);
  });

  it('with scope "selected" reads and writes only recruitments that ticked the partner', async () => {
    const { erecruiter, inhire } = pairOf(t);
    const start = erecruiter.requests.length;
    const c = await connect('selected', { scope: 'selected', sourceId: ORIGIN });
    await enable(c.id);
    const ticked = erecruiter.addRecruitment({ companyId: c.companyId, partnerEnabled: true });
    const unticked = erecruiter.addRecruitment({ companyId: c.companyId, partnerEnabled: false });
    const unticking = erecruiter.addRecruitment({ companyId: c.companyId, partnerEnabled: true });
    const [inTicked] = inhire.addReady(ticked.id, 1, { account: c.account });
    const [inUnticked] = inhire.addReady(unticked.id, 1, { account: c.account });
    const [inUnticking] = inhire.addReady(unticking.id, 1, { account: c.account });
    await syncNow(c.id, 2);
    const d = await deliveriesSettled(t, c.id, [inTicked.id, inUnticked.id, inUnticking.id]);
    expect(d.get(inTicked.id)?.state).toBe('delivered');
    expect(d.get(inUnticking.id)?.state).toBe('delivered');
    expect(d.get(inUnticked.id)).toMatchObject({
      state: 'refused',
      reason: `recruitment ${unticked.id} is not shared with inhire (access scope "selected")`,
    });
    expect(erecruiter.applicationsOf(inUnticked.id)).toEqual([]);

    // The admin unticks a recruitment: its applications are read no more, though jobrelay delivered into it.
    unticking.partnerEnabled = false;
    erecruiter.moveApplication(Number(d.get(inTicked.id)?.applicationId), 'Analiza CV');
    erecruiter.moveApplication(Number(d.get(inUnticking.id)?.applicationId), 'Analiza CV');
    const from = erecruiter.requests.length;
    const run = await runStatusSync(t, c.id);
    expect(run).toMatchObject({ state: 'succeeded', counts: { applications: 1, pushed: 2 } });
    expect(statusChanges(inTicked.id)).toEqual(['waiting_for_decision', 'evaluating']);
    expect(statusChanges(inUnticking.id)).toEqual([]);
    const touched = erecruiter.requests.slice(from).map((r) => r.path.split('/'));
    expect(touched.some((segments) => segments.includes(String(ticked.id)))).toBe(true);
    for (const id of [unticked.id, unticking.id, d.get(inUnticking.id)?.applicationId])
      expect(touched.filter((segments) => segments.includes(String(id)))).toEqual([]);
    // Not one request of this test was refused as PartnerNotAllowed: nothing outside the scope was tried.
    expect(erecruiter.requests.slice(start).filter((r) => r.status === 403)).toEqual([]);
  });

  it('maps stages: defaults pre-mapped and locked, the company’s own to be mapped, and only a complete mapping saved', async () => {
    const { erecruiter } = pairOf(t);
    const c = await connect('mapping');
    const custom = erecruiter.addStage('Zadanie rekrutacyjne', c.companyId);
    const enabled = await enable(c.id);
    expect(enabled).toMatchObject({
      time: '17:00',
      timezone: 'Europe/Warsaw',
      mappingVersion: 1,
      unmappedStages: [`"Zadanie rekrutacyjne" (${custom.id})`],
    });
    expect((await t.api('POST', `/v1/connectors/${c.id}/status-sync`, {})).status).toBe(200); // on again: nothing changes

    const mapping = (await t.api('GET', `/v1/connectors/${c.id}/status-mapping`)).body;
    expect(mapping).toMatchObject({ version: 1, complete: false, unmapped: [`"Zadanie rekrutacyjne" (${custom.id})`] });
    expect(mapping.statuses).toEqual(['waiting_for_decision', 'evaluating', 'interview', 'hired', 'negative']);
    expect(mapping.stages.map((s: { name: string; locked: boolean; status?: string }) => [s.name, s.locked, s.status])).toEqual([
      ['Nowy', true, 'waiting_for_decision'],
      ['Analiza CV', true, 'evaluating'],
      ['Rozmowa telefoniczna', true, 'interview'],
      ['Rozmowa', true, 'interview'],
      ['Złożenie oferty', true, 'evaluating'],
      ['Zatrudniony', true, 'hired'],
      ['Odrzucony', true, 'negative'],
      ['Zadanie rekrutacyjne', false, undefined],
    ]);

    const put = (m: Record<string, string>) => t.api('PUT', `/v1/connectors/${c.id}/status-mapping`, { mapping: m });
    const locked = await put({ '1': 'interview', [custom.id]: 'evaluating' });
    expect(locked.status).toBe(422);
    expect(locked.body.details.locked).toEqual(['"Nowy" (1) is locked to "waiting_for_decision"']);
    const incomplete = await put({});
    expect(incomplete.status).toBe(422);
    expect(incomplete.body.error).toContain(`every stage must be mapped; unmapped: "Zadanie rekrutacyjne" (${custom.id})`);
    expect((await put({ [custom.id]: 'maybe' })).body.details.invalidStatus).toEqual([`"Zadanie rekrutacyjne" (${custom.id}): "maybe"`]);
    expect((await put({ '99': 'hired', [custom.id]: 'interview' })).body.details.unknown).toEqual(['99']);
    expect((await t.api('GET', `/v1/connectors/${c.id}/status-mapping`)).body.version).toBe(1); // nothing saved

    const saved = await put({ [custom.id]: 'interview' });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ version: 2, complete: true, unmapped: [] });
    expect((await put({ '1': 'waiting_for_decision', [custom.id]: 'interview' })).body.version).toBe(2); // the same mapping
    expect((await put({ [custom.id]: 'evaluating' })).body.version).toBe(3);
    const run = await runStatusSync(t, c.id);
    expect(run.mappingVersion).toBe(3);
  });

  it('a run moves every mapped change to inhire once; a rerun pushes nothing; older and foreign applications are untouched', async () => {
    const { erecruiter } = pairOf(t);
    const c = await connect('runs', { sourceId: ORIGIN });
    const recruitment = erecruiter.addRecruitment({ companyId: c.companyId });
    const [older] = await deliverNew(c, recruitment.id, 1, 2);
    await enable(c.id);
    const [a, b, quiet] = await deliverNew(c, recruitment.id, 3, 3);
    const foreign = erecruiter.addApplication({ recruitmentId: recruitment.id, originId: 1 }); // a recruiter's own applicant
    for (const stage of ['Analiza CV', 'Rozmowa telefoniczna', 'Rozmowa']) erecruiter.moveApplication(a.applicationId, stage);
    for (const stage of ['Analiza CV', 'Odrzucony']) erecruiter.moveApplication(b.applicationId, stage);
    erecruiter.moveApplication(older.applicationId, 'Analiza CV');
    erecruiter.moveApplication(foreign.id, 'Analiza CV');

    const first = await runStatusSync(t, c.id);
    expect(first).toMatchObject({
      state: 'succeeded',
      mappingVersion: 1,
      counts: { applications: 3, read: 8, pushed: 8, unchanged: 0, unmapped: 0, failed: 0, ignored: 2 },
      reasons: { ignored: { 'created before the status sync was enabled': 1, 'not delivered through this connector': 1 } },
    });
    expect(statusChanges(a.candidate.id)).toEqual(['waiting_for_decision', 'evaluating', 'interview', 'interview']);
    expect(statusChanges(b.candidate.id)).toEqual(['waiting_for_decision', 'evaluating', 'negative']);
    expect(statusChanges(quiet.candidate.id)).toEqual(['waiting_for_decision']);
    expect(statusChanges(older.candidate.id)).toEqual([]);
    expect(pairOf(t).inhire.mustGet(a.candidate.id).statusChanges[1]).toMatchObject({
      source: 'erecruiter',
      changedAt: erecruiter.applications.get(a.applicationId)?.history[1].changedAt,
    });
    await recordHistory('status-sync-run', t.system.client.workflow.getHandle(first.workflowId, first.id));

    const rerun = await runStatusSync(t, c.id);
    expect(rerun.counts).toMatchObject({ pushed: 0, unchanged: 8, failed: 0 });
    expect(rerun.reasons.unchanged).toEqual({ 'already pushed': 8 });
    expect(statusChanges(a.candidate.id)).toHaveLength(4);

    erecruiter.moveApplication(quiet.applicationId, 'Zatrudniony');
    const third = await runStatusSync(t, c.id);
    expect(third.counts).toMatchObject({ pushed: 1, failed: 0 });
    expect(statusChanges(quiet.candidate.id)).toEqual(['waiting_for_decision', 'hired']);
    const view = (await t.api('GET', `/v1/connectors/${c.id}/status-sync`)).body;
    expect(view).toMatchObject({ syncedUntil: third.until, lastRun: { id: third.id, state: 'succeeded' } });
    expect(Date.parse(third.since)).toBeLessThan(Date.parse(rerun.until)); // each run starts where the last good one ended (with overlap)

    // Each run is announced to webhook subscribers once, with its counts and no one's personal data.
    const announced = (await t.deps.store.events.ofSubject(`connector:${c.id}`)).filter((e) => e.type === 'status_sync.completed');
    expect(announced.map((e) => e.data.runId)).toEqual([first.id, rerun.id, third.id]);
    expect(announced[0].data).toMatchObject({ connectorId: c.id, state: 'succeeded', counts: { pushed: 8, unmapped: 0 } });
    expect(announced[2].data).toMatchObject({ until: third.until, counts: { pushed: 1 } });
    for (const person of [a.candidate, b.candidate]) expect(JSON.stringify(announced)).not.toContain(person.email as string);

    const history = shownHistory(first.workflowId);
    expect(history).toContain('statusSyncPage');
    for (const person of [a.candidate, b.candidate])
      for (const value of [person.email, person.lastName]) expect(history).not.toContain(value as string);
  });

  it('holds a change into a new unmapped stage until the stage is mapped, then pushes it', async () => {
    const { erecruiter } = pairOf(t);
    const c = await connect('unmapped', { sourceId: ORIGIN });
    const recruitment = erecruiter.addRecruitment({ companyId: c.companyId });
    await enable(c.id);
    const [a, b, later] = await deliverNew(c, recruitment.id, 3, 2);
    const added = erecruiter.addStage('Assessment center', c.companyId);
    erecruiter.moveApplication(a.applicationId, 'Assessment center');
    erecruiter.moveApplication(b.applicationId, 'Analiza CV');
    // `later` passes through the new stage, then on to a mapped one: the held change is superseded, never pushed.
    erecruiter.moveApplication(later.applicationId, 'Assessment center');
    erecruiter.moveApplication(later.applicationId, 'Rozmowa');

    const reason = `stage "Assessment center" (${added.id}) is not mapped`;
    const first = await runStatusSync(t, c.id);
    expect(first).toMatchObject({
      newStages: ['Assessment center'],
      counts: { pushed: 5, unmapped: 2 },
      reasons: { unmapped: { [reason]: 2 } },
    });
    expect(statusChanges(a.candidate.id)).toEqual(['waiting_for_decision']);
    expect(statusChanges(later.candidate.id)).toEqual(['waiting_for_decision', 'interview']);
    const held = (await t.api('GET', `/v1/connectors/${c.id}/status-sync/unmapped`)).body.items;
    // Deliveries run at once, so which of the two got the lower eRecruiter id (the list's order) varies.
    expect(held.map((h: { applicationId: string; stageName: string }) => [h.applicationId, h.stageName]).sort()).toEqual(
      [
        [String(a.applicationId), 'Assessment center'],
        [String(later.applicationId), 'Assessment center'],
      ].sort(),
    );
    expect((await t.api('GET', `/v1/connectors/${c.id}/status-sync`)).body.unmappedStages).toEqual([`"Assessment center" (${added.id})`]);

    // Reported again by every run until it is mapped; the change `later` has left since is dropped from the list.
    const second = await runStatusSync(t, c.id);
    expect(second.counts).toMatchObject({ pushed: 0, unmapped: 1 });
    expect(second.reasons.unchanged).toMatchObject({ 'superseded by a later change': 1 });
    expect((await t.api('GET', `/v1/connectors/${c.id}/status-sync/unmapped`)).body.items).toMatchObject([
      { applicationId: String(a.applicationId), stageId: String(added.id), stageName: 'Assessment center' },
    ]);

    expect((await t.api('PUT', `/v1/connectors/${c.id}/status-mapping`, { mapping: { [added.id]: 'interview' } })).body.version).toBe(2);
    const third = await runStatusSync(t, c.id);
    expect(third).toMatchObject({ mappingVersion: 2, counts: { pushed: 1, unmapped: 0, failed: 0 } });
    expect(statusChanges(a.candidate.id)).toEqual(['waiting_for_decision', 'interview']);
    expect(statusChanges(later.candidate.id)).toEqual(['waiting_for_decision', 'interview']);
    expect((await t.api('GET', `/v1/connectors/${c.id}/status-sync/unmapped`)).body.items).toEqual([]);
    expect((await runStatusSync(t, c.id)).counts).toMatchObject({ pushed: 0, unmapped: 0 });
  });

  it('a failed run is visible, and the next run reads again from where the last good run ended', async () => {
    const { erecruiter, inhire } = pairOf(t);
    const c = await connect('failing', { sourceId: ORIGIN });
    const recruitment = erecruiter.addRecruitment({ companyId: c.companyId });
    await enable(c.id);
    const [a] = await deliverNew(c, recruitment.id, 1, 2);
    const good = await runStatusSync(t, c.id);
    expect(good.counts.pushed).toBe(1);

    inhire.revokeKey(`inhire-${c.account}-key-0001`);
    erecruiter.moveApplication(a.applicationId, 'Analiza CV');
    const failed = await runStatusSync(t, c.id);
    expect(failed).toMatchObject({ state: 'failed', error: expect.stringContaining('inhire answered 401') });
    const described = await t.system.client.workflow.getHandle(failed.workflowId, failed.id).describe();
    expect(described.status.name).toBe('FAILED');
    expect((await t.api('GET', `/v1/connectors/${c.id}/status-sync`)).body).toMatchObject({
      syncedUntil: good.until,
      lastRun: { state: 'failed' },
    });
    await recordHistory('status-sync-run-failed', t.system.client.workflow.getHandle(failed.workflowId, failed.id));

    inhire.addKey(`inhire-${c.account}-key-0001`, c.account);
    erecruiter.moveApplication(a.applicationId, 'Rozmowa');
    const recovered = await runStatusSync(t, c.id);
    expect(recovered).toMatchObject({ state: 'succeeded', since: expect.any(String), counts: { pushed: 2 } });
    expect(Date.parse(recovered.since)).toBeLessThanOrEqual(Date.parse(good.until));
    expect(statusChanges(a.candidate.id)).toEqual(['waiting_for_decision', 'evaluating', 'interview']);
  });

  it('runs on a Temporal Schedule: daily 17:00 Warsaw, overlap skip, paused, unpaused, moved and triggered from the API', async () => {
    const { erecruiter } = pairOf(t);
    const c = await connect('schedule', { sourceId: ORIGIN });
    const enabled = await enable(c.id);
    const warsaw = (iso: string) =>
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Warsaw', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
    expect(enabled.scheduleId).toBe(`status-sync:${c.id}`);
    expect(enabled.schedule.nextRunAt.length).toBeGreaterThan(1);
    for (const at of enabled.schedule.nextRunAt) expect(warsaw(at)).toBe('17:00');

    const handle = t.system.client.schedule.getHandle(enabled.scheduleId);
    const described = await handle.describe();
    expect(described.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(described.spec).toMatchObject({ timezone: 'Europe/Warsaw' });
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'statusSync', workflowId: `status-sync:${c.id}` });

    const paused = await t.api('POST', `/v1/connectors/${c.id}/status-sync/pause`, {});
    expect(paused.body.schedule.paused).toBe(true);
    expect((await handle.describe()).state.paused).toBe(true);
    expect((await t.api('POST', `/v1/connectors/${c.id}/status-sync/unpause`, {})).body.schedule.paused).toBe(false);

    const moved = await t.api('PATCH', `/v1/connectors/${c.id}/status-sync`, { time: '08:30', timezone: 'Europe/London' });
    expect(moved.body).toMatchObject({ time: '08:30', timezone: 'Europe/London' });
    const london = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' });
    for (const at of moved.body.schedule.nextRunAt) expect(london.format(new Date(at))).toBe('08:30');
    expect((await t.api('PATCH', `/v1/connectors/${c.id}/status-sync`, { timezone: 'Mars/Olympus_Mons' })).status).toBe(400);

    // A run under way: a second trigger would be skipped by the Schedule, so it is refused.
    const recruitment = erecruiter.addRecruitment({ companyId: c.companyId });
    await deliverNew(c, recruitment.id, 1, 2);
    erecruiter.faults.latencyMs = 1500;
    try {
      expect((await t.api('POST', `/v1/connectors/${c.id}/status-sync/trigger`, {})).status).toBe(202);
      await waitFor(
        async () => (await handle.describe()).info.runningActions.length,
        (running) => running > 0,
        10_000,
        'the run to start',
      );
      const second = await t.api('POST', `/v1/connectors/${c.id}/status-sync/trigger`, {});
      expect(second.status).toBe(409);
      expect(second.body.error).toContain('a status sync run is under way');
    } finally {
      erecruiter.faults.latencyMs = 0;
    }
    await waitFor(
      async () => (await handle.describe()).info.runningActions.length,
      (running) => running === 0,
      60_000,
      'the run to end',
    );
  });

  it('fires at 17:00 Warsaw time on both sides of the March and October DST changes (the server’s own calendar of the Schedule)', async () => {
    const c = await connect('dst');
    const { scheduleId } = await enable(c.id);
    // The time-skipping test server has no Schedules (CreateSchedule is unimplemented there): the dev server
    // computes the Schedule's fire times for any range (ListScheduleMatchingTimes), the same computation it fires by.
    const fires = async (from: string, to: string) => {
      const res: temporal.api.workflowservice.v1.IListScheduleMatchingTimesResponse =
        await t.system.client.workflowService.listScheduleMatchingTimes({
          namespace: 'default',
          scheduleId,
          startTime: msNumberToTs(Date.parse(from)),
          endTime: msNumberToTs(Date.parse(to)),
        });
      return (res.startTime ?? []).map((ts) => tsToDate(ts).toISOString());
    };
    // Poland: CET (UTC+1) until 28 March 2027 02:00, CEST (UTC+2) until 31 October 2027 03:00.
    expect(await fires('2027-03-26T00:00:00Z', '2027-03-31T00:00:00Z')).toEqual([
      '2027-03-26T16:00:00.000Z',
      '2027-03-27T16:00:00.000Z',
      '2027-03-28T15:00:00.000Z',
      '2027-03-29T15:00:00.000Z',
      '2027-03-30T15:00:00.000Z',
    ]);
    expect(await fires('2027-10-29T00:00:00Z', '2027-11-03T00:00:00Z')).toEqual([
      '2027-10-29T15:00:00.000Z',
      '2027-10-30T15:00:00.000Z',
      '2027-10-31T16:00:00.000Z',
      '2027-11-01T16:00:00.000Z',
      '2027-11-02T16:00:00.000Z',
    ]);
  });
});
