import { slugFor } from '../../src/careers/slug';
import type { Job } from '../../src/domain/job';
import { SANDBOX_API_KEY as LEVER_KEY } from '../../src/providers/lever/sandbox';
import { SANDBOX_COMPANY, SANDBOX_API_KEY as SR_KEY } from '../../src/providers/smartrecruiters/sandbox';
import { leverConnector, waitForRuns } from '../fixtures/connectors';
import { smartRecruitersConnector } from '../fixtures/smartrecruiters';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, TEST_TOKEN, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

// Seeds 003 (Lever) and 001 (SmartRecruiters) as their users walk them: records changed in the ATS through the
// sandboxes' HTTP controls (as `npm start` offers them), a sync, then what the user looks at — the API and the
// careers pages.

describeEachStore('seeds 003 and 001 walked: ATS edits → sync → API and careers site', (store) => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem({}, { store });
  });
  afterAll(() => t?.stop());

  const careers = async (path = '/careers') => (await fetch(`${t.system.apiUrl}${path}`)).text();
  const listedTitles = async () => [...(await careers('/careers?q=')).matchAll(/<h2><a href="[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);
  const jobOf = async (source: string, externalId: string) => {
    const jobs = (await t.api('GET', `/v1/jobs?source=${source}&limit=200`)).body.items as Array<Record<string, any>>;
    return jobs.find((j) => j.externalId === externalId);
  };
  /** The ids of postings the SmartRecruiters sandbox seeds now, as its public list shows them. */
  const newSmartRecruitersPostings = async (postings: number, seed: number) => {
    const listed = async () => {
      const url = `${t.sandboxes.urlFor('smartrecruiters')}/v1/companies/${SANDBOX_COMPANY}/postings?limit=100`;
      const page = (await (await fetch(url)).json()) as { content: Array<{ id: string }> };
      return page.content.map((p) => p.id);
    };
    const before = new Set(await listed());
    expect((await t.sandbox('POST', 'smartrecruiters', '/_sandbox/seed', { postings, candidates: 0, seed })).status).toBe(200);
    return (await listed()).filter((id) => !before.has(id));
  };
  const syncAgain = async (id: string, runs: number) => {
    expect((await t.api('POST', `/v1/connectors/${id}/sync`, {})).status).toBe(202);
    return waitForRuns(t, id, runs);
  };

  it('Lever: a job published in Lever appears, an edited description shows, a job whose location is removed leaves the site', async () => {
    expect((await t.sandbox('POST', 'lever', '/_sandbox/seed', { postings: 3, opportunities: 0, seed: 303 })).status).toBe(200);
    const listed = await fetch(`${t.sandboxes.urlFor('lever')}/v1/postings?limit=100&confidentiality=all`, {
      headers: { authorization: `Basic ${Buffer.from(`${LEVER_KEY}:`).toString('base64')}` },
    }).then((r) => r.json() as Promise<{ data: Array<{ id: string }> }>);
    const [payroll, office, field] = listed.data.map((p) => p.id);
    const edit = async (id: string, patch: Record<string, unknown>) => {
      const res = await t.sandbox('PATCH', 'lever', `/_sandbox/postings/${id}`, patch);
      expect(res.status).toBe(200);
      return res.body;
    };
    const published = { state: 'published', distributionChannels: ['public'], confidentiality: 'non-confidential', tags: [] };
    await edit(payroll, { ...published, text: 'Payroll Administrator', categories: { location: 'Leeds' } });
    await edit(office, {
      ...published,
      text: 'Office Manager',
      state: 'internal',
      distributionChannels: [],
      categories: { location: 'York' },
    });
    await edit(field, { ...published, text: 'Field Engineer', categories: { location: 'Manchester' } });
    expect((await t.sandbox('PATCH', 'lever', '/_sandbox/postings/no-such-posting', { text: 'x' })).status).toBe(404);
    expect((await t.sandbox('PATCH', 'lever', `/_sandbox/postings/${payroll}`, ['not', 'a', 'patch'])).status).toBe(400);

    // Every field of the seed's form; the start dates blank, as it advises.
    const created = await t.api(
      'POST',
      '/v1/connectors',
      leverConnector(`${t.sandboxes.urlFor('lever')}/v1`, LEVER_KEY, {
        distributionChannel: 'public',
        remote: { field: 'location', remoteRegex: '^remote', hybridRegex: 'hybrid' },
        hiddenJobs: { tags: ['Evergreen'] },
        jobsStartDate: undefined,
        candidatesStartDate: undefined,
      }),
    );
    expect(created.status).toBe(201);
    const id = created.body.id;
    await waitForRuns(t, id, 1);
    expect(await listedTitles()).toEqual(expect.arrayContaining(['Payroll Administrator', 'Field Engineer']));
    expect(await listedTitles()).not.toContain('Office Manager');

    // In Lever: the office job published ("Publishing Pages"), the payroll job's description edited, and the field
    // job's location removed ("only jobs that have a location field in Lever will be pulled").
    await edit(office, { state: 'published', distributionChannels: ['public'] });
    await edit(payroll, { content: { descriptionHtml: '<p>Run payroll for 1,200 staff.</p>' } });
    const located = await edit(field, { categories: { location: null, allLocations: [] } });
    expect(located.categories).not.toHaveProperty('location');
    const after = await syncAgain(id, 2);
    expect(after.status.streams.jobs).toMatchObject({ created: 1, updated: 2 });

    const titles = await listedTitles();
    expect(titles).toEqual(expect.arrayContaining(['Payroll Administrator', 'Office Manager']));
    expect(titles).not.toContain('Field Engineer');
    expect(await jobOf('lever', field)).toMatchObject({ published: false, state: 'open', location: { city: 'Manchester' } });
    const payrollJob = await jobOf('lever', payroll);
    const page = await careers(`/careers/jobs/${slugFor(payrollJob as Job)}`);
    expect(page).toContain('Run payroll for 1,200 staff.');

    // The location back in Lever: the job is published again.
    await edit(field, { categories: { location: 'Manchester' } });
    await syncAgain(id, 3);
    expect(await jobOf('lever', field)).toMatchObject({ published: true });
  });

  it('a start date set for a backfill is cleared again with null, as the seed advises ("normally set to blank")', async () => {
    const created = await t.api('POST', '/v1/connectors', leverConnector(`${t.sandboxes.urlFor('lever')}/v1`, LEVER_KEY));
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body.settings).toMatchObject({ candidatesStartDate: '2000-01-01', jobsIntervalMinutes: 60 });

    const cleared = await t.api('PATCH', `/v1/connectors/${id}`, { settings: { candidatesStartDate: null, jobsIntervalMinutes: null } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.settings).not.toHaveProperty('candidatesStartDate');
    expect(cleared.body.settings).toMatchObject({ jobsStartDate: '2000-01-01', jobsIntervalMinutes: 15 });
    expect((await t.api('GET', `/v1/connectors/${id}`)).body.settings).not.toHaveProperty('candidatesStartDate');

    // A required setting cannot be cleared: refused, naming it, and nothing changes.
    const refused = await t.api('PATCH', `/v1/connectors/${id}`, { settings: { companyCode: null } });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([expect.objectContaining({ path: 'settings.companyCode' })]);
    expect((await t.api('GET', `/v1/connectors/${id}`)).body.settings).toMatchObject({ companyCode: 'acme' });
    expect((await t.api('POST', `/v1/connectors/${id}/pause`, {})).status).toBe(200);
  });

  it('SmartRecruiters: job postings need no API key: a connector made with no credentials at all syncs jobs, candidates off', async () => {
    const base = t.sandboxes.urlFor('smartrecruiters');
    const { credentials: _none, ...withoutCredentials } = smartRecruitersConnector(base, SANDBOX_COMPANY, undefined);
    const created = await t.api('POST', '/v1/connectors', withoutCredentials);
    expect(created.status).toBe(201);
    await waitForRuns(t, created.body.id, 1, 90_000, 'jobs');
    const { body } = await t.api('GET', `/v1/connectors/${created.body.id}`);
    expect(body.state).toBe('active');
    expect(body.status.streams.jobs).toMatchObject({ backfill: { finished: true } });
    expect(body.status.streams.candidates.off).toMatch(/no API key: candidates are off/);
    expect((await t.api('POST', `/v1/connectors/${created.body.id}/pause`, {})).status).toBe(200);

    // A provider that needs a key says which, as it does for a wrong one.
    const { credentials: _key, ...leverWithout } = leverConnector(t.sandboxes.urlFor('lever'), LEVER_KEY);
    const refused = await t.api('POST', '/v1/connectors', leverWithout);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('credentials.apiKey');
  });

  it('SmartRecruiters: a posting open across a whole country is on the careers site, and a job edited in SmartRecruiters follows', async () => {
    const base = t.sandboxes.urlFor('smartrecruiters');
    const [nationwide, leeds] = await newSmartRecruitersPostings(2, 101);
    const edit = async (id: string, patch: Record<string, unknown>) =>
      expect((await t.sandbox('PATCH', 'smartrecruiters', `/_sandbox/postings/${id}`, patch)).status).toBe(200);
    await edit(nationwide, {
      name: 'Payroll Specialist',
      location: { city: '', region: '', country: 'us', remote: false },
      customField: [],
    });
    await edit(leeds, {
      name: 'Talent Partner',
      location: { city: 'Leeds', region: 'England', country: 'gb', remote: false },
      customField: [],
    });

    const created = await t.api('POST', '/v1/connectors', smartRecruitersConnector(base, SANDBOX_COMPANY, SR_KEY));
    expect(created.status).toBe(201);
    const id = created.body.id;
    const first = await waitForRuns(t, id, 1);
    expect(first.status.streams.jobs).toMatchObject({ created: 2, skipped: 0 });
    expect(await jobOf('smartrecruiters', nationwide)).toMatchObject({
      location: { city: 'United States', country: 'US' },
      workplace: 'onsite',
      published: true,
    });
    expect(await listedTitles()).toEqual(expect.arrayContaining(['Payroll Specialist', 'Talent Partner']));
    const job = await jobOf('smartrecruiters', nationwide);
    expect(await careers(`/careers/jobs/${slugFor(job as Job)}`)).toContain('<li>United States</li>');

    // Moved to a city and retitled in SmartRecruiters (its list item changes): the job follows on the next cycle.
    await edit(nationwide, { name: 'Senior Payroll Specialist', location: { city: 'Austin', region: 'TX' } });
    await syncAgain(id, 2);
    expect(await jobOf('smartrecruiters', nationwide)).toMatchObject({
      title: 'Senior Payroll Specialist',
      location: { city: 'Austin', region: 'TX', country: 'US' },
    });
    expect(await listedTitles()).toContain('Senior Payroll Specialist');
  });

  it('SmartRecruiters: a candidate comes with their history, résumé and other documents, and each job application’s status follows', async () => {
    const base = t.sandboxes.urlFor('smartrecruiters');
    expect((await t.sandbox('POST', 'smartrecruiters', '/_sandbox/seed', { candidates: 1, seed: 104 })).status).toBe(200);
    const listed = await fetch(`${base}/candidates?limit=100`, { headers: { 'x-smarttoken': SR_KEY } }).then(
      (r) => r.json() as Promise<{ content: Array<{ id: string; email: string; primaryAssignment: Record<string, unknown> }> }>,
    );
    const person = listed.content.find((c) => c.email.includes('.104.'));
    if (!person) throw new Error('the seeded candidate is not listed');
    const file = (type: string, name: string, format: string, contentType: string) => ({
      id: `${type}-1`,
      name,
      type,
      contentType,
      format,
      lines: [name],
    });
    const attachments = [
      file('RESUME', 'CV.pdf', 'pdf', 'application/pdf'),
      file('COVER_LETTER', 'Cover letter.pdf', 'pdf', 'application/pdf'),
      file('PORTFOLIO', 'Portfolio.pdf', 'pdf', 'application/pdf'),
      file('AVATAR', 'avatar.jpg', 'jpg', 'image/jpeg'),
    ];
    // Found on LinkedIn for one job, applied through the careers site for another: each application keeps its own source.
    const primaryAssignment = { ...(person.primaryAssignment as { job: { id: string } }), source: 'Career site' };
    const secondaryAssignments = [{ job: { id: 'job-104-b', title: 'Second job' }, status: 'NEW', subStatus: null, source: 'LinkedIn' }];
    const patched = await t.sandbox('PATCH', 'smartrecruiters', `/_sandbox/candidates/${person.id}`, {
      attachments,
      primaryAssignment,
      secondaryAssignments,
    });
    expect(patched.status).toBe(200);

    const created = await t.api('POST', '/v1/connectors', smartRecruitersConnector(base, SANDBOX_COMPANY, SR_KEY));
    expect(created.status).toBe(201);
    const id = created.body.id;
    await waitForRuns(t, id, 1);
    const candidates = (await t.api('GET', '/v1/candidates?source=smartrecruiters&limit=200')).body.items as Array<Record<string, any>>;
    const candidate = candidates.find((c) => c.email === person.email);
    expect(candidate).toMatchObject({ firstName: expect.any(String), lastName: expect.any(String), phone: expect.any(String) });
    expect(candidate?.location).toMatchObject({ city: expect.any(String), country: expect.any(String) });
    expect(candidate?.education).toEqual([expect.objectContaining({ degree: 'BSc', field: 'Economics' })]);
    expect(candidate?.experience).toEqual([expect.objectContaining({ title: 'Analyst', current: true })]);
    // The résumé, the cover letter and the other file, each known by its kind (the photo is no document).
    const kinds = Object.fromEntries(candidate?.documents.map((d: { filename: string; kind: string }) => [d.filename, d.kind]));
    expect(kinds).toEqual({ 'CV.pdf': 'cv', 'Cover letter.pdf': 'cover-letter', 'Portfolio.pdf': 'other' });
    const cover = candidate?.documents.find((d: { filename: string }) => d.filename === 'Cover letter.pdf');
    const download = await fetch(`${t.system.apiUrl}${cover.url}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    expect(download.headers.get('content-type')).toMatch(/^application\/pdf/);
    expect((await download.text()).startsWith('%PDF')).toBe(true);

    const applications = async () =>
      (await t.api('GET', `/v1/applications?candidateId=${candidate?.id}`)).body.items as Array<Record<string, any>>;
    const referrers = Object.fromEntries((await applications()).map((a) => [a.externalId, a.referrer]));
    expect(referrers).toEqual({ [`${person.id}:${primaryAssignment.job.id}`]: 'Career site', [`${person.id}:job-104-b`]: 'LinkedIn' });
    const before = (await applications()).find((a) => a.referrer === 'Career site') as Record<string, any>;
    expect(before).toMatchObject({ providerStatus: expect.stringMatching(/^[A-Z_]+/) });
    expect(before.documents.map((d: { kind: string }) => d.kind)).toContain('cv');
    const openapi = (await t.api('GET', '/openapi.json')).body;
    const documentSchema =
      openapi.paths['/v1/candidates/{id}'].get.responses['200'].content['application/json'].schema.properties.documents.items;
    expect(documentSchema.properties.kind).toMatchObject({ enum: ['cv', 'cover-letter', 'other'] });
    expect(documentSchema.required).toContain('kind');
    await t.sandbox('PATCH', 'smartrecruiters', `/_sandbox/candidates/${person.id}`, {
      primaryAssignment: { ...primaryAssignment, status: 'HIRED', subStatus: null },
    });
    await syncAgain(id, 2);
    const after = (await applications()).find((a) => a.id === before.id);
    expect(after).toMatchObject({ id: before.id, status: 'hired', providerStatus: 'HIRED' });
    expect((await t.api('POST', `/v1/connectors/${id}/pause`, {})).status).toBe(200);
  });

  it('SmartRecruiters: a candidate moved to another job: their application on the job they left is marked gone at the source', async () => {
    const base = t.sandboxes.urlFor('smartrecruiters');
    expect((await t.sandbox('POST', 'smartrecruiters', '/_sandbox/seed', { candidates: 1, seed: 105 })).status).toBe(200);
    const listed = await fetch(`${base}/candidates?limit=100`, { headers: { 'x-smarttoken': SR_KEY } }).then(
      (r) => r.json() as Promise<{ content: Array<{ id: string; email: string }> }>,
    );
    const person = listed.content.find((c) => c.email.includes('.105.'));
    if (!person) throw new Error('the seeded candidate is not listed');
    const assignment = (jobId: string, status: string) => ({
      job: { id: jobId, title: `Job ${jobId}` },
      status,
      subStatus: null,
      source: 'LinkedIn',
    });
    const assign = async (primary: object, secondary: object[] = []) =>
      expect(
        (
          await t.sandbox('PATCH', 'smartrecruiters', `/_sandbox/candidates/${person.id}`, {
            primaryAssignment: primary,
            secondaryAssignments: secondary,
          })
        ).status,
      ).toBe(200);
    await assign(assignment('job-a-105', 'INTERVIEW'), [assignment('job-c-105', 'IN_REVIEW')]);

    const created = await t.api('POST', '/v1/connectors', smartRecruitersConnector(base, SANDBOX_COMPANY, SR_KEY));
    expect(created.status).toBe(201);
    const id = created.body.id;
    await waitForRuns(t, id, 1);
    const applications = async () => {
      const items = (await t.api('GET', '/v1/applications?provider=smartrecruiters&limit=200')).body.items as Array<Record<string, any>>;
      return Object.fromEntries(items.filter((a) => a.externalId.startsWith(`${person.id}:`)).map((a) => [a.externalId, a]));
    };
    const first = await applications();
    expect(Object.keys(first).sort()).toEqual([`${person.id}:job-a-105`, `${person.id}:job-c-105`]);
    expect(first[`${person.id}:job-a-105`]).not.toHaveProperty('deletedAt');

    // Moved in SmartRecruiters from job A to job B: A is no longer among their jobs; C stays.
    await assign(assignment('job-b-105', 'NEW'), [assignment('job-c-105', 'IN_REVIEW')]);
    const moved = await syncAgain(id, 2);
    // Counted in the stream's `deleted`, as a record found gone is.
    expect(moved.status.streams.candidates).toMatchObject({ updated: 1, deleted: 1, totals: { deleted: 1 } });
    const after = await applications();
    expect(after[`${person.id}:job-a-105`]).toMatchObject({
      id: first[`${person.id}:job-a-105`].id,
      status: 'interview',
      providerStatus: 'INTERVIEW',
      deletedAt: expect.any(String),
    });
    expect(after[`${person.id}:job-b-105`]).toMatchObject({ status: 'new' });
    expect(after[`${person.id}:job-b-105`]).not.toHaveProperty('deletedAt');
    expect(after[`${person.id}:job-c-105`]).not.toHaveProperty('deletedAt');
    // The person is still at SmartRecruiters: their source is not gone.
    const candidate = (await t.api('GET', `/v1/candidates/${after[`${person.id}:job-b-105`].candidateId}`)).body;
    expect(candidate.sources.find((s: { provider: string }) => s.provider === 'smartrecruiters')).not.toHaveProperty('deletedAt');

    // Moved back to job A: that application is live again.
    await assign(assignment('job-a-105', 'OFFERED'), [assignment('job-c-105', 'IN_REVIEW')]);
    const movedBack = await syncAgain(id, 3);
    expect(movedBack.status.streams.candidates).toMatchObject({ deleted: 1, totals: { deleted: 2 } });
    const back = await applications();
    expect(back[`${person.id}:job-a-105`]).toMatchObject({ status: 'offered' });
    expect(back[`${person.id}:job-a-105`]).not.toHaveProperty('deletedAt');
    expect(back[`${person.id}:job-b-105`]).toMatchObject({ deletedAt: expect.any(String) });
    expect((await t.api('POST', `/v1/connectors/${id}/pause`, {})).status).toBe(200);
  });

  it('Lever: an opportunity moved to another posting: its application on the posting it left is marked gone at the source', async () => {
    const lever = `${t.sandboxes.urlFor('lever')}/v1`;
    expect((await t.sandbox('POST', 'lever', '/_sandbox/seed', { postings: 0, opportunities: 1, seed: 306 })).status).toBe(200);
    const listed = await fetch(`${lever}/opportunities?limit=100&confidentiality=all`, {
      headers: { authorization: `Basic ${Buffer.from(`${LEVER_KEY}:`).toString('base64')}` },
    }).then((r) => r.json() as Promise<{ data: Array<{ id: string; contact: string; createdAt: number }> }>);
    const opportunity = listed.data.at(-1);
    if (!opportunity) throw new Error('no opportunity seeded');
    const application = (appId: string, posting: string) => ({
      id: appId,
      type: 'posting',
      opportunityId: opportunity.id,
      candidateId: opportunity.contact,
      posting,
      createdAt: opportunity.createdAt,
      archived: null,
    });
    const apply = async (...applications: object[]) =>
      expect((await t.sandbox('PATCH', 'lever', `/_sandbox/opportunities/${opportunity.id}`, { applications })).status).toBe(200);
    await apply(application('app-306-a', 'posting-306-a'));

    const created = await t.api('POST', '/v1/connectors', leverConnector(lever, LEVER_KEY, { syncResumes: false }));
    expect(created.status).toBe(201);
    const id = created.body.id;
    await waitForRuns(t, id, 1);
    const applications = async () => {
      const items = (await t.api('GET', '/v1/applications?provider=lever&limit=200')).body.items as Array<Record<string, any>>;
      return Object.fromEntries(items.filter((a) => a.externalId.startsWith('app-306-')).map((a) => [a.externalId, a]));
    };
    expect((await applications())['app-306-a']).not.toHaveProperty('deletedAt');

    await apply(application('app-306-b', 'posting-306-b'));
    const moved = await syncAgain(id, 2);
    // Counted in the stream's `deleted`, as a record found gone is; once: written again, the record counts none.
    expect(moved.status.streams.candidates).toMatchObject({ updated: 1, deleted: 1, totals: { deleted: 1 } });
    const after = await applications();
    expect(after['app-306-a']).toMatchObject({ deletedAt: expect.any(String) });
    expect(after['app-306-b']).not.toHaveProperty('deletedAt');
    expect((await t.api('POST', `/v1/connectors/${id}/resync`, { since: '2000-01-01', stream: 'candidates' })).status).toBe(202);
    const rewritten = await waitForRuns(t, id, 3, 90_000, 'candidates');
    expect(rewritten.status.streams.candidates).toMatchObject({ mode: 'resync', deleted: 0, totals: { deleted: 1 } });
    expect((await t.api('POST', `/v1/connectors/${id}/pause`, {})).status).toBe(200);
  });

  it('Lever: an application Lever keeps under its id while moving it to another posting follows it to that job, once', async () => {
    const lever = `${t.sandboxes.urlFor('lever')}/v1`;
    const auth = { authorization: `Basic ${Buffer.from(`${LEVER_KEY}:`).toString('base64')}` };
    const listed = async (what: 'postings' | 'opportunities') =>
      (
        (await fetch(`${lever}/${what}?limit=100&confidentiality=all`, { headers: auth }).then((r) => r.json())) as {
          data: Array<{ id: string; contact: string; createdAt: number }>;
        }
      ).data;
    const [postingsBefore, opportunitiesBefore] = [await listed('postings'), await listed('opportunities')];
    expect((await t.sandbox('POST', 'lever', '/_sandbox/seed', { postings: 2, opportunities: 1, seed: 307 })).status).toBe(200);
    const [postingA, postingB] = (await listed('postings')).filter((p) => !postingsBefore.some((b) => b.id === p.id)).map((p) => p.id);
    const opportunity = (await listed('opportunities')).find((o) => !opportunitiesBefore.some((b) => b.id === o.id));
    if (!postingB || !opportunity) throw new Error('nothing seeded');
    for (const id of [postingA, postingB]) {
      const published = { state: 'published', distributionChannels: ['public'], confidentiality: 'non-confidential', tags: [] };
      const res = await t.sandbox('PATCH', 'lever', `/_sandbox/postings/${id}`, { ...published, categories: { location: 'Leeds' } });
      expect(res.status).toBe(200);
    }
    // One application, its id kept by Lever while its posting changes.
    const applyTo = async (posting: string) => {
      const applications = [
        { id: 'app-307', type: 'posting', opportunityId: opportunity.id, candidateId: opportunity.contact, posting, archived: null },
      ];
      expect((await t.sandbox('PATCH', 'lever', `/_sandbox/opportunities/${opportunity.id}`, { applications })).status).toBe(200);
    };
    await applyTo(postingA);

    const created = await t.api('POST', '/v1/connectors', leverConnector(lever, LEVER_KEY, { syncResumes: false }));
    expect(created.status).toBe(201);
    const id = created.body.id;
    await waitForRuns(t, id, 1);
    const [jobA, jobB] = [await jobOf('lever', postingA), await jobOf('lever', postingB)];
    expect(jobA?.id).toBeDefined();
    expect(jobB?.id).toBeDefined();
    const application = async () => {
      const items = (await t.api('GET', '/v1/applications?provider=lever&limit=200')).body.items as Array<Record<string, any>>;
      return items.find((a) => a.externalId === 'app-307');
    };
    const first = await application();
    expect(first).toMatchObject({ jobId: jobA?.id });

    await applyTo(postingB);
    const moved = await syncAgain(id, 2);
    expect(moved.status.streams.candidates).toMatchObject({ updated: 1, deleted: 0 });
    const after = await application();
    expect(after).toMatchObject({ id: first?.id, jobId: jobB?.id });
    expect(after).not.toHaveProperty('deletedAt');

    // Written again (a resync rewrites every record), nothing changes.
    expect((await t.api('POST', `/v1/connectors/${id}/resync`, { since: '2000-01-01', stream: 'candidates' })).status).toBe(202);
    const rewritten = await waitForRuns(t, id, 3, 90_000, 'candidates');
    expect(rewritten.status.streams.candidates).toMatchObject({ mode: 'resync', created: 0, updated: 0 });
    expect(await application()).toEqual(after);
    expect((await t.api('POST', `/v1/connectors/${id}/pause`, {})).status).toBe(200);
  });

  it('SmartRecruiters: a job ad edited in SmartRecruiters (nothing in the postings list changes) shows on its page without a sweep', async () => {
    const base = t.sandboxes.urlFor('smartrecruiters');
    const [posting] = await newSmartRecruitersPostings(1, 102);
    await t.sandbox('PATCH', 'smartrecruiters', `/_sandbox/postings/${posting}`, { location: { city: 'Leeds' } });
    // Cycles every second, each job ad re-read every second: the edit shows within a few cycles.
    const created = await t.api(
      'POST',
      '/v1/connectors',
      smartRecruitersConnector(base, SANDBOX_COMPANY, undefined, { jobsIntervalMinutes: 1 / 60, jobAdsRefreshMinutes: 1 / 60 }),
    );
    expect(created.status).toBe(201);
    await waitForRuns(t, created.body.id, 1, 90_000, 'jobs'); // no API key: candidates are off
    const job = await jobOf('smartrecruiters', posting);
    const page = `/careers/jobs/${slugFor(job as Job)}`;
    expect(await careers(page)).not.toContain('Now remote-first');

    const edited = await t.sandbox('PATCH', 'smartrecruiters', `/_sandbox/postings/${posting}`, {
      sections: { jobDescription: { text: '<p>Now remote-first.</p>' } },
    });
    expect(edited.body.sections).toMatchObject({
      jobDescription: { title: 'Job Description', text: '<p>Now remote-first.</p>' },
      qualifications: { title: 'Qualifications' },
    });
    await waitFor(
      () => careers(page),
      (html) => html.includes('Now remote-first.'),
      30_000,
      'the edited job ad on its page',
    );
    const connector = (await t.api('GET', `/v1/connectors/${created.body.id}`)).body;
    expect(connector.status.sweep.totals.runs).toBe(0);
    expect((await t.api('POST', `/v1/connectors/${created.body.id}/pause`, {})).status).toBe(200);
  });
});
