import { type RawBuilder, sql } from 'kysely';

// Many values as one parameter. A page of 100 rows of a dozen columns bound one value at a time is 1,200 parameters,
// each serialised and parsed on its own (PGlite does it in JavaScript), which cost more than the insert itself: as
// one `jsonb` value the rows cross once and PostgreSQL unpacks them. The same for a lookup's list of ids, as an array.

/** A column's SQL type in the row set; a `jsonb` column takes the row's value as it is (an object, not its text). */
export type JsonRowType = 'text' | 'jsonb' | 'timestamptz' | 'bigint' | 'boolean';

/** The names of `types`, in order: the insert's column list. */
export function columnsOf<C extends string>(types: Record<C, JsonRowType>): C[] {
  return Object.keys(types) as C[];
}

/**
 * `select <columns> from jsonb_to_recordset($1)`: the rows in the order and types of `types` (a missing or null value
 * is NULL; dates go as their ISO text). Use with `insertInto(t).columns(columnsOf(types)).expression(…)`.
 */
export function jsonRows<C extends string>(
  types: Record<C, JsonRowType>,
  rows: ReadonlyArray<Partial<Record<NoInfer<C>, unknown>>>,
): RawBuilder<unknown> {
  const columns = columnsOf(types).map((c) => sql`${sql.ref(c)} ${sql.raw(types[c])}`);
  return sql`select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(${sql.join(columns)})`;
}

/** `any($1::text[])`, for `where(column, '=', anyOf(ids))`: the list as one array parameter instead of one each. */
export function anyOf(values: readonly string[]): RawBuilder<string> {
  return sql<string>`any(${[...values]}::text[])`;
}
