import { runDemo } from '../../src/cli/demo';
import { leverSandboxOf } from '../../src/providers/lever/sandbox';
import { smartRecruitersSandboxOf } from '../../src/providers/smartrecruiters/sandbox';
import { expectedFrom } from '../fixtures/connectors';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, TEST_TOKEN, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

describeEachStore('the demo npm start runs', (store) => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem({}, { store });
  });
  afterAll(() => t?.stop());

  it('puts the Lever and SmartRecruiters sandboxes’ synced jobs and the demo job on the branded careers site', async () => {
    const lines: string[] = [];
    await runDemo({ apiUrl: t.system.apiUrl, token: TEST_TOKEN, sandboxes: t.sandboxes, log: (line) => lines.push(line) });
    expect(lines.at(-1)).toContain(`careers site ${t.system.apiUrl}/careers`);

    const lever = expectedFrom(leverSandboxOf(t.sandboxes.apps.lever)).jobs;
    expect(lever.length).toBeGreaterThan(5);
    // Every SmartRecruiters posting has a place (city, region, remote, or the country it is open across): all are imported.
    const smartRecruiters = [...smartRecruitersSandboxOf(t.sandboxes.apps.smartrecruiters).postings.values()];
    expect(smartRecruiters.length).toBeGreaterThan(3);
    const listed = await waitFor(
      async () => {
        const html = await (await fetch(`${t.system.apiUrl}/careers`)).text();
        return { count: /id="count">(\d+) jobs/.exec(html)?.[1], html };
      },
      (page) => Number(page.count) === lever.length + smartRecruiters.length + 1,
      60_000,
      'the synced jobs on the careers site',
    );
    expect(listed.html).toContain('Open jobs at Acme');
    expect(listed.html).toContain('Senior Payroll Administrator');
    // Every synced job links to its own Lever apply page, from its page on our site.
    const sitemap = await (await fetch(`${t.system.apiUrl}/careers/sitemap.xml`)).text();
    const pages = [...sitemap.matchAll(/<loc>[^<]+(\/careers\/jobs\/[^<]+)<\/loc>/g)].map((m) => m[1]);
    expect(pages).toHaveLength(lever.length + smartRecruiters.length + 1);
    const applyLinks = new Set<string>();
    for (const page of pages) {
      const html = await (await fetch(`${t.system.apiUrl}${page}`)).text();
      const apply = /<a class="button apply" href="([^"]+)"/.exec(html)?.[1];
      if (apply) applyLinks.add(apply);
    }
    const leverLinks = [...applyLinks].filter((link) => link.startsWith('https://jobs.lever.co/'));
    expect(leverLinks.sort()).toEqual(lever.map((p) => `https://jobs.lever.co/acme/${p.id}/apply`).sort());
    const srLinks = [...applyLinks].filter((link) => link.startsWith('https://jobs.smartrecruiters.com/AcmeCorp/'));
    expect(srLinks.map((link) => /AcmeCorp\/(\d+)-/.exec(link)?.[1]).sort()).toEqual(smartRecruiters.map((p) => p.id).sort());

    // inhire ↔ eRecruiter: both sides connected, the candidates delivered, one stage of the company's own to map.
    const [relay] = (await t.api('GET', '/v1/connectors?provider=erecruiter-inhire')).body.items;
    expect((await t.api('POST', `/v1/connectors/${relay.id}/test`, {})).body).toMatchObject({
      ok: true,
      parts: { eRecruiter: { ok: true }, inhire: { ok: true } },
    });
    expect((await t.api('GET', `/v1/connectors/${relay.id}/status-mapping`)).body.unmapped).toEqual(['"Zadanie rekrutacyjne" (8)']);
    expect(lines.some((line) => line.includes('waiting to be mapped: "Zadanie rekrutacyjne" (8)'))).toBe(true);
    await waitFor(
      async () => (await t.api('GET', `/v1/connectors/${relay.id}/deliveries?state=delivered`)).body.items,
      (items) => items.length === 3,
      60_000,
      'the demo candidates delivered into eRecruiter',
    );
  });

  it('keeps the CV-Library settings a user saved over the demo’s when it runs again (a restart)', async () => {
    const account = { clientId: 'own-client', clientSecret: 'own-secret-key', posterEmails: ['jobs@own.example'] };
    expect((await t.sandbox('POST', 'cv-library', '/_sandbox/accounts', account)).status).toBe(201);
    const own = await t.api('PUT', '/v1/boards/cv-library', {
      baseUrl: t.sandboxes.urlFor('cv-library'),
      credentials: { clientId: account.clientId, clientSecret: account.clientSecret },
      posterEmail: 'jobs@own.example',
      genericAccount: true,
      jobTypeMapping: { 'full-time': 'Contract' },
      industryMapping: {},
    });
    expect(own.status).toBe(200);

    const lines: string[] = [];
    await runDemo({ apiUrl: t.system.apiUrl, token: TEST_TOKEN, sandboxes: t.sandboxes, log: (line) => lines.push(line) });
    expect(lines[0]).toBe('CV-Library is set up with your own settings: the demo leaves them and posts nothing there');
    expect((await t.api('GET', '/v1/boards/cv-library')).body).toMatchObject({
      credentials: { clientId: 'own-client', clientSecret: '••••' },
      posterEmail: 'jobs@own.example',
      jobTypeMapping: { 'full-time': 'Contract' },
    });
  });
});
