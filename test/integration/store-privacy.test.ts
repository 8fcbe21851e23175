import { GoneError } from '../../src/domain/errors';
import { applicationCreated, candidatesChanged } from '../../src/events/catalog';
import { createDataProtection } from '../../src/privacy/erasure';
import { personalData, WITHOUT_CANDIDATE_DATA } from '../../src/privacy/registry';
import { withoutCv } from '../../src/providers/cv-library/intake';
import type { Store } from '../../src/store';
import { aDelivery } from '../fixtures/direct-apply';
import { aJob } from '../fixtures/jobs';
import { dumpDatabase, linesMentioning, tableNames } from '../helpers/dump';
import { storeBackends } from '../helpers/stores';

/**
 * Someone whose every identifier is unusual enough that a search of the database finds only them; each test holds
 * a Zephyrine of its own (her own email and phone), as the tests share a store.
 */
const TAGS = ['erase', 'stick', 'shared', 'export', 'back', 'batch'];
const zephyrineOf = (tag: string) => {
  const n = TAGS.indexOf(tag) + 1;
  return {
    firstName: 'Zephyrine',
    lastName: 'Quillfeather',
    email: `zephyrine.quillfeather.${n}@example.org`,
    phone: `07700 90043${n}`,
    location: { town: 'Whitby', postcode: 'YO21 3PU' },
  };
};
const zephyrine = zephyrineOf('stick');
const tracesOf = (z: ReturnType<typeof zephyrineOf>) => [
  z.firstName,
  z.lastName,
  z.email,
  z.phone,
  z.phone.replace(/\s/g, '').slice(1),
  'YO21 3PU',
  'Quillfeather & Sons',
];
const cvBytes = Buffer.from('%PDF-1.4\n% CV of Zephyrine Quillfeather, cartographer\n%%EOF\n');

/**
 * Zephyrine as DirectApply (an application taken in, and one still waiting) and Lever (a synced person) left her,
 * with the events those writes raise (an application taken in, a sync page that created her).
 */
async function holdZephyrine(store: Store, tag: string) {
  const zephyrine = zephyrineOf(tag);
  const jobId = (await store.jobs.create(aJob())).id;
  const direct = await store.candidates.upsertFromSource({
    source: { provider: 'cv-library', externalId: `${tag}-da-1`, referrer: 'cv-library.co.uk' },
    fields: zephyrine,
    matchBy: ['email', 'phone+surname'],
    createIfUnknown: true,
    applicationIds: [`${tag}-da-1`],
  });
  const candidateId = direct.candidateId as string;
  const { application } = await store.applications.upsert({
    candidateId,
    provider: 'cv-library',
    externalId: `${tag}-da-1`,
    jobId,
    status: 'new',
    referrer: 'cv-library.co.uk',
    appliedAt: new Date().toISOString(),
  });
  await store.documents.put({
    candidateId,
    applicationId: application.id,
    filename: 'Zephyrine-Quillfeather-CV.pdf',
    contentType: 'application/pdf',
    content: cvBytes,
  });
  // A second application, delivered but not yet taken in: its fields wait in the staged row.
  const waiting = aDelivery({
    id: `${tag}-da-2`,
    first_name: zephyrine.firstName,
    last_name: zephyrine.lastName,
    email: zephyrine.email,
    phone: zephyrine.phone,
    town: zephyrine.location.town,
    postcode: zephyrine.location.postcode,
  });
  await store.intake.stage({
    provider: 'cv-library',
    externalId: waiting.id,
    postingId: 'post_x',
    jobId,
    payload: withoutCv(waiting as never),
    cvRequired: false,
    late: false,
    cv: { filename: 'Zephyrine-Quillfeather-CV.pdf', contentType: 'application/pdf', content: cvBytes },
  });
  await store.events.raise(
    applicationCreated(
      { provider: 'cv-library', applicationId: `${tag}-da-1` },
      { outcome: 'recorded', candidateId, applicationId: application.id },
      { postingId: 'post_x', jobId },
    ),
  );
  await store.events.raise(
    candidatesChanged(
      { connectorId: `con_${tag}`, provider: 'lever', stream: 'candidates', runUntil: 1 },
      { created: [candidateId], updated: [] },
    ),
  );
  const lever = await store.candidates.upsertFromSource({
    source: { provider: 'lever', externalId: `${tag}-contact-1`, referrer: 'LinkedIn' },
    fields: { ...zephyrine, location: { city: 'Whitby' }, experience: [{ title: 'Cartographer', company: 'Quillfeather & Sons' }] },
    matchBy: ['email'],
    createIfUnknown: true,
    applicationIds: [`${tag}-lever-app-1`],
  });
  expect(lever.candidateId).toBe(candidateId);
  await store.applications.upsert({
    candidateId,
    provider: 'lever',
    externalId: `${tag}-lever-app-1`,
    status: 'in-progress',
    providerStatus: 'Phone screen',
    referrer: 'LinkedIn',
    appliedAt: new Date().toISOString(),
  });
  return { candidateId, jobId, waitingId: waiting.id };
}

