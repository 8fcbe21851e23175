// PGlite on a thread of its own (see pglite-thread-dialect.ts): plain JavaScript, so it runs as it is under tsx,
// jest and node alike. One message a statement in, one answer out; statements run in the order they came.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/**
 * bytea through Node's native hex codec: PGlite's own goes byte by byte in JavaScript, which for a 200 KB CV took
 * about 25 ms on each write (and as long again on each read).
 */
const BYTEA = 17;
const byteaToText = (value) => {
  if (!(value instanceof Uint8Array)) throw new Error('Invalid input for bytea type');
  return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
};
const byteaFromText = (text) => Buffer.from(text.slice(2), 'hex');

let db;
try {
  db = await PGlite.create(workerData.dir, { serializers: { [BYTEA]: byteaToText }, parsers: { [BYTEA]: byteaFromText } });
  parentPort.postMessage({ ready: true });
} catch (err) {
  parentPort.postMessage({ ready: false, error: { message: String(err?.message ?? err) } });
}

parentPort.on('message', async ({ id, sql, params, close }) => {
  if (close) {
    await db?.close();
    parentPort.postMessage({ id, closed: true });
    parentPort.close();
    return;
  }
  try {
    const { rows, affectedRows } = await db.query(sql, params);
    parentPort.postMessage({ id, rows, affectedRows });
  } catch (err) {
    // The driver's error, as plain data: its SQLSTATE and message (the store sanitises it further).
    parentPort.postMessage({ id, error: { message: String(err?.message ?? err), code: err?.code, name: err?.name } });
  }
});
