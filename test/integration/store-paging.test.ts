import { toHttpError } from '../../src/api/errors';
import { aJob } from '../fixtures/jobs';
import { storeBackends } from '../helpers/stores';

describe.each(storeBackends())('paged lists on %s', (_name, open) => {
  it('walks every job exactly once, newest first, across pages; a bad cursor is a 400', async () => {
    const store = await open();
    try {
      const created = [];
      for (let i = 0; i < 7; i++) created.push(await store.jobs.create(aJob({ reference: `P-${i}` })));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.jobs.list({ limit: 3, cursor });
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items.map((j) => j.id));
        cursor = page.nextCursor;
      } while (cursor);
      // Each job once; newest first (jobs created in the same millisecond come in id order).
      expect([...seen].sort()).toEqual(created.map((j) => j.id).sort());
      const createdAt = new Map(created.map((j) => [j.id, Date.parse(j.createdAt)]));
      const times = seen.map((id) => createdAt.get(id)!);
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect((await store.jobs.list({ reference: 'P-4' })).items.map((j) => j.reference)).toEqual(['P-4']);
      // The store raises a domain error; the API's one mapping answers it with 400.
      await expect(store.jobs.list({ cursor: 'nonsense' }).catch(toHttpError)).resolves.toMatchObject({ status: 400 });
    } finally {
      await store.close();
    }
  });
});
