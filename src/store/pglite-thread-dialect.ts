import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * PGlite on a worker thread of its own, behind Kysely. PGlite is PostgreSQL compiled to WebAssembly: on the
 * process's event loop each statement (and a 200 KB CV's staging insert most of all) held up every webhook answer,
 * timer and Temporal task completion while it ran. On its thread, the event loop only posts the statement and
 * reads the answer.
 *
 * One connection, as PGlite has: a statement or a transaction holds it until released, the next waits. Work run
 * `ahead` (what a caller is waiting on, such as the webhook's staging) takes it before any other waiting and keeps it
 * until the work ends, so a backlog of background work (intakes, syncs) neither stands before a board's answer nor
 * slips a statement (or a transaction, held across the event loop's turns) between the answer's statements.
 */
export class PGliteThreadDialect implements Dialect {
  constructor(
    private readonly dir: string,
    private readonly maintenance: MaintenanceOptions = {},
  ) {}
  createAdapter = () => new PostgresAdapter();
  createDriver = (): Driver => new PGliteThreadDriver(this.dir, this.maintenance.vacuumAfterRows ?? VACUUM_AFTER_ROWS);
  createQueryCompiler = () => new PostgresQueryCompiler();
  createIntrospector = (db: Parameters<Dialect['createIntrospector']>[0]) => new PostgresIntrospector(db);
}

/** Work run `ahead`, and the driver whose connection it holds from its first statement until it ends. */
interface AheadWork {
  holding?: PGliteThreadDriver;
}

const aheadContext = new AsyncLocalStorage<AheadWork>();

/**
 * Runs `work` with its statements ahead of waiting background work on a single-connection store (PGlite), one
 * after another on the connection it takes (so `work` runs no statements at once); on PostgreSQL's pool it changes
 * nothing.
 */
export async function ahead<T>(work: () => Promise<T>): Promise<T> {
  const context: AheadWork = {};
  try {
    return await aheadContext.run(context, work);
  } finally {
    const driver = context.holding;
    context.holding = undefined; // a statement the work left running queues again from here
    driver?.handOn();
  }
}

interface Answer {
  id: number;
  rows?: Record<string, unknown>[];
  affectedRows?: number;
  error?: { message: string; code?: string; name?: string };
  closed?: boolean;
}

/**
 * PGlite runs no autovacuum, so nothing ever ANALYZEd its tables: the planner, knowing none of their columns, looked
 * a page's connector records up through an index that read all of the connector's (50,000 at the end of a large
 * backfill) instead of by id. Statistics are taken when the connection is free, once this many rows were written,
 * then each time the rows written since start double (as autovacuum goes by a share of the table): a few times in a
 * process's life. Only the application's own tables (PostgreSQL's catalogs, which a plain `analyze` takes too, were
 * three quarters of its time and never grow with the data), a table at a time, each waiting its turn behind other
 * work: a whole-database ANALYZE held the connection up to 1.3 s during a burst of deliveries, their answers waiting.
 */
const ANALYZE_FIRST_AFTER_ROWS = 1_000;

/**
 * Nor did anything VACUUM them: every row updated or deleted stayed in the files as a dead row for good. Each
 * application taken in left its staged CV (about 200 KB) behind that way, so the store grew by the CV again for every
 * application, and an erased person's rows stayed in the files after they were deleted. The tables with rows updated
 * or deleted since are vacuumed (tables only inserted into have nothing to take out, and a vacuum would read all their
 * new pages: hundreds of megabytes of CVs), a table at a time, once this many rows were written, or every few minutes
 * while any were. A vacuum holds the one connection while it runs (up to a few hundred milliseconds), so it waits for
 * the store to be quiet for a second; one that never is (a long burst) is vacuumed after ten times as many rows.
 */
export const VACUUM_AFTER_ROWS = 2_000;
const VACUUM_AT_LEAST_EVERY_MS = 5 * 60_000;
const QUIET_MS = 1_000;

/** Tables a statement leaves dead rows in: updated, deleted from, or upserted into (`insert … on conflict … do update`). */
const UPDATED_OR_DELETED = /\b(?:update|delete\s+from)\s+(?:only\s+)?"?([a-z_][a-z0-9_]*)"?/gi;
const INSERTED = /\binsert\s+into\s+"?([a-z_][a-z0-9_]*)"?/gi;
const UPSERT = /\bdo\s+update\b/i;

export interface MaintenanceOptions {
  /** Rows written between vacuums (VACUUM_AFTER_ROWS). */
  vacuumAfterRows?: number;
}

class PGliteThreadDriver implements Driver {
  private thread?: PGliteThread;
  private readonly connection = new ThreadConnection(
    () => this.thread,
    (rows, sql) => this.wrote(rows, sql),
  );
  private held = false;
  private written = 0;
  private analyzeAfter = ANALYZE_FIRST_AFTER_ROWS;
  private writtenSinceVacuum = 0;
  private lastVacuumAt = Date.now();
  /** Tables written since their last vacuum. */
  private readonly dirty = new Set<string>();
  private maintaining = false;
  private lastWriteAt = Date.now();
  private readonly clock = setInterval(() => this.maintainWhenQuiet(), QUIET_MS).unref();
  private readonly waiting = { ahead: [] as Array<() => void>, behind: [] as Array<() => void> };

  constructor(
    private readonly dir: string,
    private readonly vacuumAfterRows: number,
  ) {}

  async init(): Promise<void> {
    this.thread = await PGliteThread.start(this.dir);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const ahead = aheadContext.getStore();
    if (ahead?.holding === this) return this.connection;
    if (this.held) await new Promise<void>((resolve) => this.waiting[ahead ? 'ahead' : 'behind'].push(resolve));
    this.held = true;
    if (ahead && !ahead.holding) ahead.holding = this; // kept until the work ends (`ahead`)
    return this.connection;
  }

  async releaseConnection(): Promise<void> {
    if (aheadContext.getStore()?.holding !== this) this.handOn();
  }

  /** The connection to the next waiting (ahead first), else to maintenance when due, else free. */
  handOn(): void {
    const next = this.waiting.ahead.shift() ?? this.waiting.behind.shift();
    if (next) next();
    else if (!this.maintaining && this.maintenanceDueNow()) void aheadContext.exit(() => this.maintain(false));
    else this.held = false;
  }

  /** Every statement (a write in a CTE answers no rows written): the rows written, and the tables it left dead rows in. */
  private wrote(rows: number, sql: string): void {
    if (rows > 0) this.lastWriteAt = Date.now();
    this.written += rows;
    this.writtenSinceVacuum += rows;
    for (const [, table] of sql.matchAll(UPDATED_OR_DELETED)) this.dirty.add(table.toLowerCase());
    if (UPSERT.test(sql)) for (const [, table] of sql.matchAll(INSERTED)) this.dirty.add(table.toLowerCase());
  }

  /** Statistics as soon as they are due (a statement a table, each brief); a vacuum only when it cannot wait for quiet. */
  private maintenanceDueNow(): boolean {
    return this.written >= this.analyzeAfter || this.writtenSinceVacuum >= 10 * this.vacuumAfterRows;
  }

  private vacuumDue(): boolean {
    if (this.writtenSinceVacuum === 0) return false;
    return this.writtenSinceVacuum >= this.vacuumAfterRows || Date.now() - this.lastVacuumAt >= VACUUM_AT_LEAST_EVERY_MS;
  }

  /** The clock takes the free connection for a vacuum once nothing was written for a second (an idle process's writes too). */
  private maintainWhenQuiet(): void {
    if (this.held || this.maintaining || !this.thread || Date.now() - this.lastWriteAt < QUIET_MS || !this.vacuumDue()) return;
    this.held = true;
    void aheadContext.exit(() => this.maintain(true));
  }

  /**
   * With the connection it was handed (free: no transaction is open between holders): statistics when due, and a
   * vacuum of the tables with dead rows when due (`quiet`) or overdue, one statement at a time, each after the work
   * that came meanwhile.
   */
  private async maintain(quiet: boolean): Promise<void> {
    this.maintaining = true;
    const analyze = this.written >= this.analyzeAfter;
    if (analyze) this.analyzeAfter = 2 * this.written;
    const vacuum = quiet ? this.vacuumDue() : this.writtenSinceVacuum >= 10 * this.vacuumAfterRows;
    const dirty = vacuum ? [...this.dirty] : [];
    if (vacuum) {
      this.dirty.clear();
      this.writtenSinceVacuum = 0;
      this.lastVacuumAt = Date.now();
    }
    const tables = await this.thread
      ?.query(`select tablename as name, format('%I', tablename) as quoted from pg_tables where schemaname = current_schema()`, [])
      .catch(() => undefined);
    const own = (tables?.rows ?? []) as Array<{ name: string; quoted: string }>;
    const statements = [
      ...(analyze ? own.map((t) => `analyze ${t.quoted}`) : []),
      ...own.filter((t) => dirty.includes(t.name)).map((t) => `vacuum ${t.quoted}`),
    ];
    for (const statement of statements) {
      this.handOn();
      await this.acquireConnection();
      await this.thread?.query(statement, []).catch(() => undefined);
    }
    this.maintaining = false;
    this.handOn();
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const begin = settings.isolationLevel ? `start transaction isolation level ${settings.isolationLevel}` : 'begin';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    clearInterval(this.clock);
    await this.thread?.close();
    this.thread = undefined;
  }
}

class ThreadConnection implements DatabaseConnection {
  constructor(
    private readonly thread: () => PGliteThread | undefined,
    private readonly wrote: (rows: number, sql: string) => void,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const thread = this.thread();
    if (!thread) throw new Error('connection is closed: the store was closed');
    const answer = await thread.query(query.sql, query.parameters);
    const rows = (answer.rows ?? []).map(local) as R[];
    this.wrote(answer.affectedRows ?? 0, query.sql);
    return answer.affectedRows ? { rows, numAffectedRows: BigInt(answer.affectedRows) } : { rows };
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered, as with PGlite's own dialect's one result at a time
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on PGlite');
  }
}

/**
 * A value as it came across the thread, rebuilt in this module's realm: bytea (a Uint8Array there) as a Buffer, and
 * dates and JSON as this realm's, so `instanceof Date` holds here too (under a VM such as jest's, the message's
 * objects belong to the process's main realm, not this one).
 */
function local(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Object.prototype.toString.call(value) === '[object Date]') return new Date((value as Date).getTime());
  if (Array.isArray(value)) return value.map(local);
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, local(v)]));
}

