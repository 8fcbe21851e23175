import { z } from 'zod';
import { Workplace } from '../domain/job';

/** One value, or the same key repeated (`?workplace=remote&workplace=hybrid`), as a list. */
const many = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(item).max(10));

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => v || undefined);

/** What a visitor can ask of `/careers`: keyword, location, filters and a page. */
export const CareersSearch = z.object({
  q: text(200),
  location: text(200),
  workplace: many(Workplace),
  department: text(200),
  type: text(100).describe('employment type'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

export type CareersSearch = z.infer<typeof CareersSearch>;

export const PAGE_SIZE = 20;

/** The query string of a search (empty values left out), e.g. for the links to other pages. */
export function searchQuery(search: CareersSearch, page = search.page): string {
  const params = new URLSearchParams();
  if (search.q) params.set('q', search.q);
  if (search.location) params.set('location', search.location);
  for (const w of search.workplace) params.append('workplace', w);
  if (search.department) params.set('department', search.department);
  if (search.type) params.set('type', search.type);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `?${query}` : '';
}
