import { phoneForms } from '../../src/domain/phone';
import { heldByPhoneAndSurname } from '../../src/store/candidates';
import { storeBackends } from '../helpers/stores';

const cv = new TextEncoder().encode('%PDF-1.4 fake cv');

describe.each(storeBackends())('candidates store on %s', (_name, open) => {
  let store: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(() => store.close());

  it('makes one candidate of concurrent deliveries of the same person, and keeps both sources', async () => {
    const fields = { firstName: 'Ada', lastName: 'Lovelace', email: 'Ada@Example.com', phone: '+44 (0)7700 900123' };
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map(() =>
        store.candidates.upsertFromSource({
          source: { provider: 'cv-library', externalId: 'a-1' },
          fields,
          matchBy: ['email'],
          createIfUnknown: true,
        }),
      ),
    );
    const ids = new Set(results.map((r) => r.candidateId));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);

    const second = await store.candidates.upsertFromSource({
      source: { provider: 'lever', externalId: 'opp-9' },
      fields: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', location: { town: 'London' } },
      matchBy: ['email'],
      createIfUnknown: true,
    });
    expect(second.candidateId).toBe([...ids][0]);
    const candidate = await store.candidates.get(second.candidateId!);
    expect(candidate).toMatchObject({ email: 'ada@example.com', phone: '07700900123', location: { town: 'London' } });
    expect(candidate!.sources.map((s) => s.provider).sort()).toEqual(['cv-library', 'lever']);
  });

  it('matches on phone and surname, and never blanks what it holds', async () => {
    const first = await store.candidates.upsertFromSource({
      source: { provider: 'cv-library', externalId: 'b-1' },
      fields: { firstName: 'Grace', lastName: 'Hopper', phone: '07700 900456', location: { town: 'Leeds', postcode: 'LS1 4AP' } },
      matchBy: ['email', 'phone+surname'],
      createIfUnknown: true,
    });
    const again = await store.candidates.upsertFromSource({
      source: { provider: 'cv-library', externalId: 'b-2' },
      fields: { firstName: '', lastName: 'hopper', phone: '+447700900456', location: { town: '', county: 'West Yorkshire' } },
      matchBy: ['email', 'phone+surname'],
      createIfUnknown: true,
    });
    expect(again).toEqual({ candidateId: first.candidateId, outcome: 'updated' });
    expect(await store.candidates.get(first.candidateId!)).toMatchObject({
      firstName: 'Grace',
      location: { town: 'Leeds', postcode: 'LS1 4AP', county: 'West Yorkshire' },
    });
  });

  it('matches on phone and surname when the surname begins with a capital beyond ASCII, in any case', async () => {
    const first = await store.candidates.upsertFromSource({
      source: { provider: 'erecruiter-inhire', externalId: 'pl-1' },
      fields: { firstName: 'Łucja', lastName: 'Łuczak', phone: '+48 600 100 200' },
      matchBy: ['email', 'phone+surname'],
      createIfUnknown: true,
    });
    for (const [id, lastName] of [
      ['pl-2', 'Łuczak'],
      ['pl-3', 'ŁUCZAK'],
      ['pl-4', ' łuczak '],
    ]) {
      const again = await store.candidates.upsertFromSource({
        source: { provider: 'erecruiter-inhire', externalId: id },
        fields: { firstName: 'Łucja', lastName, phone: '+48600100200' },
        matchBy: ['email', 'phone+surname'],
        createIfUnknown: true,
      });
      expect(again.candidateId).toBe(first.candidateId);
    }
  });

  it('finds people under a phone and surname by one lookup: the intake only those live at a source, a request all of them', async () => {
    const write = (externalId: string, lastName: string) =>
      store.candidates.upsertFromSource({
        source: { provider: 'smartrecruiters', externalId },
        fields: { firstName: 'Ola', lastName, phone: '+48 600 300 400' },
        matchBy: ['email', 'phone+surname'],
        createIfUnknown: true,
      });
    const gone = await write('h-1', 'ŁUCZAK');
    await store.candidates.markSourcesGone('smartrecruiters', ['h-1']);
    const live = await write('h-2', 'Łuczak');
    expect(live.outcome).toBe('created');
    expect((await write('h-3', 'Łuczakowa')).candidateId).not.toBe(live.candidateId);
    expect((await write('h-4', ' łuczak ')).candidateId).toBe(live.candidateId);

    const held = async (deletedAtSource: boolean) =>
      (await heldByPhoneAndSurname(store.db, phoneForms('+48 600 300 400'), 'łuczak', { withoutEmail: false, deletedAtSource })).map(
        (c) => c.id,
      );
    expect(await held(true)).toEqual([gone.candidateId, live.candidateId]);
    expect(await held(false)).toEqual([live.candidateId]);
  });

  it('does not merge people with different emails on phone and surname', async () => {
    const a = await store.candidates.upsertFromSource({
      source: { provider: 'cv-library', externalId: 'd-1' },
      fields: { firstName: 'Sam', lastName: 'Smith', email: 'sam.one@example.com', phone: '07700 900999' },
      matchBy: ['email', 'phone+surname'],
      createIfUnknown: true,
    });
    const b = await store.candidates.upsertFromSource({
      source: { provider: 'cv-library', externalId: 'd-2' },
      fields: { firstName: 'Sam', lastName: 'Smith', email: 'sam.two@example.com', phone: '07700 900999' },
      matchBy: ['email', 'phone+surname'],
      createIfUnknown: true,
    });
    expect(b.outcome).toBe('created');
    expect(b.candidateId).not.toBe(a.candidateId);
  });

  it('writes nothing when the same person comes again with experience and education (a retried page)', async () => {
    const input = {
      source: { provider: 'other-ats', externalId: 'contact-e1' },
      fields: {
        firstName: 'Edsger',
        lastName: 'Dijkstra',
        email: 'edsger@example.com',
        location: { city: 'Austin', country: 'US' },
        experience: [{ title: 'Professor', company: 'UT Austin', location: 'Austin', startDate: '1984-01', endDate: '1999-12' }],
        education: [{ institution: 'Leiden University', degree: 'PhD', field: 'Physics', startDate: '1948', endDate: '1956' }],
      },
      matchBy: ['email' as const],
      createIfUnknown: true,
    };
    const first = await store.candidates.upsertFromSource(input);
    const before = await store.candidates.get(first.candidateId!);
    // jsonb hands the objects back in its own key order: still the same person, nothing to write.
    expect(await store.candidates.upsertFromSource(input)).toEqual({ candidateId: first.candidateId, outcome: 'unchanged' });
    expect((await store.candidates.get(first.candidateId!))?.updatedAt).toBe(before?.updatedAt);
  });

  it('skips unknown people when told not to create them', async () => {
    const result = await store.candidates.upsertFromSource({
      source: { provider: 'lever', externalId: 'x' },
      fields: { firstName: 'No', lastName: 'Body', email: 'nobody@example.com' },
      matchBy: ['email'],
      createIfUnknown: false,
    });
    expect(result).toEqual({ outcome: 'skipped', reason: 'unknown' });
  });

  it('creates an application once, stores a CV once, and pages lists', async () => {
    const { candidateId } = await store.candidates.upsertFromSource({
      source: { provider: 'cv-library', externalId: 'c-1' },
      fields: { firstName: 'Alan', lastName: 'Turing', email: 'alan@example.com' },
      matchBy: ['email'],
      createIfUnknown: true,
    });
    const input = {
      candidateId: candidateId!,
      provider: 'cv-library',
      externalId: 'app-1',
      status: 'new',
      appliedAt: new Date().toISOString(),
      referrer: 'cv-library.co.uk',
    };
    const [a, b] = await Promise.all([store.applications.upsert(input), store.applications.upsert(input)]);
    expect(a.application.id).toBe(b.application.id);
    expect([a.outcome, b.outcome].sort()).toEqual(['created', 'unchanged']);

    const second = await store.applications.upsert({ ...input, externalId: 'app-2' });
    const d1 = await store.documents.put({
      candidateId: candidateId!,
      applicationId: a.application.id,
      filename: 'cv.pdf',
      contentType: 'application/pdf',
      content: cv,
    });
    // The same CV sent with another application: stored once, shown with both.
    const d2 = await store.documents.put({
      candidateId: candidateId!,
      applicationId: second.application.id,
      filename: 'cv-again.pdf',
      contentType: 'application/pdf',
      content: cv,
    });
    expect(d2).toEqual({ document: d1.document, created: false });
    const linked = await store.documents.ofApplications([a.application.id, second.application.id]);
    expect(linked.map((d) => [d.applicationId, d.id]).sort()).toEqual(
      [
        [a.application.id, d1.document.id],
        [second.application.id, d1.document.id],
      ].sort(),
    );
    expect(Buffer.from((await store.documents.get(d1.document.id))!.content).toString()).toBe('%PDF-1.4 fake cv');

    const first = await store.candidates.list({ limit: 2 });
    expect(first.items).toHaveLength(2);
    const rest = await store.candidates.list({ limit: 50, cursor: first.nextCursor });
    const all = [...first.items, ...rest.items].map((c) => c.id);
    expect(new Set(all).size).toBe(all.length);
    expect((await store.candidates.list({ provider: 'lever' })).items.map((c) => c.lastName)).toEqual(['Lovelace']);
  });
});
