import { randomBytes } from 'node:crypto';
import { aJob } from '../fixtures/jobs';
import { storeBackends } from '../helpers/stores';

describe.each(storeBackends())('careers reads on %s', (_name, open) => {
  it('lists only public jobs, newest first, searched by every word, location and each filter, in pages', async () => {
    const store = await open();
    // Every search here carries this test's own word, so the assertions hold whatever else a store holds.
    const tok = `tok${randomBytes(4).toString('hex')}`;
    try {
      const engineer = await store.jobs.create(
        aJob({
          title: `Widget Engineer ${tok}`,
          workplace: 'remote',
          department: 'Engineering',
          employmentStatus: 'Full-time',
          description: '<p>Build <strong>widgets</strong>. 100% remote.</p>',
          location: { city: 'Remote - UK', country: 'GB' },
          applyUrl: 'https://jobs.example/apply/1',
          sections: [{ html: '<p>Build widgets.</p>' }, { title: 'Requirements', html: '<ul><li>TypeScript</li></ul>' }],
        }),
      );
      const analyst = await store.jobs.create(
        aJob({ title: `Data Analyst ${tok}`, workplace: 'hybrid', department: 'Finance', employmentStatus: 'Contract' }),
      );
      const cashier = await store.jobs.create(
        aJob({ title: `Cashier ${tok}`, workplace: 'onsite', location: { city: 'London', country: 'GB' }, employmentStatus: 'Part-time' }),
      );
      const synced = (externalId: string, flags: { hidden: boolean; published: boolean; state?: 'open' | 'closed' }) =>
        store.jobs.upsertFromSource({
          ...aJob({ title: `Synced ${tok} ${externalId}`, state: flags.state ?? 'open' }),
          source: 'lever',
          externalId: `${tok}-${externalId}`,
          hidden: flags.hidden,
          published: flags.published,
          department: `People ${tok}`,
          postedAt: '2025-01-02T03:04:05.000Z',
        });
      const hidden = await synced('hidden', { hidden: true, published: true });
      await synced('unpublished', { hidden: false, published: false });
      await synced('closed', { hidden: false, published: true, state: 'closed' });

      const search = (s: Partial<Parameters<typeof store.careers.search>[0]> = {}) =>
        store.careers.search({ q: tok, workplace: [], offset: 0, limit: 20, ...s });
      const titles = async (s: Partial<Parameters<typeof store.careers.search>[0]> = {}) =>
        (await search(s)).jobs.map((j) => j.title.replace(` ${tok}`, ''));

      expect(await titles()).toEqual(['Cashier', 'Data Analyst', 'Widget Engineer']);
      expect((await search()).total).toBe(3);
      expect(await titles({ workplace: ['remote', 'hybrid'] })).toEqual(['Data Analyst', 'Widget Engineer']);
      expect(await titles({ workplace: ['onsite'] })).toEqual(['Cashier']);
      expect(await titles({ location: 'lond' })).toEqual(['Cashier']);
      expect(await titles({ location: 'LS1' })).toEqual(['Data Analyst']);
      expect(await titles({ department: 'Finance' })).toEqual(['Data Analyst']);
      expect(await titles({ employmentStatus: 'Full-time' })).toEqual(['Widget Engineer']);
      expect(await titles({ employmentStatus: 'FULL-TIME', department: 'engineering' })).toEqual(['Widget Engineer']);
      // Words match anywhere (title, department, type, the description's text) but never the markup.
      expect(await titles({ q: `${tok} widgets 100%` })).toEqual(['Widget Engineer']);
      expect(await titles({ q: `${tok} engineering` })).toEqual(['Widget Engineer']);
      expect(await titles({ q: `${tok} strong` })).toEqual([]);
      expect(await titles({ q: `${tok} _` })).toEqual([]);

      const second = await search({ offset: 2, limit: 2 });
      expect(second).toMatchObject({ total: 3, jobs: [{ id: engineer.id }] });
      expect(await search({ offset: 40, limit: 20 })).toEqual({ total: 3, jobs: [] });
      expect(await search({ q: `${tok} nothing-matches`, offset: 20 })).toEqual({ total: 0, jobs: [] });

      const facets = await store.careers.facets();
      expect(facets.departments).toEqual(expect.arrayContaining(['Engineering', 'Finance']));
      expect(facets.departments).not.toContain(`People ${tok}`); // only on jobs that are not public
      // One option per value whatever its case.
      expect(facets.employmentStatuses.map((t) => t.toLowerCase())).toEqual(expect.arrayContaining(['full-time', 'contract', 'part-time']));

      expect(await store.careers.job(hidden.id!)).toBeUndefined();
      expect(await store.careers.job(engineer.id)).toMatchObject({
        applyUrl: 'https://jobs.example/apply/1',
        department: 'Engineering',
        sections: [{ html: '<p>Build widgets.</p>' }, { title: 'Requirements', html: '<ul><li>TypeScript</li></ul>' }],
      });
      const index = (await store.careers.index()).map((j) => j.id);
      expect(index).toEqual(expect.arrayContaining([engineer.id, analyst.id, cashier.id]));
      expect(index).not.toContain(hidden.id);
    } finally {
      await store.close();
    }
  });

  it('a synced job’s careers fields follow the source: set, changed, and cleared when the source drops them', async () => {
    const store = await open();
    const externalId = `ext-${randomBytes(4).toString('hex')}`;
    try {
      const base = { ...aJob(), source: 'lever', externalId, hidden: false, published: true };
      const first = await store.jobs.upsertFromSource({
        ...base,
        applyUrl: 'https://jobs.lever.co/acme/1/apply',
        department: 'Sales',
        sections: [{ html: '<p>Sell.</p>' }],
        postedAt: '2025-03-01T00:00:00.000Z',
      });
      expect(first.outcome).toBe('created');
      expect(await store.jobs.get(first.id!)).toMatchObject({
        applyUrl: 'https://jobs.lever.co/acme/1/apply',
        department: 'Sales',
        postedAt: '2025-03-01T00:00:00.000Z',
      });
      expect((await store.jobs.upsertFromSource({ ...base, applyUrl: 'https://jobs.lever.co/acme/1/apply' })).outcome).toBe('updated');
      const after = await store.jobs.get(first.id!);
      expect(after).toMatchObject({ applyUrl: 'https://jobs.lever.co/acme/1/apply' });
      expect(after?.department).toBeUndefined();
      expect(after?.sections).toBeUndefined();
      expect(after?.postedAt).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
