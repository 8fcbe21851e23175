import type http from 'node:http';
import { createPairSandbox, type PairSandbox, pairSandboxOf, pairSandboxUrls } from '../../src/providers/erecruiter-inhire/sandbox';
import { SANDBOX_ACCESS_KEY, SANDBOX_COMPANY_ID, SANDBOX_INHIRE_ORIGIN } from '../../src/providers/erecruiter-inhire/sandbox-erecruiter';
import { SANDBOX_INHIRE_KEY } from '../../src/providers/erecruiter-inhire/sandbox-inhire';
import { describeWithPostgres } from '../helpers/postgres';
import { waitFor } from '../helpers/wait';
import { startApiForWorkers } from '../helpers/worker-process';

// The worker is killed (SIGKILL) in the middle of a status-sync run, between pushes to inhire, and a new one is
// started: every stage change must reach inhire exactly once, and the run must count each once. The worker runs as
// its own OS process (`worker.ts`), so PostgreSQL is needed: PGlite lives inside one process.

const TOKEN = 'erecruiter-crash-token-0123456789';
const RECRUITMENTS = 3;
const PER_RECRUITMENT = 40;
/** Each application: its entry (Nowy) and two moves. */
const CHANGES = RECRUITMENTS * PER_RECRUITMENT * 3;
/** The worker dies once inhire has taken this many status updates (well into the first recruitment's page). */
const KILL_AFTER_PUSHES = 70;

const describeWhenPostgres = describeWithPostgres('the status-sync crash test');

describeWhenPostgres('worker killed (SIGKILL) in the middle of a status-sync run', () => {
  let harness: Awaited<ReturnType<typeof startApiForWorkers>>;
  let pair: PairSandbox;
  let sandboxServer: http.Server;
  let sandboxUrl: string;
  let loops: string[] = [];

  beforeAll(async () => {
    harness = await startApiForWorkers(TOKEN);
    const app = createPairSandbox();
    pair = pairSandboxOf(app);
    sandboxServer = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    sandboxUrl = `http://127.0.0.1:${(sandboxServer.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await harness?.stop(loops);
    sandboxServer?.closeAllConnections();
    await new Promise((resolve) => sandboxServer?.close(resolve));
  });

  const api = (method: string, url: string, body?: unknown) => harness.api(method, url, body);
  const startWorker = () => harness.startWorker();

  it('resumes the interrupted page on a new worker: every change pushed to inhire once, and counted once', async () => {
    const { erecruiter, inhire } = pair;
    const first = startWorker();
    const created = await api('POST', '/v1/connectors', {
      provider: 'erecruiter-inhire',
      name: 'Crash',
      credentials: { erecruiter: { accessKey: SANDBOX_ACCESS_KEY }, inhire: { apiKey: SANDBOX_INHIRE_KEY } },
      settings: {
        ...pairSandboxUrls(sandboxUrl),
        companyId: SANDBOX_COMPANY_ID,
        scope: 'all',
        sourceId: SANDBOX_INHIRE_ORIGIN.id,
        deliveryIntervalMinutes: 600,
        rateLimit: { perSecond: 1000, burst: 100 },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    loops = [`sync:${id}`];
    expect((await api('POST', `/v1/connectors/${id}/status-sync`, {})).status).toBe(201);

    // Candidates delivered after the enablement, into three recruitments; recruiters move each twice.
    const recruitments = Array.from({ length: RECRUITMENTS }, () => erecruiter.addRecruitment());
    const candidates = recruitments.flatMap((r) => inhire.addReady(r.id, PER_RECRUITMENT, { seed: r.id }));
    await waitFor(
      async () => (await api('GET', `/v1/connectors/${id}`)).body.status?.streams?.deliveries?.totals?.runs ?? 0,
      (runs) => runs >= 1,
      60_000,
      'the first look at inhire',
    );
    expect((await api('POST', `/v1/connectors/${id}/sync`, {})).status).toBe(202);
    const delivered = await waitFor(
      async () => {
        const items = (await api('GET', `/v1/connectors/${id}/deliveries?state=delivered&limit=200`)).body.items;
        return items.length === candidates.length && items.every((d: { reported: boolean }) => d.reported) ? items : undefined;
      },
      (items) => items !== undefined,
      120_000,
      'every candidate delivered',
    );
    for (const d of delivered as Array<{ applicationId: string }>) {
      erecruiter.moveApplication(Number(d.applicationId), 'Analiza CV');
      erecruiter.moveApplication(Number(d.applicationId), 'Rozmowa');
    }

    // The worker dies with pushes of the first recruitment's page done and more to come.
    let pushes = 0;
    const killed = new Promise<void>((resolve) => {
      inhire.onRequest = (method, pathname) => {
        if (method === 'PUT' && pathname.endsWith('/status') && ++pushes === KILL_AFTER_PUSHES) {
          first.child.kill('SIGKILL');
          inhire.onRequest = undefined;
          resolve();
        }
      };
    });
    expect((await api('POST', `/v1/connectors/${id}/status-sync/trigger`, {})).status).toBe(202);
    await first.killedWithin(killed, 60_000, () => `${pushes} pushes`);
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const pushedAtKill = await harness.deps.store.db
      .selectFrom('relay_status_pushes')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(pushedAtKill.n)).toBeGreaterThan(0);
    expect(Number(pushedAtKill.n)).toBeLessThan(CHANGES);

    // A new worker takes the page over once Temporal sees its heartbeats stop; the run ends as one run.
    const second = startWorker();
    const run = await waitFor(
      async () => {
        if (!second.running) throw new Error(`the second worker exited: ${second.output.slice(-3000)}`);
        const runs = (await api('GET', `/v1/connectors/${id}/status-sync/runs`)).body.items;
        return runs.length === 1 && runs[0].state !== 'running' ? runs[0] : undefined;
      },
      (run) => run !== undefined,
      120_000,
      'the run to finish on the second worker',
    );
    expect(run).toMatchObject({
      state: 'succeeded',
      counts: { applications: candidates.length, read: CHANGES, pushed: CHANGES, unchanged: 0, failed: 0 },
    });

    // Exactly once at inhire: each candidate's three statuses, in order, none twice, none missing.
    for (const c of candidates)
      expect(inhire.mustGet(c.id).statusChanges.map((s) => s.status)).toEqual(['waiting_for_decision', 'evaluating', 'interview']);
    const ledger = await harness.deps.store.db
      .selectFrom('relay_status_pushes')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(ledger.n)).toBe(CHANGES);
    // The interrupted page was read again from its start: some status updates reached inhire twice and changed nothing.
    const puts = inhire.requests.filter((r) => r.method === 'PUT').length;
    expect(puts).toBeGreaterThan(CHANGES);
  }, 300_000);
});
