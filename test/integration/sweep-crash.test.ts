import http from 'node:http';
import { SANDBOX_API_KEY, SANDBOX_COMPANY, SmartRecruitersSandbox } from '../../src/providers/smartrecruiters/sandbox';
import { smartRecruitersConnector } from '../fixtures/smartrecruiters';
import { testServers } from '../helpers/env';
import { waitFor } from '../helpers/wait';
import { startApiForWorkers } from '../helpers/worker-process';

// A worker process is killed (SIGKILL) halfway through a SmartRecruiters sweep, and another takes over: the sweep
// finishes with every repair made once, only the candidates SmartRecruiters deleted marked deleted, and no request
// over SmartRecruiters' limits. Worker processes share PostgreSQL (PGlite lives inside one process).

const CANDIDATES = 400;
const PAGE_SIZE = 40;
const CHANGED = 200;
const DELETED = 8;
/** The worker dies on this list page of the sweep, once this many candidates' details were asked for. */
const KILL_ON_PAGE = 4;
const KILL_AFTER_DETAILS = 6;
const TOKEN = 'sweep-crash-token-0123456789';

const describeWithPostgres = testServers.databaseUrl() ? describe : describe.skip;
if (!testServers.databaseUrl() && process.env.CI) throw new Error('CI must run the sweep crash test: PostgreSQL binaries not found');

describeWithPostgres('worker killed (SIGKILL) in the middle of a sweep', () => {
  let harness: Awaited<ReturnType<typeof startApiForWorkers>>;
  let sandbox: SmartRecruitersSandbox;
  let server: http.Server;
  let baseUrl: string;
  let onRequest: ((path: string, query: URLSearchParams) => void) | undefined;
  let connectorId = '';

  beforeAll(async () => {
    harness = await startApiForWorkers(TOKEN);
    sandbox = new SmartRecruitersSandbox({ rateLimit: { perSecond: 500, burst: 60 } });
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://sandbox');
      onRequest?.(url.pathname, url.searchParams);
      sandbox.app(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await harness?.stop([`sync:${connectorId}`]);
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  const connector = () => harness.api('GET', `/v1/connectors/${connectorId}`).then((r) => r.body);

  it('finishes the sweep on a new worker: repairs made once, only deleted candidates marked, no limit broken', async () => {
    sandbox.seed({ postings: 20, candidates: CANDIDATES, resumes: false, seed: 77 });
    const first = harness.startWorker();
    const created = await harness.api(
      'POST',
      '/v1/connectors',
      smartRecruitersConnector(baseUrl, SANDBOX_COMPANY, SANDBOX_API_KEY, {
        pageSize: PAGE_SIZE,
        syncResumes: false,
        syncDocuments: false,
      }),
    );
    expect(created.status).toBe(201);
    connectorId = created.body.id;
    await waitFor(
      async () => {
        const c = await connector();
        return c.status?.streams.candidates?.totals.runs >= 1 && c.status.streams.jobs.totals.runs >= 1 ? c : undefined;
      },
      (c) => c !== undefined,
      90_000,
      'the backfill',
    );

    // Behind the incremental path's back: half the candidates renamed with a lagging clock, a few deleted.
    const all = [...sandbox.candidates.values()];
    const changed = all.filter((_, i) => i % 2 === 0).slice(0, CHANGED);
    for (const c of changed) sandbox.updateCandidate(c.id, { lastName: `${c.lastName}-Swept` }, c.updatedOn - 3_600_000);
    const deleted = all.filter((_, i) => i % 2 === 1).slice(0, DELETED);
    for (const c of deleted) sandbox.deleteCandidate(c.id);

    let listed = 0;
    let details = 0;
    const killed = new Promise<void>((resolve) => {
      onRequest = (path, query) => {
        // The sweep lists from the start date (an interval run would list from its high-water mark).
        if (path === '/candidates' && query.get('updatedAfter')?.startsWith('2000-01-01')) {
          listed += 1;
          details = 0;
        } else if (/^\/candidates\/[^/]+$/.test(path)) details += 1;
        if (listed === KILL_ON_PAGE && details === KILL_AFTER_DETAILS) {
          first.child.kill('SIGKILL');
          onRequest = undefined;
          resolve();
        }
      };
    });
    expect((await harness.api('POST', `/v1/connectors/${connectorId}/sweep`, { stream: 'candidates' })).status).toBe(202);
    await first.killedWithin(killed, 60_000, () => `list page ${listed}`);
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // Halfway: nothing marked deleted yet (that waits for the whole listing).
    const { db } = harness.deps.store;
    const deletedSoFar = await db.selectFrom('candidate_sources').select('external_id').where('deleted_at', 'is not', null).execute();
    expect(deletedSoFar).toEqual([]);

    const second = harness.startWorker();
    const done = await waitFor(
      async () => {
        if (!second.running) throw new Error(`the second worker exited: ${second.output.slice(-3000)}`);
        const c = await connector();
        return c.status?.sweep?.totals.runs >= 1 && !c.status.sweep.running ? c : undefined;
      },
      (c) => c !== undefined,
      120_000,
      'the sweep to finish on the second worker',
    );

    expect(done.state).toBe('active');
    // Repairs the dead worker had written before its page's ledger was saved come back unchanged on the retry: the
    // count may fall short by those, the data may not (below).
    expect(done.status.sweep.deleted).toBe(DELETED);
    expect(done.status.sweep.repaired).toBeLessThanOrEqual(CHANGED);
    expect(done.status.sweep.repaired).toBeGreaterThan(CHANGED - PAGE_SIZE);
    const sources = await db.selectFrom('candidate_sources').selectAll().execute();
    expect(sources).toHaveLength(CANDIDATES);
    expect(
      sources
        .filter((s) => s.deleted_at)
        .map((s) => s.external_id)
        .sort(),
    ).toEqual(deleted.map((c) => c.id).sort());
    const names = await db
      .selectFrom('candidates')
      .innerJoin('candidate_sources', 'candidate_sources.candidate_id', 'candidates.id')
      .select(['external_id', 'last_name'])
      .where(
        'external_id',
        'in',
        changed.map((c) => c.id),
      )
      .execute();
    expect(names.filter((n) => n.last_name.endsWith('-Swept'))).toHaveLength(CHANGED);
    expect(
      Number(
        (
          await db
            .selectFrom('candidates')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(CANDIDATES);
    expect(sandbox.violations).toMatchObject({ rate: 0, concurrency: 0 });
  }, 240_000);
});
