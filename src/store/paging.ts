import { type SelectQueryBuilder, sql } from 'kysely';
import { InvalidError } from '../domain/errors';

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/** Keyset cursor over (created_at, id), newest first: stable while rows are added. */
export function decodeCursor(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(createdAt);
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) throw new Error();
    return { createdAt: date, id };
  } catch {
    throw new InvalidError('invalid cursor');
  }
}

export function pageOf<R extends { created_at: Date; id: string }, T>(rows: R[], limit: number, map: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(map),
    nextCursor:
      rows.length > limit && last ? Buffer.from(JSON.stringify([last.created_at.toISOString(), last.id])).toString('base64url') : undefined,
  };
}

/** Orders newest first, asks for one row more than the page (to know there is a next one), and starts after the cursor. */
// biome-ignore lint/suspicious/noExplicitAny: works on any table with created_at and id
export function newestFirst<QB extends SelectQueryBuilder<any, any, any>>(q: QB, page: PageRequest, limit: number): QB {
  const after = decodeCursor(page.cursor);
  // Timestamps are compared at millisecond precision, the precision the cursor (a JS Date) keeps, in UTC: the
  // expression the tables that grow large are indexed on (migration 130).
  const createdMs = sql`date_trunc('milliseconds', created_at at time zone 'UTC')`;
  let query = q
    .orderBy(createdMs, 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1) as QB;
  if (after)
    query = query.where(sql<boolean>`(${createdMs}, id) < (${after.createdAt}::timestamptz at time zone 'UTC', ${after.id})`) as QB;
  return query;
}
