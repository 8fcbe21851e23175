import { sql } from 'kysely';
import { SANDBOX_API_KEY } from '../../src/providers/lever/sandbox';
import type { SandboxOpportunity } from '../../src/providers/lever/sandbox-data';
import { openStore, type Store } from '../../src/store';
import { leverConnector, waitForRuns } from '../fixtures/connectors';
import { setUpCvLibrary } from '../fixtures/cv-library';
import { applicationId, applyOnBoard, intakeOutcome, type LivePosting, postLiveJob, untilApplications } from '../fixtures/direct-apply';
import { deliveriesSettled, ownPairConnector, pairOf } from '../fixtures/erecruiter-inhire';
import { runLeverSandbox } from '../fixtures/lever';
import { describeWithPostgres } from '../helpers/postgres';
import { createTestDatabase, describeEachStore, type TestDatabase } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';

// One person across countries: Lever (no country of its own: DEFAULT_PHONE_COUNTRY=PL here) holds Zofia Łuczak with
// the Polish national number 600 100 200; she applies on CV-Library (a UK board) with +48 600 100 200 and her
// surname in lower case. And people erased before phones were read in a country stay erased.
describeEachStore('candidate matching across countries and locales', (store) => {
  let t: TestSystem;
  let lever: Awaited<ReturnType<typeof runLeverSandbox>>;
  let posting: LivePosting;
  let zofiaId: string;

  /** The keyed hash the rules before this change kept of an erased person (as `IdentityKeys` made it then). */
  const rememberLegacyErasure = (value: string) =>
    t.deps.store.erased.remember(
      t.deps.store.db,
      null,
      [{ kind: 'phone+surname', key: t.deps.secrets.derive('erased-identity', `phone+surname:${value}`) }],
      false,
    );

  const candidateOfApplication = async (id: string) => {
    const outcome = await intakeOutcome(t, id);
    expect(outcome).toMatchObject({ outcome: 'recorded' });
    return (await untilApplications(t, posting.jobId, 1)).find((a) => a.externalId === id)?.candidateId as string;
  };

  beforeAll(async () => {
    t = await startTestSystem({ DEFAULT_PHONE_COUNTRY: 'PL' }, { store });
    await setUpCvLibrary(t);
    posting = await postLiveJob(t);
    lever = await runLeverSandbox({ rateLimit: { perSecond: 2000, burst: 200 } });
    const seeded = lever.sandbox.seed({ postings: 2, opportunities: 3, resumes: false, seed: 48 });
    const opportunity = seeded.opportunities[0] as SandboxOpportunity;
    lever.sandbox.updateOpportunity(opportunity.id, { name: 'Zofia ŁUCZAK', phones: [{ type: 'mobile', value: '600 100 200' }] });
    const created = await t.api('POST', '/v1/connectors', leverConnector(lever.baseUrl, SANDBOX_API_KEY));
    expect(created.status).toBe(201);
    await waitForRuns(t, created.body.id, 1);
    const held = (await t.api('GET', '/v1/candidates?provider=lever&limit=50')).body.items.find(
      (c: { email?: string }) => c.email === opportunity.emails[0],
    );
    zofiaId = held.id;
  });
  afterAll(async () => {
    await lever?.close();
    await t?.stop();
  });

  it('stores a national number read in its source’s country in the international form', async () => {
    expect((await t.api('GET', `/v1/candidates/${zofiaId}`)).body).toMatchObject({ lastName: 'ŁUCZAK', phone: '+48600100200' });
  });

  it('matches her +48 application on CV-Library to the Lever person by phone and surname, whatever its case', async () => {
    const id = applicationId('zofia');
    await applyOnBoard(t, posting, { id, first_name: 'Zofia', last_name: 'łuczak', email: null, phone: '+48 600 100 200' });
    expect(await candidateOfApplication(id)).toBe(zofiaId);
    const zofia = (await t.api('GET', `/v1/candidates/${zofiaId}`)).body;
    expect(zofia.sources.map((s: { provider: string }) => s.provider).sort()).toEqual(['cv-library', 'lever']);
    expect(zofia.phone).toBe('+48600100200');
  });

  it('reads a CV-Library number in the UK, not in the default country: 600 100 200 there is not her', async () => {
    const id = applicationId('not-zofia');
    await applyOnBoard(t, posting, { id, first_name: 'Zofia', last_name: 'Łuczak', email: null, phone: '600 100 200' });
    const other = await candidateOfApplication(id);
    expect(other).not.toBe(zofiaId);
    expect((await t.api('GET', `/v1/candidates/${other}`)).body.phone).toBe('600100200');

    // A request by identity reads the phone in its country (default DEFAULT_PHONE_COUNTRY); the digits as written before
    // countries are asked for too, so the board's person (held as 600100200) is found under PL as well.
    const find = (body: Record<string, string>) =>
      t.api('POST', '/v1/privacy/subjects/find', body).then((r) => r.body.candidates.map((c: { id: string }) => c.id));
    expect(await find({ phone: '600 100 200', lastName: 'ŁUCZAK', country: 'pl' })).toEqual([zofiaId, other]);
    expect(await find({ phone: '600 100 200', lastName: 'łuczak' })).toEqual([zofiaId, other]);
    expect(await find({ phone: '600 100 200', lastName: 'Łuczak', country: 'GB' })).toEqual([other]);
    expect(await find({ phone: '+48 600 100 200', lastName: 'ŁUCZAK' })).toEqual([zofiaId]);
    const unknown = await t.api('POST', '/v1/privacy/subjects/find', { phone: '600 100 200', lastName: 'Łuczak', country: 'XX' });
    expect(unknown.status).toBe(400);
  });

  it('still refuses a person with a UK phone erased before phones were read in a country', async () => {
    // Erased under the old rules: the key of `07700900999:walsh`, the only trace left of them.
    await rememberLegacyErasure('07700900999:walsh');
    const id = applicationId('walsh');
    await applyOnBoard(t, posting, { id, first_name: 'Oliver', last_name: 'WALSH', email: null, phone: '+44 (0)7700 900999' });
    expect(await intakeOutcome(t, id)).toEqual({ outcome: 'skipped', reason: 'erased' });
    expect((await t.api('POST', '/v1/privacy/subjects/find', { phone: '07700 900999', lastName: 'Walsh' })).body.erasedBefore).toBe(true);
  });

  it('refuses a person erased while their Polish number was held as its digits, who returns with +48; not another surname', async () => {
    // CV-Library reads phones in the UK: her Polish number written nationally is held as its digits, and erased so.
    const first = applicationId('kowalska');
    await applyOnBoard(t, posting, { id: first, first_name: 'Anna', last_name: 'Kowalska', email: null, phone: '600 200 300' });
    const annaId = await candidateOfApplication(first);
    expect((await t.api('GET', `/v1/candidates/${annaId}`)).body.phone).toBe('600200300');
    expect((await t.api('DELETE', `/v1/candidates/${annaId}`)).status).toBe(200);

    const again = applicationId('kowalska-again');
    await applyOnBoard(t, posting, { id: again, first_name: 'Anna', last_name: 'KOWALSKA', email: null, phone: '+48 600 200 300' });
    expect(await intakeOutcome(t, again)).toEqual({ outcome: 'skipped', reason: 'erased' });
    const find = (lastName: string) => t.api('POST', '/v1/privacy/subjects/find', { phone: '+48 600 200 300', lastName });
    expect((await find('Kowalska')).body.erasedBefore).toBe(true);

    // The digits alone are not her: someone else with that number and another surname is taken in.
    const other = applicationId('kowalczyk');
    await applyOnBoard(t, posting, { id: other, first_name: 'Jan', last_name: 'Kowalczyk', email: null, phone: '+48 600 200 300' });
    expect(await candidateOfApplication(other)).not.toBe(annaId);
    expect((await find('Kowalczyk')).body.erasedBefore).toBe(false);
  });

  it('relays inhire’s Polish national numbers as +48 ones, and refuses one erased when it was kept as digits, however written now', async () => {
    const connectorId = await ownPairConnector(t, 'matching', 4800);
    const { erecruiter, inhire } = pairOf(t);
    const recruitment = erecruiter.addRecruitment({ companyId: 4800 });
    // Erased before this change with a national number: their key was made of its digits.
    await rememberLegacyErasure('600777888:nowak');
    const [sliwa, nowak, nowakAbroad] = inhire.addReady(recruitment.id, 3, { account: 'matching' });
    Object.assign(sliwa, { lastName: 'Śliwa', phone: '600 123 456' });
    Object.assign(nowak, { lastName: 'NOWAK', phone: '600-777-888' });
    // The same number in international form: its national digits are asked too.
    Object.assign(nowakAbroad, { lastName: 'Nowak', phone: '+48 600 777 888' });
    const runs = (await t.api('GET', `/v1/connectors/${connectorId}`)).body.status.streams.deliveries.totals.runs as number;
    expect((await t.api('POST', `/v1/connectors/${connectorId}/sync`, {})).status).toBe(202);
    await waitForRuns(t, connectorId, runs + 1);
    const settled = await deliveriesSettled(t, connectorId, [sliwa.id]);
    expect(settled.get(sliwa.id)).toBeDefined();
    expect(settled.get(nowak.id)).toBeUndefined();
    expect(settled.get(nowakAbroad.id)).toBeUndefined();
    const status = (await t.api('GET', `/v1/connectors/${connectorId}`)).body.status.streams.deliveries;
    expect(status.skippedReasons).toMatchObject({ erased: 2 });

    const found = await t.api('POST', '/v1/privacy/subjects/find', { phone: '+48 600 123 456', lastName: 'ŚLIWA' });
    expect(found.body.foundByIdentity).toMatchObject({ relayDeliveries: 1 });
  });
});

