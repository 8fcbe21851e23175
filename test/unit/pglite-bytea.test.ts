import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { openDb } from '../../src/store/db';

describe('bytea on PGlite', () => {
  it('writes and reads bytes unchanged, empty and large alike', async () => {
    const db = await openDb({ pgliteDir: 'memory://' });
    try {
      for (const bytes of [Buffer.alloc(0), Buffer.from([0, 1, 254, 255]), randomBytes(300_000)]) {
        const { rows } = await sql<{ b: Uint8Array; n: number }>`select ${bytes}::bytea as b, octet_length(${bytes}::bytea) as n`.execute(
          db,
        );
        expect(rows[0].n).toBe(bytes.byteLength);
        expect(Buffer.from(rows[0].b).equals(bytes)).toBe(true);
      }
    } finally {
      await db.destroy();
    }
  });
});