describe.each(storeBackends())('candidate data protection in the store on %s', (_name, open) => {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(() => store.close());

  it('classifies every table: covered by a holder of personal data, or declared free of candidate data', async () => {
    const covered = new Set(personalData.flatMap((h) => h.tables));
    const unclassified = (await tableNames(store.db)).filter((t) => !covered.has(t) && !Object.hasOwn(WITHOUT_CANDIDATE_DATA, t));
    expect(unclassified).toEqual([]);
  });

  it('erases a person from every table and file, leaving a tombstone, the keyed hashes and an audit entry', async () => {
    const { candidateId, jobId, waitingId } = await holdZephyrine(store, 'erase');
    const traces = tracesOf(zephyrineOf('erase'));
    expect(linesMentioning(await dumpDatabase(store.db), traces).length).toBeGreaterThan(0);

    const report = await createDataProtection(store).erase(candidateId, 'env:1', 'request');
    expect(report).toEqual({
      candidateId,
      erasedAt: expect.any(String),
      erasedBy: 'env:1',
      erased: { candidate: 1, sources: 2, applications: 2, documents: 1, deliveries: 1, events: 1, relayDeliveries: 0 },
    });

    // Nothing left anywhere: every table, every column, the files' bytes.
    expect(linesMentioning(await dumpDatabase(store.db), traces)).toEqual([]);

    const tombstone = await store.db.selectFrom('candidates').selectAll().where('id', '=', candidateId).executeTakeFirstOrThrow();
    expect(tombstone).toMatchObject({ first_name: '', last_name: '', email: null, phone: null, location: {}, erased_by: 'env:1' });
    expect(tombstone.erased_at).toBeInstanceOf(Date);
    // The job still counts both applications, with their statuses; nothing ties them to the person at the provider.
    const applications = await store.db.selectFrom('applications').selectAll().where('candidate_id', '=', candidateId).execute();
    expect(applications.map((a) => [a.status, a.provider_status, a.referrer, a.external_id.startsWith('erased:')]).sort()).toEqual([
      ['in-progress', null, null, true],
      ['new', null, null, true],
    ]);
    expect(applications.find((a) => a.status === 'new')?.job_id).toBe(jobId);
    // Her events stay (a subscriber may still be owed them) with ids only: the board's id of her application is erased too.
    const directApplication = applications.find((a) => a.status === 'new');
    expect((await store.events.ofSubject(`application:${directApplication?.id}`)).map((e) => e.data)).toEqual([
      expect.objectContaining({ candidateId, applicationId: directApplication?.id, externalId: `erased:${directApplication?.id}` }),
    ]);
    expect(await store.db.selectFrom('documents').select('id').where('candidate_id', '=', candidateId).execute()).toEqual([]);
    // The waiting delivery is finished without its fields: its workflow finds it done.
    expect(await store.intake.get({ provider: 'cv-library', applicationId: waitingId })).toMatchObject({
      state: 'skipped',
      reason: 'erased',
      payload: {},
      cv: undefined,
    });
    const kinds = await store.db.selectFrom('erased_identities').select('kind').where('candidate_id', '=', candidateId).execute();
    expect(kinds.map((k) => k.kind).sort()).toEqual(['application', 'application', 'email', 'phone+surname', 'source', 'source']);
    expect((await store.privacy.list({ candidateId })).items).toEqual([
      expect.objectContaining({ action: 'erasure', actor: 'env:1', details: { reason: 'request', erased: report.erased } }),
    ]);
    expect(await store.candidates.list({ limit: 200 })).toMatchObject({
      items: expect.not.arrayContaining([expect.objectContaining({ id: candidateId })]),
    });

    // A second erasure changes nothing.
    expect((await createDataProtection(store).erase(candidateId, 'env:2', 'request')).erased).toEqual({});
  });

  it('refuses every later write of the erased person: the same records, their email, their phone and surname', async () => {
    const { candidateId } = await holdZephyrine(store, 'stick');
    await createDataProtection(store).erase(candidateId, 'env:1', 'request');
    const again = (
      source: { provider: string; externalId: string },
      fields: object,
      applicationIds: string[],
      matchBy = ['email', 'phone+surname'],
    ) => store.candidates.upsertFromSource({ source, fields, matchBy: matchBy as never, createIfUnknown: true, applicationIds });

    // The same DirectApply application, and the same Lever person, even with nothing else to match on.
    expect(await again({ provider: 'cv-library', externalId: 'stick-da-1' }, { firstName: 'Z' }, ['stick-da-1'])).toEqual({
      outcome: 'skipped',
      reason: 'erased',
    });
    expect(await again({ provider: 'lever', externalId: 'stick-contact-1' }, { firstName: 'Z' }, [], ['email'])).toEqual({
      outcome: 'skipped',
      reason: 'erased',
    });
    // A new application from the same email (written differently), or the same phone and surname without an email.
    expect(
      await again({ provider: 'cv-library', externalId: 'stick-da-9' }, { ...zephyrine, email: ` ${zephyrine.email.toUpperCase()} ` }, [
        'stick-da-9',
      ]),
    ).toEqual({
      outcome: 'skipped',
      reason: 'erased',
    });
    expect(
      await again({ provider: 'cv-library', externalId: 'stick-da-10' }, { lastName: 'QUILLFEATHER', phone: '+44 7700 900432' }, [
        'stick-da-10',
      ]),
    ).toEqual({
      outcome: 'skipped',
      reason: 'erased',
    });
    // Someone else with another email, though with the same phone and surname, is another person.
    const other = await again({ provider: 'cv-library', externalId: 'stick-da-11' }, { ...zephyrine, email: 'someone.else@example.org' }, [
      'stick-da-11',
    ]);
    expect(other.outcome).toBe('created');
    expect(other.candidateId).not.toBe(candidateId);

    // Writes that raced the erasure are refused too.
    const write = store.applications.upsert({
      candidateId,
      provider: 'lever',
      externalId: 'late',
      status: 'new',
      appliedAt: new Date().toISOString(),
    });
    await expect(write).rejects.toBeInstanceOf(GoneError);
    const file = store.documents.put({ candidateId, filename: 'cv.pdf', contentType: 'application/pdf', content: cvBytes });
    await expect(file).rejects.toBeInstanceOf(GoneError);
  });

  it('refuses a statement writing many rows when one of them is for an erased person: none of its rows is written', async () => {
    const { candidateId } = await holdZephyrine(store, 'batch');
    const live = await store.candidates.upsertFromSource({
      source: { provider: 'lever', externalId: 'batch-other-1' },
      fields: { firstName: 'Other', email: 'batch.other@example.org' },
      matchBy: ['email'],
      createIfUnknown: true,
      applicationIds: ['batch-other-app-1'],
    });
    const liveId = live.candidateId as string;
    await createDataProtection(store).erase(candidateId, 'env:1', 'request');
    const application = (id: string, externalId: string) => ({
      candidateId: id,
      provider: 'lever',
      externalId,
      status: 'new',
      appliedAt: new Date().toISOString(),
    });

    // A page's applications, the erased person's between two others'.
    const page = store.db
      .transaction()
      .execute((tx) =>
        store.applications.upsertMany(
          [application(liveId, 'batch-other-app-1'), application(candidateId, 'batch-late'), application(liveId, 'batch-other-app-2')],
          tx,
        ),
      );
    await expect(page).rejects.toBeInstanceOf(GoneError);
    const sources = store.db
      .insertInto('candidate_sources')
      .values([
        { candidate_id: liveId, provider: 'lever', external_id: 'batch-other-2' },
        { candidate_id: candidateId, provider: 'lever', external_id: 'batch-late' },
      ])
      .execute();
    await expect(sources).rejects.toBeInstanceOf(GoneError);
    const written = await store.db
      .selectFrom('applications')
      .select('external_id')
      .where('external_id', 'in', ['batch-other-app-1', 'batch-other-app-2', 'batch-late'])
      .execute();
    expect(written).toEqual([]);
    const sourcesWritten = await store.db
      .selectFrom('candidate_sources')
      .select('external_id')
      .where('external_id', 'in', ['batch-other-2', 'batch-late'])
      .execute();
    expect(sourcesWritten).toEqual([]);

    // Without the erased person, the same page is written.
    const again = await store.db
      .transaction()
      .execute((tx) =>
        store.applications.upsertMany([application(liveId, 'batch-other-app-1'), application(liveId, 'batch-other-app-2')], tx),
      );
    expect(again.map((a) => a.outcome)).toEqual(['created', 'created']);
  });

  it('refuses a write that waited for an erasure under way once the erasure commits', async () => {
    const person = async (externalId: string, email: string) =>
      (
        await store.candidates.upsertFromSource({
          source: { provider: 'lever', externalId },
          fields: { firstName: 'Race', email },
          matchBy: ['email'],
          createIfUnknown: true,
        })
      ).candidateId as string;
    const ids = { erased: await person('race-1', 'race.one@example.org'), other: await person('race-2', 'race.two@example.org') };
    let commit!: () => void;
    let updated!: () => void;
    const erasing = new Promise<void>((resolve) => {
      updated = resolve;
    });
    // The erasure's change to the candidate row, its transaction still open.
    const erasure = store.db.transaction().execute(async (tx) => {
      await tx.updateTable('candidates').set({ erased_at: new Date() }).where('id', '=', ids.erased).execute();
      updated();
      await new Promise<void>((resolve) => {
        commit = resolve;
      });
    });
    await erasing;
    let settled = false;
    const write = store.db
      .insertInto('candidate_sources')
      .values([
        { candidate_id: ids.other, provider: 'lever', external_id: 'race-other' },
        { candidate_id: ids.erased, provider: 'lever', external_id: 'race-erased' },
      ])
      .execute()
      .finally(() => {
        settled = true;
      });
    write.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(settled).toBe(false);
    commit();
    await erasure;
    await expect(write).rejects.toBeInstanceOf(GoneError);
    const written = await store.db
      .selectFrom('candidate_sources')
      .select('external_id')
      .where('external_id', 'in', ['race-other', 'race-erased'])
      .execute();
    expect(written).toEqual([]);
  });

  it('keeps a document another person’s application carries, unlinked from the erased person', async () => {
    const { candidateId } = await holdZephyrine(store, 'shared');
    const other = await store.candidates.upsertFromSource({
      source: { provider: 'cv-library', externalId: 'shared-other' },
      fields: { firstName: 'Bartholomew', lastName: 'Other', email: 'bart.other@example.org' },
      matchBy: ['email'],
      createIfUnknown: true,
    });
    const { application: theirs } = await store.applications.upsert({
      candidateId: other.candidateId as string,
      provider: 'cv-library',
      externalId: 'shared-other',
      status: 'new',
      appliedAt: new Date().toISOString(),
    });
    const pack = Buffer.from('joint reference pack for a team application');
    const { document } = await store.documents.put({ candidateId, filename: 'pack.pdf', contentType: 'application/pdf', content: pack });
    await store.db.insertInto('application_documents').values({ application_id: theirs.id, document_id: document.id }).execute();

    const report = await createDataProtection(store).erase(candidateId, 'env:1', 'request');
    expect(report.erased.documents).toBe(1); // her CV; the shared pack stays
    expect(await store.documents.ofApplications([theirs.id])).toEqual([expect.objectContaining({ id: document.id })]);
    expect((await store.documents.get(document.id))?.candidateId).toBeUndefined();
  });

  it('exports everything held on the person, each section from its holder, and audits the export', async () => {
    const zephyrine = zephyrineOf('export');
    const { candidateId, waitingId } = await holdZephyrine(store, 'export');
    const exported = await createDataProtection(store).exportOf(candidateId, 'env:1', { documents: 'attached' });
    expect(exported).toMatchObject({
      format: 'jobrelay-subject-export/1',
      candidateId,
      candidate: { firstName: 'Zephyrine', lastName: 'Quillfeather', email: zephyrine.email, phone: '07700900434' },
      sources: [
        { provider: 'cv-library', externalId: 'export-da-1', referrer: 'cv-library.co.uk' },
        { provider: 'lever', externalId: 'export-contact-1', referrer: 'LinkedIn' },
      ],
      documents: [
        { filename: 'Zephyrine-Quillfeather-CV.pdf', contentBase64: cvBytes.toString('base64'), applicationIds: [expect.any(String)] },
      ],
      deliveries: [{ applicationId: waitingId, state: 'received', fields: expect.objectContaining({ email: zephyrine.email }) }],
    });
    expect(exported.events).toEqual([
      expect.objectContaining({ type: 'application.created', data: expect.objectContaining({ candidateId, externalId: 'export-da-1' }) }),
      expect.objectContaining({
        type: 'candidate.created',
        data: expect.objectContaining({ candidateIds: [candidateId] }),
        deliveries: [],
      }),
    ]);
    expect(exported.applications).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          externalId: 'export-da-1',
          status: 'new',
          job: { id: expect.any(String), title: 'Payroll Administrator' },
        }),
        expect.objectContaining({ externalId: 'export-lever-app-1', status: 'in-progress', providerStatus: 'Phone screen' }),
      ]),
    );
    // Everything the dump holds on her is in the export.
    const exportedText = JSON.stringify(exported).toLowerCase();
    for (const trace of [zephyrine.email, 'Quillfeather & Sons', 'Whitby', 'YO21 3PU']) expect(exportedText).toContain(trace.toLowerCase());
    const [entry] = (await store.privacy.list({ candidateId, action: 'export' })).items;
    expect(entry).toMatchObject({
      actor: 'env:1',
      details: {
        documents: 'attached',
        sections: { candidate: 1, sources: 2, applications: 2, documents: 1, deliveries: 1, events: 2, relayDeliveries: 0 },
      },
    });
    expect(JSON.stringify(entry)).not.toContain('Quillfeather');

    const linked = await createDataProtection(store).exportOf(candidateId, 'env:1', { documents: 'linked' });
    expect(linked.documents).toEqual([expect.objectContaining({ url: expect.stringMatching(/^\/v1\/documents\/doc_/) })]);
  });

  it('drops a staged delivery’s fields and CV once it is taken in', async () => {
    const delivery = aDelivery({ id: 'retained-1', email: 'retained@example.org' });
    const ref = { provider: 'cv-library', applicationId: delivery.id };
    await store.intake.stage({
      provider: 'cv-library',
      externalId: delivery.id,
      postingId: 'p',
      jobId: 'j',
      payload: withoutCv(delivery as never),
      cvRequired: false,
      late: false,
      cv: { filename: 'cv.pdf', contentType: 'application/pdf', content: cvBytes },
    });
    await store.intake.finish(ref, { outcome: 'recorded', candidateId: 'cand_x' });
    const row = await store.db.selectFrom('intake_deliveries').selectAll().where('external_id', '=', delivery.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ payload: {}, cv_content: null, cv_filename: null, cv_sha256: null, state: 'processed' });
  });

  it('finds candidates idle since a date: no change, application, source or document since', async () => {
    const idle = await store.candidates.upsertFromSource({
      source: { provider: 'lever', externalId: 'idle-1' },
      fields: { email: 'idle@example.org' },
      matchBy: ['email'],
      createIfUnknown: true,
    });
    const active = await store.candidates.upsertFromSource({
      source: { provider: 'lever', externalId: 'active-1' },
      fields: { email: 'active@example.org' },
      matchBy: ['email'],
      createIfUnknown: true,
    });
    const longAgo = new Date('2020-01-01T00:00:00Z');
    for (const id of [idle.candidateId, active.candidateId] as string[]) {
      await store.db
        .updateTable('candidates')
        .set({ created_at: longAgo, updated_at: longAgo } as never)
        .where('id', '=', id)
        .execute();
      await store.db
        .updateTable('candidate_sources')
        .set({ first_seen_at: longAgo } as never)
        .where('candidate_id', '=', id)
        .execute();
    }
    // The active one's application moved on recently (a status change synced from the ATS).
    await store.applications.upsert({
      candidateId: active.candidateId as string,
      provider: 'lever',
      externalId: 'active-app',
      status: 'offered',
      appliedAt: longAgo.toISOString(),
    });
    const cutoff = new Date('2024-01-01T00:00:00Z');
    const found = await store.privacy.idleCandidates(cutoff, 1000);
    expect(found).toContain(idle.candidateId);
    expect(found).not.toContain(active.candidateId);
  });
});