/** The PGlite threads running in this process, by their entry under /proc. */
const runningTasks = new Set<string>();

/** Where the PGlite threads now running in this process show under /proc (`<pid>/task/<tid>`): benches read their CPU time there. */
export const pgliteThreadTasks = (): string[] => [...runningTasks];

/** The thread and its statements in flight; the thread keeps the process alive only while a statement is. */
class PGliteThread {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(a: Answer): void; reject(e: Error): void }>();
  private exited?: Error;

  private constructor(
    private readonly worker: Worker,
    task?: string,
  ) {
    worker.on('message', (answer: Answer) => this.settle(answer));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`connection is closed: the PGlite thread exited (${code})`)));
    if (task) {
      runningTasks.add(task);
      worker.once('exit', () => runningTasks.delete(task));
    }
  }

  static start(dir: string): Promise<PGliteThread> {
    // Plain JavaScript, run without the parent's loaders (tsx), which it does not need; profiling flags carry over.
    const execArgv = process.execArgv.filter((arg) => arg.startsWith('--cpu-prof'));
    const worker = new Worker(path.join(__dirname, 'pglite-thread.mjs'), { workerData: { dir }, execArgv });
    return new Promise((resolve, reject) => {
      const failed = (err: Error) => reject(new Error(`PGlite did not start: ${err.message}`));
      const exited = (code: number) => failed(new Error(`its thread exited (${code})`));
      worker.once('error', failed);
      worker.once('exit', exited);
      worker.once('message', (ready: { ready: boolean; task?: string; error?: { message: string } }) => {
        worker.off('error', failed);
        worker.off('exit', exited);
        if (!ready.ready) {
          void worker.terminate();
          return reject(new Error(`PGlite did not start: ${ready.error?.message}`));
        }
        worker.unref();
        resolve(new PGliteThread(worker, ready.task));
      });
    });
  }

  query(sql: string, params: readonly unknown[]): Promise<Answer> {
    return this.send({ sql, params });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    await this.send({ close: true }).catch(() => undefined);
    await this.worker.terminate();
  }

  private send(message: object): Promise<Answer> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<Answer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...message });
    });
  }

  private settle(answer: Answer): void {
    const waiter = this.pending.get(answer.id);
    if (!waiter) return;
    this.pending.delete(answer.id);
    if (this.pending.size === 0) this.worker.unref();
    if (answer.error) waiter.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code }));
    else waiter.resolve(answer);
  }

  private fail(err: Error): void {
    this.exited ??= Object.assign(new Error(`connection is closed: ${err.message}`), { code: '08006' });
    for (const { reject } of this.pending.values()) reject(this.exited);
    this.pending.clear();
  }
}
