import { sql } from 'kysely';
import type { Db } from '../../src/store';

/**
 * The whole database as text: every table of the schema, every row, every column (files as their bytes, escaped),
 * one line per row prefixed by its table. What a search for someone's data must not find after their erasure.
 */
export async function dumpDatabase(db: Db): Promise<string> {
  const columns = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select table_name, column_name, data_type from information_schema.columns
    where table_schema = current_schema() order by table_name, ordinal_position`.execute(db);
  const tables = new Map<string, string[]>();
  for (const c of columns.rows) {
    const expr = c.data_type === 'bytea' ? `encode("${c.column_name}", 'escape')` : `"${c.column_name}"::text`;
    tables.set(c.table_name, [...(tables.get(c.table_name) ?? []), `coalesce(${expr}, '')`]);
  }
  const lines: string[] = [];
  for (const [table, exprs] of tables) {
    const rows = await sql<{ line: string }>`select ${sql.raw(exprs.join(` || ' | ' || `))} as line from ${sql.table(table)}`.execute(db);
    for (const row of rows.rows) lines.push(`${table}: ${row.line.replace(/\s+/g, ' ')}`);
  }
  return lines.join('\n');
}

/** The tables of the schema. */
export async function tableNames(db: Db): Promise<string[]> {
  const rows = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db);
  return rows.rows.map((r) => r.table_name).sort();
}

/** The lines of a dump that mention any of these values (case-insensitive), e.g. a person's email, phone and name. */
export function linesMentioning(dump: string, values: string[]): string[] {
  const needles = values.filter(Boolean).map((v) => v.toLowerCase());
  return dump.split('\n').filter((line) => needles.some((n) => line.toLowerCase().includes(n)));
}
