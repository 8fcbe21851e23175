import fs from 'node:fs';
import http from 'node:http';
import type { Page } from 'playwright-core';
import { slugFor } from '../../src/careers/slug';
import { SANDBOX_API_KEY } from '../../src/providers/lever/sandbox';
import type { SandboxPosting } from '../../src/providers/lever/sandbox-data';
import { leverConnector, waitForRuns } from '../fixtures/connectors';
import { runLeverSandbox } from '../fixtures/lever';
import { type Browser, chromiumInstalled, launchBrowser } from '../helpers/browser';
import { describeEachStore, type StoreKind } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';

type Sandbox = Awaited<ReturnType<typeof runLeverSandbox>>;

const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** How each sandbox posting looks in Lever for this story: published on the public site, unless said otherwise. */
function shape(s: Sandbox, id: string, posting: Partial<SandboxPosting> & { text: string }) {
  s.sandbox.updatePosting(id, {
    state: 'published',
    distributionChannels: ['public'],
    confidentiality: 'non-confidential',
    tags: [],
    country: 'GB',
    workplaceType: 'on-site',
    salaryRange: undefined,
    content: {
      description: `${posting.text} at Acme.`,
      descriptionHtml: `<p>${posting.text} at Acme.</p>`,
      lists: [{ text: 'Requirements', content: '<li>Curiosity</li>' }],
      closing: 'Apply today.',
      closingHtml: '<p>Apply today.</p>',
    },
    ...posting,
    categories: { team: 'Engineering', department: 'Engineering', location: 'Manchester', commitment: 'Full-time', ...posting.categories },
  });
}

