import { sql } from 'kysely';
import { type Db, openDb } from '../../src/store/db';
import { ahead } from '../../src/store/pglite-thread-dialect';

/** One connection on PGlite: what a caller waits on goes before background work, its statements one after another. */
describe('work run ahead on PGlite', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb({ pgliteDir: 'memory://' });
    await sql`create table written (seq serial primary key, who text not null)`.execute(db);
  });
  afterAll(() => db.destroy());

  const write = (who: string) => sql`insert into written (who) values (${who})`.execute(db);
  const order = async () => (await sql<{ who: string }>`select who from written order by seq`.execute(db)).rows.map((r) => r.who);

  it('goes before waiting background statements and lets none in between its own', async () => {
    await sql`truncate written`.execute(db);
    const background = Array.from({ length: 20 }, (_, i) => write(`background-${i}`));
    const answer = ahead(async () => {
      await write('answer-1');
      await new Promise((r) => setTimeout(r, 20)); // the event loop turns while the answer holds the connection
      await write('answer-2');
    });
    await Promise.all([...background, answer]);

    const written = await order();
    const first = written.indexOf('answer-1');
    expect(written[first + 1]).toBe('answer-2');
    expect(first).toBeLessThan(2); // only a statement already running can be before it
    expect(written.filter((w) => w.startsWith('background-'))).toHaveLength(20);
  });

  it('hands the connection on when its work fails', async () => {
    await expect(ahead(() => sql`select nonsense from nowhere`.execute(db))).rejects.toThrow();
    await write('after');
    expect(await order()).toContain('after');
  });

  it('takes statistics, table by table, once 1,000 rows were written', async () => {
    await sql`truncate written`.execute(db);
    // 1,000 rows written make statistics due once the connection is free.
    await sql`insert into written (who) select 'bulk' from generate_series(1, 1000)`.execute(db);
    const answered = await ahead(() => write('answer'));
    expect(answered).toBeDefined();
    const analysed = async () =>
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from pg_stat_user_tables where relname = 'written' and last_analyze is not null`.execute(db)
      ).rows[0].n;
    for (let i = 0; i < 50 && (await analysed()) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await analysed()).toBe(1);
  });
});
