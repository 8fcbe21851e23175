import { SANDBOX_API_KEY } from '../../src/providers/lever/sandbox';
import type { SandboxOpportunity } from '../../src/providers/lever/sandbox-data';
import { leverConnector, waitForRuns } from '../fixtures/connectors';
import { setUpCvLibrary } from '../fixtures/cv-library';
import { applicationId, applyOnBoard, deliver, intakeOutcome, type LivePosting, postLiveJob } from '../fixtures/direct-apply';
import { aJob } from '../fixtures/jobs';
import { runLeverSandbox } from '../fixtures/lever';
import { dumpDatabase, linesMentioning } from '../helpers/dump';
import { shownSchedule, shownWorkflow } from '../helpers/history';
import { recordHistory } from '../helpers/record';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

/** The person who applies on CV-Library and is also in Lever, then asks to be erased. */
const person = {
  first_name: 'Zephyrine',
  last_name: 'Quillfeather',
  email: 'zephyrine.quillfeather@example.org',
  phone: '07700 900431',
  town: 'Whitby',
  postcode: 'YO21 3PU',
};
/** Every way her data could be written down: a search of the database for any of these must find nothing once she is erased. */
const traces = [person.first_name, person.last_name, person.email, person.phone, '7700900431', person.postcode, 'Quillfeather & Sons'];