describe.each(storeBackends({ erasedReapply: 'recreate' }))('ERASED_REAPPLY=recreate on %s', (_name, open) => {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(() => store.close());

  it('creates an erased person anew when they apply again, never from their old records', async () => {
    const zephyrine = zephyrineOf('back');
    const { candidateId } = await holdZephyrine(store, 'back');
    await createDataProtection(store).erase(candidateId, 'env:1', 'request');
    const upsert = (externalId: string, applicationIds: string[]) =>
      store.candidates.upsertFromSource({
        source: { provider: 'cv-library', externalId },
        fields: zephyrine,
        matchBy: ['email'],
        createIfUnknown: true,
        applicationIds,
      });

    expect(await upsert('back-da-1', ['back-da-1'])).toEqual({ outcome: 'skipped', reason: 'erased' }); // the old application again
    expect(await upsert('back-lead', [])).toEqual({ outcome: 'skipped', reason: 'erased' }); // no application: no consent
    const returned = await upsert('back-da-3', ['back-da-3']);
    expect(returned).toMatchObject({ outcome: 'created', returned: true });
    expect(returned.candidateId).not.toBe(candidateId);
    // From then on they are a person we hold: found by email, not refused.
    expect(await upsert('back-da-4', ['back-da-4'])).toMatchObject({ candidateId: returned.candidateId, outcome: 'updated' });
  });
});
