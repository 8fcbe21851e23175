import { tinyPdf } from '../../src/providers/cv-library/sandbox-direct-apply';
import { setUpCvLibrary } from '../fixtures/cv-library';
import {
  aDelivery,
  applicationId,
  applyOnBoard,
  deliver,
  intakeOutcome,
  type LivePosting,
  postLiveJob,
  untilApplications,
} from '../fixtures/direct-apply';
import { shownHistory } from '../helpers/history';
import { recordHistory } from '../helpers/record';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, TEST_TOKEN, type TestSystem } from '../helpers/system';

describeEachStore('CV-Library DirectApply: sandbox board → webhook → Temporal → activities → store', (store) => {
  let t: TestSystem;
  let posting: LivePosting;

  beforeAll(async () => {
    t = await startTestSystem({}, { store });
    await setUpCvLibrary(t);
    await t.sandbox('POST', 'cv-library', '/_sandbox/delivery', { retryBaseMs: 20, maxAttempts: 3 });
    posting = await postLiveJob(t);
  });
  afterAll(() => t?.stop());

  const candidatesWithEmail = async (email: string) =>
    ((await t.api('GET', '/v1/candidates?provider=cv-library&limit=200')).body.items as Array<Record<string, any>>).filter(
      (c) => c.email === email,
    );

  it('turns an application into one candidate, one application with referrer cv-library.co.uk, and one CV', async () => {
    const id = applicationId('first');
    const sent = await applyOnBoard(t, posting, { id, first_name: 'Amelia', last_name: 'Khan', phone: '+44 (0)7700 900123', cv: true });
    expect(sent.body).toMatchObject({ state: 'delivered', deliveries: [{ attempts: [200], delivered: true }] });
    const { application: payload } = sent.body;

    // The board's 200 means the delivery is staged and its intake follows, not that it is done: its outcome proves the CV step has run.
    const outcome = await intakeOutcome(t, id);
    const [application] = await untilApplications(t, posting.jobId, 1);
    expect(application).toMatchObject({
      provider: 'cv-library',
      externalId: id,
      jobId: posting.jobId,
      postingId: posting.id,
      status: 'new',
      referrer: 'cv-library.co.uk',
      late: false,
      appliedAt: payload.applied_at,
    });
    expect(application.providerStatus).toBeUndefined();

    const candidate = (await t.api('GET', `/v1/candidates/${application.candidateId}`)).body;
    expect(candidate).toMatchObject({
      firstName: 'Amelia',
      lastName: 'Khan',
      email: payload.email,
      phone: '07700900123',
      location: { town: 'Leeds', county: 'West Yorkshire', postcode: 'LS1 4AP' },
      sources: [{ provider: 'cv-library', externalId: id, referrer: 'cv-library.co.uk' }],
    });
    expect(candidate.documents).toEqual([
      {
        id: expect.any(String),
        kind: 'cv',
        filename: 'Amelia-Khan-CV.pdf',
        contentType: 'application/pdf',
        size: expect.any(Number),
        url: expect.any(String),
      },
    ]);
    expect(application.documents).toEqual(candidate.documents);

    const download = await fetch(`${t.system.apiUrl}${candidate.documents[0].url}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('content-disposition')).toContain('Amelia-Khan-CV.pdf');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(Buffer.from(payload.cv.content, 'base64'));
    expect((await fetch(`${t.system.apiUrl}${candidate.documents[0].url}`)).status).toBe(401);

    expect(outcome).toEqual({
      outcome: 'recorded',
      candidateId: candidate.id,
      applicationId: application.id,
      documentId: candidate.documents[0].id,
      late: false,
    });
    expect(await t.deps.store.intake.cvContent({ provider: 'cv-library', applicationId: id })).toBeUndefined();

    // Temporal's history carries ids only: no CV bytes, no personal data. Logs never show the posting's token.
    const shown = shownHistory(`application:cv-library:${id}`);
    for (const secret of [payload.email, 'Khan', '900123', payload.cv.content.slice(0, 40)]) expect(shown).not.toContain(secret);
    const token = new URL(posting.directApplyUrl).searchParams.get('token')!;
    const logs = t.logLines.join('');
    // Logged by route pattern: the path and query string (the posting's token) are not logged.
    expect(logs).toContain('/v1/webhooks/:board/applications');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(payload.email);
    await recordHistory('application-intake', t.system.client.workflow.getHandle(`application:cv-library:${id}`));
  });

  it('takes the same application delivered 5 times at once exactly once', async () => {
    const job = await postLiveJob(t);
    const id = applicationId('dup');
    const sent = await applyOnBoard(t, job, { id, first_name: 'Isla', last_name: 'Jones', cv: true, duplicate: 5 });
    expect(sent.body.deliveries).toEqual(Array.from({ length: 5 }, () => ({ attempts: [200], delivered: true })));

    await intakeOutcome(t, id);
    const applications = await untilApplications(t, job.jobId, 1);
    expect(applications).toHaveLength(1);
    const candidates = await candidatesWithEmail(sent.body.application.email);
    expect(candidates).toHaveLength(1);
    expect(candidates[0].documents).toHaveLength(1);
    expect(candidates[0].sources).toHaveLength(1);
    // And a redelivery after the intake finished is answered 200 and changes nothing.
    expect((await deliver(job.directApplyUrl, sent.body.application)).status).toBe(200);
    expect(await untilApplications(t, job.jobId, 1)).toHaveLength(1);
    expect((await candidatesWithEmail(sent.body.application.email))[0].updatedAt).toBe(candidates[0].updatedAt);
  });

  it('recognises a repeat applicant on another job (by email, else phone and surname) and keeps every source', async () => {
    const [jobA, jobB, jobC] = [posting, await postLiveJob(t), await postLiveJob(t)];
    const person = { first_name: 'George', last_name: 'Taylor', phone: '07700 900777', email: 'george.taylor@example.com' };
    const first = applicationId('repeat-a');
    const second = applicationId('repeat-b');
    const third = applicationId('repeat-c');
    await applyOnBoard(t, jobA, { ...person, id: first, cv: true });
    await intakeOutcome(t, first);
    // Second job: a new CV and a new town; the same email.
    await applyOnBoard(t, jobB, {
      ...person,
      id: second,
      town: 'Harrogate',
      cv: { filename: 'cv.txt', content_type: 'text/plain', content: Buffer.from('George Taylor, payroll').toString('base64') },
    });
    // Taken in before the next one arrives, so the later name is the one kept (a 200 only means it is staged).
    await intakeOutcome(t, second);
    // Third job: no email given; the same phone (written differently) and surname.
    await applyOnBoard(t, jobC, {
      ...person,
      id: third,
      email: null,
      phone: '+44 7700 900777',
      first_name: 'Georgie',
      town: 'Harrogate',
      cv: false,
    });
    await intakeOutcome(t, third);

    const [a] = await untilApplications(t, jobA.jobId, 1).then((items) => items.filter((x) => x.externalId === first));
    const [b] = await untilApplications(t, jobB.jobId, 1);
    const [c] = await untilApplications(t, jobC.jobId, 1);
    expect(b.candidateId).toBe(a.candidateId);
    expect(c.candidateId).toBe(a.candidateId);
    const candidate = (await t.api('GET', `/v1/candidates/${a.candidateId}`)).body;
    expect(candidate.sources.map((s: { externalId: string }) => s.externalId).sort()).toEqual([first, second, third].sort());
    expect(candidate.sources.every((s: { referrer: string }) => s.referrer === 'cv-library.co.uk')).toBe(true);
    expect(candidate).toMatchObject({ email: person.email, firstName: 'Georgie', location: { town: 'Harrogate' } });
    expect(candidate.documents.map((d: { contentType: string }) => d.contentType)).toEqual(['application/pdf', 'text/plain']);
    const byJob = await t.api('GET', `/v1/candidates?jobId=${jobB.jobId}`);
    expect(byJob.body.items.map((x: { id: string }) => x.id)).toEqual([a.candidateId]);
  });

  it('takes in an application whose profile lacks every optional field, with what came', async () => {
    const job = await postLiveJob(t);
    const id = applicationId('sparse');
    const lacking = { email: null, phone: null, town: null, county: null, postcode: '', job_title: null, cv: false };
    const sent = await applyOnBoard(t, job, { id, first_name: 'Noah', last_name: 'Sparse', ...lacking });
    // The board sent only what the profile holds, and got its 200 at the first attempt.
    expect(sent.body).toMatchObject({ state: 'delivered', deliveries: [{ attempts: [200], delivered: true }] });
    expect(Object.keys(sent.body.application).sort()).toEqual([
      'applied_at',
      'direct_apply_jobid',
      'first_name',
      'id',
      'last_name',
      'postcode',
    ]);

    expect(await intakeOutcome(t, id)).toMatchObject({ outcome: 'recorded', late: false });
    const [application] = await untilApplications(t, job.jobId, 1);
    expect(application).toMatchObject({ externalId: id, referrer: 'cv-library.co.uk', appliedAt: sent.body.application.applied_at });
    const candidate = (await t.api('GET', `/v1/candidates/${application.candidateId}`)).body;
    expect(candidate).toMatchObject({ firstName: 'Noah', lastName: 'Sparse', location: {}, documents: [] });
    expect(candidate.email).toBeUndefined();
    expect(candidate.phone).toBeUndefined();

    // Only a surname, and no date: taken, dated when it arrived.
    const bare = aDelivery({
      first_name: null,
      email: undefined,
      phone: undefined,
      town: undefined,
      county: undefined,
      postcode: undefined,
    });
    delete (bare as Record<string, unknown>).applied_at;
    delete (bare as Record<string, unknown>).job_title;
    const before = Date.now();
    expect((await deliver(job.directApplyUrl, bare)).status).toBe(200);
    expect(await intakeOutcome(t, bare.id)).toMatchObject({ outcome: 'recorded' });
    const dated = (await untilApplications(t, job.jobId, 2)).find((a) => a.externalId === bare.id)!;
    expect(Date.parse(dated.appliedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect((await t.api('GET', `/v1/candidates/${dated.candidateId}`)).body).toMatchObject({ firstName: '', lastName: 'Walsh' });
  });

  it('matches a sparse application to the person we hold without blanking anything, and never by name alone', async () => {
    const [jobA, jobB, jobC, jobD] = [await postLiveJob(t), await postLiveJob(t), await postLiveJob(t), await postLiveJob(t)];
    const email = `maya.${applicationId('x')}@example.com`;
    const full = {
      first_name: 'Maya',
      last_name: 'Okafor',
      email,
      phone: '07700 900314',
      town: 'Bath',
      county: 'Somerset',
      postcode: 'BA1 1AA',
    };
    const ids = {
      full: applicationId('full'),
      byEmail: applicationId('by-email'),
      byPhone: applicationId('by-phone'),
      nameOnly: applicationId('name'),
    };
    await applyOnBoard(t, jobA, { ...full, id: ids.full, cv: true });
    await intakeOutcome(t, ids.full);
    // By email, with nothing else: the phone and location we hold stay.
    const none = { phone: null, town: null, county: null, postcode: null, job_title: null, cv: false };
    await applyOnBoard(t, jobB, { id: ids.byEmail, first_name: null, last_name: 'Okafor', email, ...none });
    // No email: the same phone and surname; an empty town and county are not written over the ones we hold.
    await applyOnBoard(t, jobC, {
      id: ids.byPhone,
      first_name: 'Maya',
      last_name: 'Okafor',
      email: null,
      ...none,
      phone: '+44 7700 900314',
      town: '',
      county: '',
    });
    // No email and no phone: the same name is not enough to be the same person.
    await applyOnBoard(t, jobD, { id: ids.nameOnly, first_name: 'Maya', last_name: 'Okafor', email: null, ...none });
    await Promise.all([ids.byEmail, ids.byPhone, ids.nameOnly].map((id) => intakeOutcome(t, id)));

    const candidateOf = async (jobId: string) => (await untilApplications(t, jobId, 1))[0].candidateId;
    const [a, b, c, d] = await Promise.all([jobA, jobB, jobC, jobD].map((j) => candidateOf(j.jobId)));
    expect([b, c]).toEqual([a, a]);
    expect(d).not.toBe(a);
    const held = (await t.api('GET', `/v1/candidates/${a}`)).body;
    expect(held).toMatchObject({
      firstName: 'Maya',
      lastName: 'Okafor',
      email,
      phone: '07700900314',
      location: { town: 'Bath', county: 'Somerset', postcode: 'BA1 1AA' },
    });
    expect(held.documents).toHaveLength(1);
    expect(held.sources.map((s: { externalId: string }) => s.externalId).sort()).toEqual([ids.full, ids.byEmail, ids.byPhone].sort());
    expect((await t.api('GET', `/v1/candidates/${d}`)).body).toMatchObject({ firstName: 'Maya', lastName: 'Okafor', location: {} });
  });

  it('refuses unsigned, wrong-secret, malformed, oversized, unknown-posting and CV-less-when-required deliveries, writing nothing', async () => {
    const strict = await postLiveJob(t, {}, { quickApply: false });
    const url = new URL(strict.directApplyUrl);
    const withToken = (token: string | null, postingId = strict.id) => {
      const u = new URL(url.origin + url.pathname);
      u.searchParams.set('posting', postingId);
      if (token !== null) u.searchParams.set('token', token);
      return u.toString();
    };
    const pdf = { filename: 'cv.pdf', content_type: 'application/pdf', content: tinyPdf('Ava Brown') };
    const ids: string[] = [];
    const delivery = (overrides: Record<string, unknown> = {}) => {
      const d = aDelivery({ cv: pdf, ...overrides });
      ids.push(d.id);
      return d;
    };

    expect(await deliver(withToken(null), delivery())).toMatchObject({ status: 401, body: { error: 'missing or invalid delivery token' } });
    expect((await deliver(withToken('not-the-token'), delivery())).status).toBe(401);
    // The token of another posting does not open this one.
    expect((await deliver(withToken(new URL(posting.directApplyUrl).searchParams.get('token')!), delivery())).status).toBe(401);
    expect(await deliver(strict.directApplyUrl, '{"id": "x", ')).toMatchObject({ status: 400, body: { error: 'malformed JSON body' } });
    // Wrong types are malformed; so is an application without a name (nothing identifies the person).
    const invalid = await deliver(strict.directApplyUrl, delivery({ county: 42, applied_at: 'yesterday' }));
    expect(invalid.status).toBe(400);
    expect(invalid.body.details.map((i: { path: string }) => i.path).sort()).toEqual(['applied_at', 'county']);
    const nameless = await deliver(strict.directApplyUrl, delivery({ first_name: null, last_name: '  ' }));
    expect(nameless).toMatchObject({
      status: 400,
      body: { details: [{ path: '', message: 'a name is required: first_name or last_name' }] },
    });
    const big = delivery({ cv: { ...pdf, content: Buffer.alloc(8 * 1024 * 1024, 1).toString('base64') } });
    expect(await deliver(strict.directApplyUrl, big)).toMatchObject({
      status: 413,
      body: { error: expect.stringContaining('larger than') },
    });
    const unknown = withToken(t.deps.secrets.derive('direct-apply', 'post_gone'), 'post_gone');
    expect((await deliver(unknown, delivery())).status).toBe(404);
    const noCv = await deliver(strict.directApplyUrl, delivery({ cv: undefined }));
    expect(noCv).toMatchObject({ status: 422, body: { error: 'the posting requires a CV (quick apply is off): no CV was attached' } });

    // Through the board: a "CV" that is not one is refused too; the board retries, then gives up.
    const exe = {
      filename: 'cv.pdf',
      content_type: 'application/pdf',
      content: Buffer.from('MZ\x90\x00 not a CV', 'latin1').toString('base64'),
    };
    const viaBoard = await applyOnBoard(t, strict, { id: applicationId('exe'), cv: exe });
    expect(viaBoard.body).toMatchObject({ state: 'failed', deliveries: [{ attempts: [422, 422, 422], delivered: false }] });
    ids.push(viaBoard.body.id);

    for (const id of ids) expect(await t.deps.store.intake.exists({ provider: 'cv-library', applicationId: id })).toBe(false);
    expect((await t.api('GET', `/v1/applications?jobId=${strict.jobId}`)).body.items).toEqual([]);
    expect(await candidatesWithEmail('oliver.walsh@example.com')).toEqual([]);

    // With a CV it is taken.
    const ok = await deliver(strict.directApplyUrl, delivery());
    expect(ok).toMatchObject({ status: 200, body: { received: true, workflowId: `application:cv-library:${ids.at(-1)}` } });
    expect(await untilApplications(t, strict.jobId, 1)).toHaveLength(1);
  });

  it('still records an application that arrives after the posting was unposted, flagged late', async () => {
    const job = await postLiveJob(t);
    expect((await t.api('DELETE', `/v1/postings/${job.id}`)).body.state).toBe('unposted');
    const late = aDelivery({ email: 'freya.evans@example.com' });
    expect((await deliver(job.directApplyUrl, late)).status).toBe(200);
    expect(await intakeOutcome(t, late.id)).toMatchObject({ outcome: 'recorded', late: true });
    const [application] = await untilApplications(t, job.jobId, 1);
    expect(application).toMatchObject({ externalId: late.id, late: true, referrer: 'cv-library.co.uk' });
  });

  it('records the application but leaves out a CV it cannot take when quick apply is on', async () => {
    const job = await postLiveJob(t);
    const id = applicationId('badcv');
    await applyOnBoard(t, job, {
      id,
      cv: { filename: 'cv.docx', content_type: 'application/msword', content: Buffer.from('PK\x03\x04junk', 'latin1').toString('base64') },
    });
    expect(await intakeOutcome(t, id)).toMatchObject({
      outcome: 'recorded',
      cvNote: expect.stringContaining('not a PDF, DOC, DOCX, RTF, TXT or ODT'),
    });
    const [application] = await untilApplications(t, job.jobId, 1);
    expect(application.documents).toEqual([]);
    // The recruiter reading the application sees that a CV came, and why it is not there (seed 002: a submitted résumé
    // is attached to the candidate's profile).
    expect(application.cvNote).toBe('the CV is not a PDF, DOC, DOCX, RTF, TXT or ODT file (declared "application/msword")');
  });

  /** Every page of a list, walked by its cursor, `limit` at a time. */
  async function walk(path: string, limit: number): Promise<Array<Array<{ id: string }>>> {
    const pages: Array<Array<{ id: string }>> = [];
    let cursor: string | undefined;
    do {
      const page = await t.api('GET', `${path}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    return pages;
  }

  it('lists applications and candidates by page, by source and since', async () => {
    const job = await postLiveJob(t);
    const ids = [1, 2, 3, 4, 5].map((i) => applicationId(`page-${i}`));
    await Promise.all(ids.map((id, i) => applyOnBoard(t, job, { id, email: `paged.${i}.${id}@example.com`, phone: `07700 90060${i}` })));
    await Promise.all(ids.map((id) => intakeOutcome(t, id)));
    for (const path of [`/v1/applications?provider=cv-library&jobId=${job.jobId}`, `/v1/candidates?source=cv-library&jobId=${job.jobId}`]) {
      const whole = (await t.api('GET', `${path}&limit=200`)).body.items.map((i: { id: string }) => i.id);
      expect(whole).toHaveLength(5);
      const pages = await walk(path, 2);
      // Pages of two, in the order of the whole list: every item once, none skipped or repeated.
      expect(pages.slice(0, -1).every((p) => p.length === 2)).toBe(true);
      expect(pages.flat().map((i) => i.id)).toEqual(whole);
    }
    expect((await t.api('GET', '/v1/applications?provider=lever')).body.items).toEqual([]);
    expect(
      (await t.api('GET', `/v1/candidates?source=cv-library&since=${new Date(Date.now() + 60_000).toISOString()}`)).body.items,
    ).toEqual([]);
    expect((await t.api('GET', '/v1/candidates?since=yesterday')).status).toBe(400);
    expect((await t.api('GET', '/v1/candidates')).body.items.length).toBeGreaterThan(0);
    expect((await t.api('GET', '/v1/candidates', undefined, { token: null })).status).toBe(401);
    expect((await t.api('GET', '/v1/candidates/cand_missing')).status).toBe(404);

    const { paths } = (await t.api('GET', '/openapi.json', undefined, { token: null })).body;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/v1/webhooks/cv-library/applications',
        '/v1/applications',
        '/v1/candidates',
        '/v1/candidates/{id}',
        '/v1/documents/{id}',
      ]),
    );
    expect(paths['/v1/webhooks/cv-library/applications'].post.security).toEqual([]);
    expect(paths['/v1/applications'].get.security).toEqual([{ bearer: ['read'] }]);
  });
});