/** A GET's status, sent as a browser revalidating its cache would. */
function statusOf(target: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(target, { headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

const describeInBrowser = chromiumInstalled()
  ? describeEachStore
  : (title: string, suite: (store: StoreKind) => void) => describe.skip(title, () => suite('PGlite'));

describeInBrowser('careers site in Chromium: Lever sandbox → connector sync → store → pages', (store) => {
  let t: TestSystem;
  let s: Sandbox;
  let browser: Browser;
  let connectorId: string;
  let logo: http.Server;
  let logoUrl: string;
  const ids: Record<string, string> = {};
  const url = (p: string) => `${t.system.apiUrl}${p}`;

  beforeAll(async () => {
    t = await startTestSystem({}, { store });
    s = await runLeverSandbox({ rateLimit: { perSecond: 2000, burst: 200 } });
    s.sandbox.seed({ postings: 30, opportunities: 0, seed: 1313 });
    const [platform, support, analyst, talentPool, sales, office, ...rest] = [...s.sandbox.postings.keys()];
    Object.assign(ids, { platform, support, analyst, talentPool, sales, office });
    shape(s, platform, {
      text: 'Platform Engineer',
      categories: { location: 'London' },
      salaryRange: { min: 60000, max: 80000, currency: 'GBP', interval: 'per-year-salary' },
    });
    shape(s, support, {
      text: 'Support Specialist',
      categories: { department: 'People', location: 'Remote - UK', commitment: 'Part-time' },
      workplaceType: 'remote',
    });
    shape(s, analyst, {
      text: 'Data Analyst',
      categories: { department: 'Finance', location: 'Bristol - hybrid', commitment: 'Contract' },
      workplaceType: 'hybrid',
    });
    shape(s, talentPool, { text: 'Talent Pool', tags: ['Evergreen'] });
    shape(s, sales, {
      text: 'Sales Lead <img src=x onerror="window.__pwned=\'title\'">',
      categories: { department: 'Sales', location: 'Leeds' },
      content: {
        description: '',
        descriptionHtml:
          '<p>Join us.</p><script>window.__pwned = "script"</script><img src="x" onerror="window.__pwned = \'img\'">' +
          '<p style="position:fixed;inset:0;background:red">Styled</p><a href="javascript:window.__pwned=\'link\'">benefits</a>',
        lists: [
          { text: 'Perks <script>window.__pwned="heading"</script>', content: '<li onmouseover="window.__pwned=\'li\'">Pension</li>' },
        ],
        closing: '',
        closingHtml: '<iframe src="javascript:parent.__pwned=\'frame\'"></iframe>',
      },
    });
    shape(s, office, { text: 'Office Manager', categories: { department: 'Operations', location: 'Leeds' } });
    for (const [i, id] of rest.entries()) shape(s, id, { text: `Backend Engineer ${String(i + 1).padStart(2, '0')}` });

    const created = await t.api(
      'POST',
      '/v1/connectors',
      leverConnector(s.baseUrl, SANDBOX_API_KEY, { hiddenJobs: { tags: ['Evergreen'] } }),
    );
    expect(created.status).toBe(201);
    connectorId = created.body.id;
    await waitForRuns(t, connectorId, 1);

    logo = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG_1PX));
    await new Promise<void>((resolve) => logo.listen(0, '127.0.0.1', resolve));
    logoUrl = `http://127.0.0.1:${(logo.address() as { port: number }).port}/acme.png`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    logo?.close();
    await s?.close();
    await t?.stop();
  });

  const jobTitles = (page: Page) => page.locator('.job h2 a').allTextContents();

  async function allListedTitles(page: Page): Promise<string[]> {
    await page.goto(url('/careers'));
    const titles = await jobTitles(page);
    while (await page.locator('a[rel=next]').count()) {
      await page.click('a[rel=next]');
      titles.push(...(await jobTitles(page)));
    }
    return titles;
  }

  it('brands the site through PUT /v1/careers/settings: validated, shown escaped, the logo allowed by the CSP', async () => {
    const unreadable = await t.api('PUT', '/v1/careers/settings', { companyName: 'Acme', colours: { primary: '#ffff00' } });
    expect(unreadable.status).toBe(400);
    expect(JSON.stringify(unreadable.body.details)).toMatch(/contrast of 1\.\d+:1; at least 4\.5:1/);
    const badLogo = await t.api('PUT', '/v1/careers/settings', { companyName: 'Acme', logoUrl: 'javascript:alert(1)' });
    expect(badLogo.status).toBe(400);
    expect((await t.api('PUT', '/v1/careers/settings', { companyName: 'Acme', colours: { primary: 'red' } })).status).toBe(400);

    const settings = {
      companyName: 'Acme',
      logoUrl,
      colours: { primary: '#0F5132', background: '#ffffff', text: '#1f2937' },
      intro: 'We build payroll software.\n\nOur <b>teams</b> are small.',
    };
    const put = await t.api('PUT', '/v1/careers/settings', settings);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ ...settings, colours: { ...settings.colours, primary: '#0f5132' } });
    expect((await t.api('GET', '/v1/careers/settings')).body).toEqual(put.body);
    expect((await t.api('PUT', '/v1/careers/settings', settings, { token: null })).status).toBe(401);

    const { page, errors } = await browser.page();
    await page.goto(url('/careers'));
    expect(await page.locator('.intro p').allTextContents()).toEqual(['We build payroll software.', 'Our <b>teams</b> are small.']);
    const img = page.locator('header img');
    expect(await img.getAttribute('alt')).toBe('Acme');
    expect(await img.evaluate((el: any) => el.complete && el.naturalWidth)).toBe(1);
    expect(await page.locator('header.site').evaluate((el: any) => el.ownerDocument.defaultView.getComputedStyle(el).backgroundColor)).toBe(
      'rgb(15, 81, 50)',
    );
    expect(await page.title()).toBe('Jobs at Acme');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists the synced jobs, the hidden one absent, twenty a page, without calling Lever per view', async () => {
    const before = s.sandbox.requests.length;
    const { page, errors } = await browser.page();
    await page.goto(url('/careers'));
    expect(await page.locator('#count').textContent()).toBe('29 jobs');
    expect(await jobTitles(page)).toHaveLength(20);
    await browser.screenshot(page, 'careers-list');
    const titles = await allListedTitles(page);
    expect(titles).toHaveLength(29);
    expect(new Set(titles).size).toBe(29);
    expect(titles).toEqual(expect.arrayContaining(['Platform Engineer', 'Support Specialist', 'Data Analyst', 'Office Manager']));
    expect(titles).not.toContain('Talent Pool');
    expect(await page.locator('.pager').textContent()).toContain('Page 2 of 2');
    expect(errors).toEqual([]);
    await page.close();
    expect(s.sandbox.requests.length).toBe(before);
  });

  it('filters by workplace, department and employment type, and searches by keyword and location, through the form', async () => {
    const { page, errors } = await browser.page();
    const search = async (fill: (page: Page) => Promise<unknown>) => {
      await page.goto(url('/careers'));
      await fill(page);
      await Promise.all([page.waitForURL(/\/careers\?/), page.getByRole('button', { name: 'Search' }).click()]);
      return jobTitles(page);
    };
    expect(await search((p) => p.getByLabel('Remote').check())).toEqual(['Support Specialist']);
    expect(await search((p) => p.getByLabel('Hybrid').check())).toEqual(['Data Analyst']);
    expect(await page.locator('#count').textContent()).toBe('1 job matches this search');
    await search((p) => p.getByLabel('On-site').check());
    expect(await page.locator('#count').textContent()).toBe('27 jobs match this search');
    expect(await search((p) => p.getByLabel('Department').selectOption('Finance'))).toEqual(['Data Analyst']);
    expect(await search((p) => p.getByLabel('Employment type').selectOption('Part-time'))).toEqual(['Support Specialist']);
    expect(await search((p) => p.getByLabel('Keyword').fill('platform'))).toEqual(['Platform Engineer']);
    expect(await search((p) => p.getByLabel('Location').fill('bristol'))).toEqual(['Data Analyst']);
    const both = await search(async (p) => {
      await p.getByLabel('Keyword').fill('engineer');
      await p.getByLabel('Location').fill('London');
    });
    expect(both).toEqual(['Platform Engineer']);
    // The form keeps what was searched, and paging keeps the filters.
    expect(await page.getByLabel('Keyword').inputValue()).toBe('engineer');
    await search((p) => p.getByLabel('Keyword').fill('backend'));
    expect(await page.locator('#count').textContent()).toBe('24 jobs match this search');
    await page.click('a[rel=next]');
    expect(new URL(page.url()).searchParams.get('q')).toBe('backend');
    expect(await jobTitles(page)).toHaveLength(4);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a job page shows its facts, sections and the ATS apply link, with JobPosting JSON-LD', async () => {
    const { page, errors } = await browser.page();
    await page.goto(url('/careers'));
    await page.getByLabel('Keyword').fill('platform');
    await Promise.all([page.waitForURL(/q=platform/), page.getByRole('button', { name: 'Search' }).click()]);
    await Promise.all([page.waitForURL(/\/careers\/jobs\//), page.getByRole('link', { name: 'Platform Engineer' }).click()]);
    expect(page.url()).toMatch(/\/careers\/jobs\/platform-engineer-[0-9a-z]{20}$/);
    expect(await page.locator('h1').textContent()).toBe('Platform Engineer');
    const facts = await page.locator('.facts li').allTextContents();
    expect(facts.slice(0, 5)).toEqual(['On-site', 'London, United Kingdom', 'Engineering', 'Full-time', '£60,000 – £80,000 a year']);
    expect(await page.locator('.section h2').allTextContents()).toEqual(['Requirements']);
    const apply = page.getByRole('link', { name: 'Apply for this job' }).first();
    expect(await apply.getAttribute('href')).toBe(`https://jobs.lever.co/acme/${ids.platform}/apply`);

    const ld = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent()) ?? '');
    const posting = s.sandbox.postings.get(ids.platform)!;
    expect(ld).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'JobPosting',
      title: 'Platform Engineer',
      url: page.url(),
      datePosted: new Date(posting.createdAt).toISOString().slice(0, 10),
      employmentType: 'FULL_TIME',
      hiringOrganization: { '@type': 'Organization', name: 'Acme', logo: logoUrl },
      jobLocation: { address: { addressLocality: 'London', addressCountry: 'GB' } },
      baseSalary: { currency: 'GBP', value: { minValue: 60000, maxValue: 80000, unitText: 'YEAR' } },
    });
    expect(ld.description).toContain('<h2>Requirements</h2><ul><li>Curiosity</li></ul>');
    await browser.screenshot(page, 'careers-job');

    const remote = await page.goto(url('/careers?workplace=remote'));
    expect(remote?.status()).toBe(200);
    await page.getByRole('link', { name: 'Support Specialist' }).click();
    await page.waitForURL(/support-specialist/);
    const remoteLd = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent()) ?? '');
    expect(remoteLd).toMatchObject({
      jobLocationType: 'TELECOMMUTE',
      applicantLocationRequirements: { name: 'GB' },
      employmentType: 'PART_TIME',
    });
    expect(remoteLd.jobLocation).toBeUndefined();
    expect(await page.locator('.badge').textContent()).toBe('Remote');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a script injected in a Lever description is neither served nor run, and its markup shows as text', async () => {
    const { page, errors } = await browser.page();
    await page.goto(url('/careers?department=Sales'));
    const link = page.locator('.job h2 a');
    expect(await link.textContent()).toBe('Sales Lead <img src=x onerror="window.__pwned=\'title\'">');
    const href = (await link.getAttribute('href'))!;
    const served = await (await fetch(url(href))).text();
    // As markup, nothing of it is left (as escaped text, the title and heading still show it).
    expect(served).not.toMatch(/<script>window|<img src="x"| onerror="| onmouseover="|href="javascript:|<iframe| style="/);

    await page.goto(url(href));
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => (globalThis as any).__pwned)).toBeUndefined();
    expect(await page.locator('script:not([type="application/ld+json"]), iframe, img:not(header img)').count()).toBe(0);
    expect(await page.locator('h1').textContent()).toBe('Sales Lead <img src=x onerror="window.__pwned=\'title\'">');
    expect(await page.locator('.section h2').allTextContents()).toEqual(['Perks <script>window.__pwned="heading"</script>']);
    expect(await page.getByText('Styled').evaluate((el: any) => el.ownerDocument.defaultView.getComputedStyle(el).position)).toBe('static');
    expect(await page.getByText('benefits').getAttribute('href')).toBeNull();
    await page.getByText('Pension').hover();
    expect(await page.evaluate(() => (globalThis as any).__pwned)).toBeUndefined();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('pages pass axe’s WCAG 2 A/AA checks and fit a phone screen', async () => {
    const axe = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    const { page } = await browser.page();
    const platform = await jobPath(ids.platform);
    for (const [name, p] of [
      ['list', '/careers'],
      ['search', '/careers?q=engineer&workplace=onsite&department=Engineering'],
      ['job', platform],
      ['not-found', '/careers/jobs/gone-00000000000000000000'],
    ]) {
      for (const viewport of [
        { width: 1100, height: 900 },
        { width: 375, height: 740 },
      ]) {
        await page.setViewportSize(viewport);
        await page.goto(url(p));
        // Evaluated through the DevTools protocol, which the page's CSP does not govern.
        await page.evaluate(axe);
        const violations = await page.evaluate(async () => {
          const result = await (globalThis as any).axe.run((globalThis as any).document, {
            runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'],
          });
          return result.violations.map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
        });
        expect({ page: name, width: viewport.width, violations }).toEqual({ page: name, width: viewport.width, violations: [] });
        const overflow = await page.evaluate(() => {
          const root = (globalThis as any).document.documentElement;
          return root.scrollWidth - root.clientWidth;
        });
        expect({ page: name, width: viewport.width, overflow }).toEqual({ page: name, width: viewport.width, overflow: 0 });
        if (viewport.width < 400 && name !== 'search') await browser.screenshot(page, `careers-${name}-phone`);
      }
    }
    await page.close();
  });

  it('answers cacheable pages (ETag, 304, Cache-Control) under a strict CSP, a sitemap of the public jobs, all outside bearer auth', async () => {
    const list = await fetch(url('/careers'));
    expect(list.status).toBe(200);
    const { origin } = new URL(logoUrl);
    expect(list.headers.get('content-security-policy')).toBe(
      `default-src 'none'; style-src 'self'; img-src 'self' ${origin}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    );
    expect(list.headers.get('cache-control')).toBe('public, no-cache');
    expect(list.headers.get('server-timing')).toMatch(/^app;dur=\d+\.\d+$/);
    const etag = list.headers.get('etag')!;
    expect(etag).toBeTruthy();
    // Not with fetch(), which turns a conditional request into a `Cache-Control: no-cache` one.
    expect(await statusOf(url('/careers'), { 'if-none-match': etag })).toBe(304);
    expect(await statusOf(url('/careers?workplace=remote'), { 'if-none-match': etag })).toBe(200);

    const html = await list.text();
    const css = await fetch(url(/href="(\/careers\/styles\.css\?v=[0-9a-f]+)"/.exec(html)![1]));
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await css.text()).toContain('--primary:#0f5132');

    const bad = await fetch(url('/careers?workplace=underwater'));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('That search could not be read');
    const unknown = await fetch(url('/careers/jobs/no-such-job'));
    expect(unknown.status).toBe(404);

    const sitemap = await (await fetch(url('/careers/sitemap.xml'))).text();
    const locs = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    expect(locs).toHaveLength(30); // the list and 29 jobs
    expect(locs[0]).toBe(url('/careers'));
    expect(locs).toContain(url(await jobPath(ids.platform)));
    expect(sitemap).not.toMatch(/talent-pool/);
    expect(await (await fetch(url('/robots.txt'))).text()).toContain(`Sitemap: ${url('/careers/sitemap.xml')}`);
  });

  it('a job unpublished in Lever is gone after the next sync, and a retitled job’s old link redirects to its new one', async () => {
    const officePath = await jobPath(ids.office);
    const oldPlatformPath = await jobPath(ids.platform);
    s.sandbox.updatePosting(ids.office, { state: 'internal', distributionChannels: [] });
    s.sandbox.updatePosting(ids.platform, { text: 'Senior Platform Engineer' });
    expect((await t.api('POST', `/v1/connectors/${connectorId}/sync`, {})).status).toBe(202);
    await waitForRuns(t, connectorId, 2);

    const { page, errors } = await browser.page();
    const titles = await allListedTitles(page);
    expect(titles).toHaveLength(28);
    expect(titles).not.toContain('Office Manager');
    expect(titles).toContain('Senior Platform Engineer');
    const gone = await page.goto(url(officePath));
    expect(gone?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('This job is not open');

    const redirect = await fetch(url(oldPlatformPath), { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    const moved = await page.goto(url(oldPlatformPath));
    expect(moved?.status()).toBe(200);
    expect(page.url()).toMatch(/\/careers\/jobs\/senior-platform-engineer-[0-9a-z]{20}$/);
    expect(page.url().slice(-20)).toBe(oldPlatformPath.slice(-20));
    expect(await page.locator('h1').textContent()).toBe('Senior Platform Engineer');
    expect(await (await fetch(url('/careers/sitemap.xml'))).text()).not.toContain(officePath);
    expect(errors).toEqual([expect.stringContaining('status of 404')]); // the gone job's page, and nothing else
    await page.close();
  });

  it('a job created through the API, with its own apply URL, is on the site like a synced one', async () => {
    const barista = {
      title: 'Barista',
      description: '<p>Coffee.</p>',
      location: { city: 'York', country: 'GB' },
      employmentStatus: 'Part-time',
      department: 'Hospitality',
      recruiter: { name: 'Priya Shah', email: 'priya@acme.example' },
      applyUrl: 'https://apply.acme.example/barista',
    };
    expect((await t.api('POST', '/v1/jobs', { ...barista, applyUrl: 'javascript:alert(1)' })).status).toBe(400);
    const created = await t.api('POST', '/v1/jobs', barista);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ applyUrl: 'https://apply.acme.example/barista', department: 'Hospitality' });
    expect((await t.api('GET', `/v1/jobs/${created.body.id}`)).body.applyUrl).toBe('https://apply.acme.example/barista');

    const { page, errors } = await browser.page();
    await page.goto(url('/careers?department=Hospitality'));
    await page.getByRole('link', { name: 'Barista' }).click();
    await page.waitForURL(/\/careers\/jobs\/barista-/);
    expect(await page.getByRole('link', { name: 'Apply for this job' }).first().getAttribute('href')).toBe(
      'https://apply.acme.example/barista',
    );
    expect(errors).toEqual([]);
    // Hidden through the API: off the site at once.
    expect((await t.api('PATCH', `/v1/jobs/${created.body.id}`, { hidden: true })).body).toMatchObject({ hidden: true });
    expect((await page.goto(page.url()))?.status()).toBe(404);
    expect((await t.api('PATCH', `/v1/jobs/${created.body.id}`, { hidden: false })).status).toBe(200);
    expect((await page.goto(page.url()))?.status()).toBe(200);
    await page.close();
  });

  /** The careers path of a Lever posting's job, as the list links it. */
  async function jobPath(postingId: string): Promise<string> {
    const job = await t.deps.store.db
      .selectFrom('jobs')
      .select(['id', 'title'])
      .where('source', '=', 'lever')
      .where('external_id', '=', postingId)
      .executeTakeFirstOrThrow();
    return `/careers/jobs/${slugFor(job)}`;
  }
});
