import { type CareersSearch, PAGE_SIZE } from '../careers/search';
import { CareersSettings, DEFAULT_SETTINGS } from '../careers/settings';
import type { Store } from '../store';

/** The careers site's data: its branding (validated at the route), and the public jobs, read from the store only. */
export function createCareersService(store: Store) {
  return {
    async settings(): Promise<CareersSettings & { updatedAt?: string }> {
      const stored = await store.careers.settings();
      if (!stored) return DEFAULT_SETTINGS;
      // Stored settings passed this schema when saved; parsing again fills defaults added since.
      return { ...CareersSettings.parse(stored.settings), updatedAt: stored.updatedAt };
    },

    async putSettings(settings: CareersSettings) {
      await store.careers.putSettings(settings);
      return this.settings();
    },

    async search(search: CareersSearch) {
      const [found, facets] = await Promise.all([
        store.careers.search({
          q: search.q,
          location: search.location,
          workplace: search.workplace,
          department: search.department,
          employmentStatus: search.type,
          offset: (search.page - 1) * PAGE_SIZE,
          limit: PAGE_SIZE,
        }),
        store.careers.facets(),
      ]);
      return { search, ...found, facets };
    },

    job: (id: string) => store.careers.job(id),
    index: () => store.careers.index(),
  };
}

export type CareersService = ReturnType<typeof createCareersService>;
