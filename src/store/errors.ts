import { GoneError, UnavailableError } from '../domain/errors';

/**
 * A database error as the rest of jobrelay sees it: PostgreSQL's SQLSTATE and message, nothing else. The drivers'
 * own errors carry the statement and its parameters (a candidate's email, a recruiter's address): those never
 * leave the store, so no log line, API answer or workflow history can show them.
 */
export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    message: string,
    /** PostgreSQL's SQLSTATE, e.g. `22021` (invalid byte sequence), `54000` (an index row too large). */
    readonly code: string,
  ) {
    super(message);
  }
}

/** What a fault caused by the values written means for whoever sent them; undefined for a fault of ours. */
export type InputFault = { status: 400 | 409 | 413 | 422; message: string };

/** PostgreSQL's SQLSTATE for a row a unique key already has. */
export const UNIQUE_VIOLATION = '23505';

/**
 * Faults the values themselves caused: retrying cannot fix them and the caller is told (4xx), while anything else
 * (a lost connection, a bug) stays a fault of ours. Class 22 is a data exception, 23 an integrity violation, 54 a
 * program limit such as an index row over PostgreSQL's 8 KiB.
 */
export function inputFault(err: unknown): InputFault | undefined {
  if (!(err instanceof StoreError)) return undefined;
  const { code } = err;
  if (code === UNIQUE_VIOLATION) return { status: 409, message: 'it already exists' };
  if (code.startsWith('22')) return { status: 400, message: `a value cannot be stored: ${err.message}` };
  if (code.startsWith('23')) return { status: 422, message: `a value breaks a rule of the store: ${err.message}` };
  if (code.startsWith('54')) return { status: 413, message: 'a value is too large to store' };
  return undefined;
}

/** Raised by the store's trigger when a row would be added to a candidate whose data was erased (migration 040). */
const ERASED_CANDIDATE = 'JR410';

/**
 * The driver's error without its statement, parameters, detail or hint; other errors pass unchanged. A write
 * refused because its candidate was erased is a GoneError.
 */
export function sanitised(err: unknown): unknown {
  // Not `instanceof Error`: a socket's error comes from Node's own realm, which under a test VM is another one.
  if (err instanceof StoreError || typeof (err as Error | undefined)?.message !== 'string') return err;
  if (databaseDown(err as Error)) return new UnavailableError('the database is unavailable');
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return err;
  if (code === ERASED_CANDIDATE) return new GoneError('the candidate’s data was erased');
  // Some messages quote the value refused (`invalid input syntax for type uuid: "…"`): the value is dropped.
  return new StoreError((err as Error).message.replace(/:\s*".*"\s*$/s, ''), code);
}

const NETWORK_FAULTS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * The database cannot be reached or is going away (a lost connection, SQLSTATE class 08, a shutdown in progress):
 * a passing fault, so callers answer 503 and activities retry, never a 500 or a failure for good.
 */
function databaseDown(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_FAULTS.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code))) return true;
  return /Connection terminated|connection is closed|Client has encountered a connection error/i.test(err.message);
}
