// PGlite on a thread of its own (see pglite-thread-dialect.ts): plain JavaScript, so it runs as it is under tsx,
// jest and node alike. One message a statement in, one answer out; statements run in the order they came.
import { readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/**
 * bytea goes in as it is: a Uint8Array parameter is bound in PostgreSQL's binary format, where PGlite's own
 * serializer (and the hex text this module sent before) made a 200 KB CV a 400 KB string to write and parse again:
 * about 15 ms on each staging insert against 6 ms. It comes back as hex text, through Node's native codec (PGlite's
 * own goes byte by byte in JavaScript).
 */
const BYTEA = 17;
const byteaAsIs = (value) => {
  if (!(value instanceof Uint8Array)) throw new Error('Invalid input for bytea type');
  return value;
};
const byteaFromText = (text) => Buffer.from(text.slice(2), 'hex');

let db;
try {
  db = await PGlite.create(workerData.dir, { serializers: { [BYTEA]: byteaAsIs }, parsers: { [BYTEA]: byteaFromText } });
  parentPort.postMessage({ ready: true, task: ownTask() });
} catch (err) {
  parentPort.postMessage({ ready: false, error: { message: String(err?.message ?? err) } });
}

/** This thread's entry under /proc (`<pid>/task/<tid>`), where its CPU time is read (benches); undefined elsewhere. */
function ownTask() {
  try {
    return readlinkSync('/proc/thread-self');
  } catch {
    return undefined;
  }
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