describeEachStore('candidate data protection through the API, Temporal, the sandboxes and the store', (store) => {
  let t: TestSystem;
  let lever: Awaited<ReturnType<typeof runLeverSandbox>>;
  let posting: LivePosting;
  let connectorId: string;
  let opportunity: SandboxOpportunity;
  let firstApplication: Record<string, unknown>;
  let candidateId: string;
  const intakeIds: string[] = [];

  const candidateWithEmail = async (email: string) =>
    ((await t.api('GET', '/v1/candidates?limit=200')).body.items as Array<Record<string, any>>).find((c) => c.email === email);
  const metric = async (line: string) =>
    (await (await fetch(`${t.system.apiUrl}/metrics`)).text()).split('\n').find((l) => l.startsWith(line));

  beforeAll(async () => {
    t = await startTestSystem({ RETENTION_MONTHS: '24' }, { store });
    await setUpCvLibrary(t);
    await t.sandbox('POST', 'cv-library', '/_sandbox/delivery', { retryBaseMs: 20, maxAttempts: 3 });
    posting = await postLiveJob(t);

    // She applies on CV-Library (DirectApply, with a CV)…
    const id = applicationId('zq');
    intakeIds.push(id);
    const sent = await applyOnBoard(t, posting, { id, ...person, cv: true });
    firstApplication = sent.body.application;
    expect(await intakeOutcome(t, id)).toMatchObject({ outcome: 'recorded', documentId: expect.any(String) });

    // …and Lever holds her too (an opportunity with an application and a resume), among other people.
    lever = await runLeverSandbox({ rateLimit: { perSecond: 2000, burst: 200 } });
    const seeded = lever.sandbox.seed({ postings: 4, opportunities: 8, resumes: true, seed: 15 });
    opportunity = seeded.opportunities.find((o) => o.applications.length > 0 && o.resumes.length > 0) as SandboxOpportunity;
    lever.sandbox.updateOpportunity(opportunity.id, {
      name: `${person.first_name} ${person.last_name}`,
      emails: [person.email],
      phones: [{ type: 'mobile', value: '+44 7700 900431' }],
      location: person.town,
    });
    const [resume] = opportunity.resumes;
    resume.file.bytes = Buffer.from(`%PDF-1.4\n% resume of ${person.first_name} ${person.last_name}\n%%EOF\n`);
    resume.parsedData.positions = [
      { org: 'Quillfeather & Sons', title: 'Cartographer', summary: 'Maps', location: person.town, start: { year: 2019, month: 1 } },
    ];
    const created = await t.api('POST', '/v1/connectors', leverConnector(lever.baseUrl, SANDBOX_API_KEY));
    expect(created.status).toBe(201);
    connectorId = created.body.id;
    await waitForRuns(t, connectorId, 1);

    const held = await candidateWithEmail(person.email);
    expect(held?.sources.map((s: { provider: string }) => s.provider).sort()).toEqual(['cv-library', 'lever']);
    candidateId = held?.id;
  });
  afterAll(async () => {
    await lever?.close();
    await t?.stop();
  });

  it('exports everything the store holds on her as one JSON document, admin-only and audited', async () => {
    const exported = await t.api('GET', `/v1/candidates/${candidateId}/export`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toContain(`subject-export-${candidateId}.json`);
    const body = exported.body;
    expect(body).toMatchObject({
      format: 'jobrelay-subject-export/1',
      candidate: { id: candidateId, firstName: 'Zephyrine', lastName: 'Quillfeather', email: person.email, phone: '07700900431' },
      sources: expect.arrayContaining([
        expect.objectContaining({ provider: 'cv-library', externalId: intakeIds[0], referrer: 'cv-library.co.uk' }),
        expect.objectContaining({ provider: 'lever', externalId: opportunity.contact }),
      ]),
      deliveries: [expect.objectContaining({ provider: 'cv-library', applicationId: intakeIds[0], state: 'processed' })],
    });
    expect(body.candidate.experience).toEqual([expect.objectContaining({ company: 'Quillfeather & Sons' })]);
    expect(body.applications.map((a: Record<string, unknown>) => [a.provider, a.externalId]).sort()).toEqual(
      [['cv-library', intakeIds[0]], ...opportunity.applications.map((a) => ['lever', a.id])].sort(),
    );
    expect(body.applications.find((a: { provider: string }) => a.provider === 'cv-library')).toMatchObject({
      status: 'new',
      job: { id: posting.jobId, title: aJob().title },
      postingId: posting.id,
    });
    // Both files, byte for byte as the API serves them.
    expect(body.documents).toHaveLength(2);
    for (const doc of body.documents) {
      const served = await fetch(`${t.system.apiUrl}/v1/documents/${doc.id}`, {
        headers: { authorization: 'Bearer test-token-0123456789' },
      });
      expect(Buffer.from(await served.arrayBuffer()).toString('base64')).toBe(doc.contentBase64);
    }
    expect(
      Buffer.from(body.documents.find((d: { filename: string }) => d.filename.endsWith('-CV.pdf')).contentBase64, 'base64').toString(
        'latin1',
      ),
    ).toContain('Zephyrine Quillfeather');

    // Every table that holds something of hers has its section in the export.
    const dump = await dumpDatabase(t.deps.store.db);
    const tables = new Set(linesMentioning(dump, [...traces, candidateId]).map((line) => line.slice(0, line.indexOf(':'))));
    const exportedTables: Record<string, string> = {
      candidates: 'candidate',
      candidate_sources: 'sources',
      applications: 'applications',
      documents: 'documents',
      intake_deliveries: 'deliveries',
      privacy_audit: 'audit',
    };
    expect([...tables].filter((table) => body[exportedTables[table] ?? table] === undefined)).toEqual([]);
    // The events that named her: her DirectApply application taken in, and the Lever sync page that matched her (and added its record).
    expect(body.events.map((e: { type: string }) => e.type).sort()).toEqual(['application.created', 'candidate.updated']);

    const linked = await t.api('GET', `/v1/candidates/${candidateId}/export?documents=linked`);
    expect(linked.body.documents.every((d: Record<string, unknown>) => typeof d.url === 'string' && d.contentBase64 === undefined)).toBe(
      true,
    );
    expect((await t.api('GET', `/v1/candidates/${candidateId}/export`, undefined, { token: null })).status).toBe(401);
    expect((await t.api('GET', '/v1/candidates/cand_nobody/export')).status).toBe(404);
  });

  it('erases her (DirectApply and Lever): no table and no file holds her data, a tombstone and an audit entry remain', async () => {
    const documentIds = (await t.api('GET', `/v1/candidates/${candidateId}`)).body.documents.map((d: { id: string }) => d.id);
    expect(linesMentioning(await dumpDatabase(t.deps.store.db), traces).length).toBeGreaterThan(0);

    // Only an admin token may erase (or export); the audit names the token that asked, never the token.
    const writer = (await t.api('POST', '/v1/tokens', { name: 'recruiter', scope: 'write' })).body.token;
    expect((await t.api('DELETE', `/v1/candidates/${candidateId}`, undefined, { token: writer })).status).toBe(403);
    expect((await t.api('GET', `/v1/candidates/${candidateId}/export`, undefined, { token: writer })).status).toBe(403);
    const dpo = (await t.api('POST', '/v1/tokens', { name: 'data protection officer', scope: 'admin' })).body;

    const erased = await t.api('DELETE', `/v1/candidates/${candidateId}`, undefined, { token: dpo.token });
    expect(erased.status).toBe(200);
    expect(erased.body).toEqual({
      candidateId,
      erasedAt: expect.any(String),
      erasedBy: dpo.id,
      erased: {
        candidate: 1,
        sources: 2,
        applications: 1 + opportunity.applications.length,
        documents: 2,
        deliveries: 1,
        events: 1,
        relayDeliveries: 0,
      },
    });

    expect(linesMentioning(await dumpDatabase(t.deps.store.db), traces)).toEqual([]);
    expect((await t.api('GET', `/v1/candidates/${candidateId}`)).status).toBe(410);
    expect((await t.api('GET', `/v1/candidates/${candidateId}/export`)).status).toBe(410);
    for (const id of documentIds) expect((await t.api('GET', `/v1/documents/${id}`)).status).toBe(404);
    // The job still counts her application; it names no one.
    const applications = (await t.api('GET', `/v1/applications?jobId=${posting.jobId}`)).body.items;
    expect(applications).toEqual([
      expect.objectContaining({ candidateId, status: 'new', externalId: expect.stringMatching(/^erased:/), documents: [] }),
    ]);
    // Its application.created event (raised by the intake) names no one at the board either: a redelivery sends it so.
    const [event] = await t.deps.store.events.ofSubject(`application:${applications[0].id}`);
    expect(event.data).toMatchObject({ candidateId, externalId: `erased:${applications[0].id}` });
    expect(JSON.stringify(event)).not.toContain(intakeIds[0]);
    // Erasing again changes nothing.
    expect((await t.api('DELETE', `/v1/candidates/${candidateId}`)).body).toMatchObject({ candidateId, erased: {} });
    expect((await t.api('DELETE', '/v1/candidates/cand_nobody')).status).toBe(404);

    const audit = (await t.api('GET', `/v1/privacy/audit?candidateId=${candidateId}`)).body.items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['erasure', 'export', 'export']);
    expect(audit[0]).toMatchObject({ actor: dpo.id, details: { reason: 'request', erased: erased.body.erased } });
    expect(audit[1]).toMatchObject({ actor: 'env:1', details: { documents: 'linked' } });
    expect(JSON.stringify(audit)).not.toContain(dpo.token);
    expect(linesMentioning(JSON.stringify(audit), traces)).toEqual([]);
    expect(await metric('jobrelay_candidates_erased_total{reason="request"}')).toBe('jobrelay_candidates_erased_total{reason="request"} 1');
  });

  it('keeps her erased: a redelivery, a new application and a re-sync are refused and counted, and write nothing of hers', async () => {
    // CV-Library delivers the same application again.
    expect((await deliver(posting.directApplyUrl, firstApplication)).status).toBe(200);

    // She applies again on CV-Library: refused (ERASED_REAPPLY defaults to refuse), with the reason, and counted.
    const again = applicationId('zq-again');
    intakeIds.push(again);
    await applyOnBoard(t, posting, { id: again, ...person, cv: true });
    expect(await intakeOutcome(t, again)).toEqual({ outcome: 'skipped', reason: 'erased' });
    if (store === 'PGlite')
      await recordHistory('application-intake-erased', t.system.client.workflow.getHandle(`application:cv-library:${again}`));

    // Lever changes her opportunity: the next sync reads it, and skips her as erased.
    lever.sandbox.updateOpportunity(opportunity.id, { headline: 'Senior cartographer' });
    expect((await t.api('POST', `/v1/connectors/${connectorId}/sync`, {})).status).toBe(202);
    const synced = await waitForRuns(t, connectorId, 2);
    expect(synced.status.streams.candidates).toMatchObject({ created: 0, skippedReasons: { erased: 1 } });

    expect(await candidateWithEmail(person.email)).toBeUndefined();
    expect(linesMentioning(await dumpDatabase(t.deps.store.db), traces)).toEqual([]);
    expect(await metric('jobrelay_erased_returns_total{provider="cv-library",via="intake",action="refused"}')).toMatch(/ 1$/);
    expect(await metric('jobrelay_erased_returns_total{provider="lever",via="sync",action="refused"}')).toMatch(/ 1$/);
    expect(await metric('jobrelay_applications_total{provider="cv-library",outcome="skipped"}')).toMatch(/ 1$/);
  });

  it('erases a candidate idle for RETENTION_MONTHS through the retention schedule, which reports what it did', async () => {
    const id = applicationId('idle');
    intakeIds.push(id);
    await applyOnBoard(t, posting, { id, first_name: 'Ignatius', last_name: 'Dormant', email: 'ignatius.dormant@example.org', cv: true });
    const { candidateId: idle, documentId } = await intakeOutcome(t, id);
    // Three years without activity: everything about them dates from then.
    const { db } = t.deps.store;
    const then = new Date(Date.now() - 3 * 365 * 24 * 3600_000);
    await db
      .updateTable('candidates')
      .set({ created_at: then, updated_at: then } as never)
      .where('id', '=', idle)
      .execute();
    await db
      .updateTable('candidate_sources')
      .set({ first_seen_at: then } as never)
      .where('candidate_id', '=', idle)
      .execute();
    await db.updateTable('applications').set({ applied_at: then, updated_at: then }).where('candidate_id', '=', idle).execute();
    await db
      .updateTable('documents')
      .set({ created_at: then } as never)
      .where('candidate_id', '=', idle)
      .execute();
    const active = (await t.api('GET', '/v1/candidates?provider=lever&limit=1')).body.items[0];

    const retention = await t.api('GET', '/v1/privacy/retention');
    expect(retention.body).toMatchObject({
      months: 24,
      schedule: { scheduleId: expect.stringMatching(/^retention:/), months: 24, paused: false, nextRunAt: expect.any(String) },
    });
    expect((await t.api('POST', '/v1/privacy/retention/run')).status).toBe(202);
    const after = await waitFor(
      () => t.api('GET', '/v1/privacy/retention').then((r) => r.body),
      (r) => r.runs.length > 0,
      60_000,
      'a retention run',
    );
    expect(after.runs[0]).toMatchObject({
      action: 'retention',
      actor: 'retention',
      details: { months: 24, erased: 1, documentsDeleted: 1 },
    });
    expect(after.schedule.recentRuns).toHaveLength(1);
    const result = await t.system.client.workflow.getHandle(after.schedule.recentRuns[0].workflowId).result();
    expect(result).toMatchObject({ months: 24, erased: 1, documentsDeleted: 1 });
    // Operators see what the run is in the Temporal UI: summary, details and memo.
    const run = await t.system.client.workflow.getHandle(after.schedule.recentRuns[0].workflowId).describe();
    expect(await run.staticSummary()).toBe('Retention: erase candidates idle 24 months');
    expect(await run.staticDetails()).toContain('no activity for 24 months');
    expect(run.memo).toEqual({ summary: 'Retention: erase candidates idle 24 months' });

    expect((await t.api('GET', `/v1/candidates/${idle}`)).status).toBe(410);
    expect((await t.api('GET', `/v1/documents/${documentId}`)).status).toBe(404);
    expect((await t.api('GET', `/v1/candidates/${active.id}`)).status).toBe(200);
    expect(linesMentioning(await dumpDatabase(db), ['Ignatius', 'Dormant', 'ignatius.dormant@example.org'])).toEqual([]);
    expect((await t.api('GET', `/v1/privacy/audit?candidateId=${idle}`)).body.items).toEqual([
      expect.objectContaining({ action: 'erasure', actor: 'retention', details: expect.objectContaining({ reason: 'retention' }) }),
    ]);
    expect(await metric('jobrelay_candidates_erased_total{reason="retention"}')).toMatch(/ 1$/);
    expect(await metric('jobrelay_retention_runs_total')).toMatch(/ 1$/);
  });

  it('keeps personal data out of Temporal: full histories, memos and search attributes of a posting, the intakes, the sync and retention', async () => {
    const people = [...lever.sandbox.opportunities.values()].flatMap((o) => [
      o.name,
      ...o.name.split(' '),
      ...o.emails,
      ...o.phones.flatMap((p) => [p.value, p.value.replace(/\D/g, '').slice(2)]),
    ]);
    const recruiter = aJob().recruiter;
    const everyone = [...traces, ...people, recruiter.name, recruiter.email, 'Ignatius', 'Dormant', 'ignatius.dormant@example.org'].filter(
      (v) => v.length >= 4,
    );
    const schedule = (await t.api('GET', '/v1/privacy/retention')).body.schedule;
    const shown = [
      shownWorkflow(posting.workflowId),
      ...intakeIds.map((id) => shownWorkflow(`application:cv-library:${id}`)),
      shownWorkflow(`sync:${connectorId}`),
      shownWorkflow(schedule.recentRuns[0].workflowId),
      shownSchedule(schedule.scheduleId),
    ].join('\n');
    // The histories are there (ids are), the people are not.
    expect(shown).toContain(posting.jobId);
    expect(shown).toContain(intakeIds[0]);
    expect(linesMentioning(shown, everyone)).toEqual([]);
  });
});