// `lower()` on a database made with the C locale folds ASCII only: `ŁUCZAK` stays `Łuczak`. The surname is folded in
// JavaScript, so the match is the same there.
describeWithPostgres('surname matching on a C-locale PostgreSQL')('surname matching on a C-locale PostgreSQL', () => {
  let database: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    database = await createTestDatabase('c_locale', { locale: 'C' });
    store = await openStore({ databaseUrl: database.url });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('matches ŁUCZAK to łuczak where the database’s lower() would not', async () => {
    const folded = await sql<{ folded: string }>`select lower('ŁUCZAK ŚLIWA') as folded`.execute(store.db);
    expect(folded.rows[0].folded).toBe('Łuczak Śliwa');
    const write = (externalId: string, lastName: string, phone: string, phoneCountry?: 'PL') =>
      store.candidates.upsertFromSource({
        source: { provider: 'cv-library', externalId },
        fields: { firstName: 'Zofia', lastName, phone, phoneCountry },
        matchBy: ['email', 'phone+surname'],
        createIfUnknown: true,
      });
    const first = await write('a-1', 'ŁUCZAK', '+48 600 100 200');
    const again = await write('a-2', 'łuczak', '600 100 200', 'PL');
    const other = await write('a-3', 'Łuczakowa', '600 100 200', 'PL');
    expect(first.outcome).toBe('created');
    expect(again).toMatchObject({ candidateId: first.candidateId, outcome: 'updated' });
    expect(other.candidateId).not.toBe(first.candidateId);
  });
});
