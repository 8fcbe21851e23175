import { pairSandboxOf, pairSandboxUrls } from '../src/providers/erecruiter-inhire/sandbox';
import { SANDBOX_ACCESS_KEY, SANDBOX_COMPANY_ID, SANDBOX_INHIRE_ORIGIN } from '../src/providers/erecruiter-inhire/sandbox-erecruiter';
import { SANDBOX_INHIRE_KEY } from '../src/providers/erecruiter-inhire/sandbox-inhire';
import { startBenchSystem } from './harness';

// inhire ↔ eRecruiter through the real path (API → Temporal → activities → sandboxes → store): N candidates
// delivered into three recruitments, each moved through two stages by a recruiter, then one status-sync run and a
// rerun with nothing new. Paced as in production (10 requests/s on each side, eRecruiter documents no limit), and
// once unpaced to show jobrelay's own cost. Prints requests per side and wall time.

const RECRUITMENTS = 3;

async function scenario(applications: number, rateLimit: { perSecond: number; burst: number }) {
  const b = await startBenchSystem();
  const pair = pairSandboxOf(b.sandboxes.apps['erecruiter-inhire']);
  const wait = async <T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 900_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const requests = () => ({ erecruiter: pair.erecruiter.requests.length, inhire: pair.inhire.requests.length });
  const since = (before: { erecruiter: number; inhire: number }) => {
    const now = requests();
    return `eRecruiter ${now.erecruiter - before.erecruiter} requests, inhire ${now.inhire - before.inhire}`;
  };
  try {
    const created = await b.api('POST', '/v1/connectors', {
      provider: 'erecruiter-inhire',
      name: 'Bench',
      credentials: { erecruiter: { accessKey: SANDBOX_ACCESS_KEY }, inhire: { apiKey: SANDBOX_INHIRE_KEY } },
      settings: {
        ...pairSandboxUrls(b.sandboxes.urlFor('erecruiter-inhire')),
        companyId: SANDBOX_COMPANY_ID,
        scope: 'all',
        sourceId: SANDBOX_INHIRE_ORIGIN.id,
        deliveryIntervalMinutes: 600,
        rateLimit,
      },
    });
    const id = created.body.id;
    await b.api('POST', `/v1/connectors/${id}/status-sync`, {});
    await wait(
      async () => ((await b.api('GET', `/v1/connectors/${id}`)).body.status?.streams?.deliveries?.totals?.runs >= 1 ? true : undefined),
      'first look',
    );
    const per = Math.ceil(applications / RECRUITMENTS);
    for (let r = 0; r < RECRUITMENTS; r++) pair.inhire.addReady(pair.erecruiter.addRecruitment().id, per, { seed: r + 1 });
    const total = per * RECRUITMENTS;

    let before = requests();
    let started = Date.now();
    await b.api('POST', `/v1/connectors/${id}/sync`, {});
    const delivered = await wait(async () => {
      const items: Array<{ applicationId: string; reported: boolean }> = [];
      let cursor: string | undefined;
      do {
        const page = (await b.api('GET', `/v1/connectors/${id}/deliveries?state=delivered&limit=200${cursor ? `&cursor=${cursor}` : ''}`))
          .body;
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return items.length === total && items.every((d) => d.reported) ? items : undefined;
    }, 'deliveries');
    console.log(`  ${total} deliveries: ${((Date.now() - started) / 1000).toFixed(1)} s, ${since(before)}`);

    for (const d of delivered) {
      pair.erecruiter.moveApplication(Number(d.applicationId), 'Analiza CV');
      pair.erecruiter.moveApplication(Number(d.applicationId), 'Rozmowa');
    }
    for (const label of ['run', 'rerun']) {
      before = requests();
      started = Date.now();
      const runsBefore = (await b.api('GET', `/v1/connectors/${id}/status-sync/runs?limit=200`)).body.items.length;
      const triggered = await b.api('POST', `/v1/connectors/${id}/status-sync/trigger`, {});
      if (triggered.status !== 202) throw new Error(`trigger answered ${triggered.status}`);
      const run = await wait(async () => {
        const runs = (await b.api('GET', `/v1/connectors/${id}/status-sync/runs?limit=200`)).body.items;
        return runs.length > runsBefore && runs[0].state !== 'running' ? runs[0] : undefined;
      }, label);
      const seconds = (Date.now() - started) / 1000;
      const c = run.counts;
      console.log(
        `  status-sync ${label}: ${seconds.toFixed(1)} s, ${since(before)}; ${c.applications} applications, ${c.read} changes read, ${c.pushed} pushed, ${c.unchanged} unchanged (${run.state})`,
      );
    }
  } finally {
    await b.stop();
  }
}

export async function run(): Promise<void> {
  const applications = Number(process.env.BENCH_ERECRUITER_APPLICATIONS ?? 300);
  console.log(`paced at 10 requests/s per side (production), ${applications} applications:`);
  await scenario(applications, { perSecond: 10, burst: 10 });
  console.log(`unpaced (jobrelay's own cost), ${applications} applications:`);
  await scenario(applications, { perSecond: 10_000, burst: 1000 });
}
