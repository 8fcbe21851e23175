import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { tinyPdf } from '../src/providers/cv-library/sandbox-direct-apply';
import { type BenchSystem, percentile, setUpCvLibraryBoard, startBenchSystem } from './harness';
import { recordResults } from './results';

const RATE = Number(process.env.BENCH_RATE ?? 20); // deliveries per second
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Every n-th application is delivered twice at once, as a board retrying over a slow answer does. */
const DUPLICATE_EVERY = 10;

/**
 * DirectApply at a steady rate: the board POSTs applications (each with a PDF CV of BENCH_CV_KB, 200 KB by default) to a live posting's
 * URL; we measure how long the webhook takes to answer (Temporal holds the intake by then) and how long until
 * the application is in the store, and check each one was stored exactly once.
 */
export async function run(): Promise<void> {
  const b = await startBenchSystem();
  try {
    const url = await livePostingUrl(b);
    await deliverOne(url, application('warm-up', 0)); // the first workflow start and PGlite query plans
    const total = RATE * SECONDS;
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const failures: Record<string, number> = {};
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const inFlight: Array<Promise<void>> = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / RATE; // open loop: the schedule does not wait for answers
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const body = application(`bench-${i}`, i);
      sentAt.set(body.id, Date.now());
      const copies = i % DUPLICATE_EVERY === 0 ? 2 : 1;
      for (let c = 0; c < copies; c++) {
        inFlight.push(
          deliverOne(url, body).then(({ status, ms }) => {
            if (status === 200) latencies.push(ms);
            else failures[status] = (failures[status] ?? 0) + 1;
          }),
        );
      }
    }
    await Promise.all(inFlight);
    const sendSeconds = (performance.now() - started) / 1000;

    const stored = await untilStored(b, [...sentAt.keys()], 120_000);
    const cpu = process.cpuUsage(cpuBefore);
    const toStored = stored.map((row) => row.created_at.getTime() - sentAt.get(row.external_id)!);
    const distinct = new Set(stored.map((r) => r.external_id)).size;
    const candidates = await sql<{ n: number }>`select count(*)::int as n from candidate_sources where external_id like 'bench-%'`.execute(
      b.deps.store.db,
    );
    const requests = latencies.length + Object.values(failures).reduce((a, n) => a + n, 0);

    console.log(
      `direct-apply: ${total} applications (each with a ${tinyCvSize()} B PDF) at ${RATE}/s for ${SECONDS} s, every ${DUPLICATE_EVERY}th delivered twice at once: ${requests} webhook requests in ${sendSeconds.toFixed(1)} s`,
    );
    console.log(
      `  webhook answered 200: ${latencies.length}/${requests}${Object.keys(failures).length ? ` (others: ${JSON.stringify(failures)})` : ''}; latency p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms, max ${fmt(Math.max(...latencies))} ms`,
    );
    console.log(
      `  time from delivery to stored application: p50 ${fmt(percentile(toStored, 50))} ms, p99 ${fmt(percentile(toStored, 99))} ms`,
    );
    console.log(
      `  CPU of this process (API, worker, store and the board's client together): ${((cpu.user + cpu.system) / 1000 / total).toFixed(1)} ms an application`,
    );
    console.log(
      `  stored exactly once: ${distinct === total && stored.length === total ? 'yes' : 'NO'} — ${stored.length} application rows for ${distinct} distinct of ${total} sent; ${candidates.rows[0].n} candidate sources`,
    );
    recordResults('direct-apply', {
      deliveriesPerSecond: RATE,
      seconds: SECONDS,
      cvBytes: tinyCvSize(),
      webhookRequests: requests,
      answered200: latencies.length,
      ackP50Ms: round(percentile(latencies, 50)),
      ackP99Ms: round(percentile(latencies, 99)),
      storedP50Ms: round(percentile(toStored, 50)),
      storedP99Ms: round(percentile(toStored, 99)),
      cpuMsPerApplication: round((cpu.user + cpu.system) / 1000 / total, 1),
      storedExactlyOnce: distinct === total && stored.length === total,
    });
  } finally {
    await b.stop();
  }
}

/** A job posted live on the sandbox board; its DirectApply URL (where the board delivers applications). */
export async function livePostingUrl(b: BenchSystem): Promise<string> {
  await setUpCvLibraryBoard(b, { genericAccount: true });
  const job = await b.api('POST', '/v1/jobs', {
    reference: 'BENCH-APPLY',
    title: 'Payroll Administrator',
    description: '<p>Run payroll.</p>',
    location: { city: 'Leeds', postcode: 'LS1 4AP', country: 'GB' },
    employmentStatus: 'full-time',
    recruiter: { name: 'Priya Shah', email: 'priya@bench.example' },
  });
  const posting = await b.api('POST', `/v1/jobs/${job.body.id}/postings`, { board: 'cv-library' });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const p = await b.api('GET', `/v1/postings/${posting.body.id}`);
    if (p.body.state === 'live') {
      const { jobs } = (await (await fetch(`${b.sandboxes.urlFor('cv-library')}/_sandbox/jobs`)).json()) as {
        jobs: Array<{ job_id: number; direct_apply_url: string }>;
      };
      return jobs.find((j) => String(j.job_id) === p.body.externalId)!.direct_apply_url;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the benchmark posting did not go live');
}

/** A CV of about BENCH_CV_KB (200 KB, as a real one): a small PDF followed by incompressible comment lines. */
const CV_KB = Number(process.env.BENCH_CV_KB ?? 200);
const CV = cvOfAbout(CV_KB * 1024);
const tinyCvSize = () => Buffer.from(CV, 'base64').byteLength;

function cvOfAbout(bytes: number): string {
  const pdf = Buffer.from(tinyPdf('Bench Candidate'), 'base64');
  const lines: string[] = [];
  for (let size = pdf.byteLength; size < bytes; size += 78) lines.push(`% ${randomBytes(57).toString('base64')}\n`);
  return Buffer.concat([pdf, Buffer.from(lines.join(''), 'latin1')]).toString('base64');
}

/** A DirectApply delivery with its CV. */
export function application(id: string, i: number) {
  return {
    id,
    direct_apply_jobid: 'BENCH-APPLY',
    first_name: 'Bench',
    last_name: `Candidate${i}`,
    email: `bench.${i}@bench.example`,
    phone: `07700 ${String(100000 + i).slice(-6)}`,
    town: 'Leeds',
    county: 'West Yorkshire',
    postcode: 'LS1 4AP',
    applied_at: new Date().toISOString(),
    job_title: 'Payroll Administrator',
    cv: { filename: `cv-${i}.pdf`, content_type: 'application/pdf', content: CV },
  };
}

/** POSTs one delivery as the board does; the answer's status and how long it took. */
export async function deliverOne(url: string, body: unknown): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(
    () => undefined,
  );
  await res?.arrayBuffer();
  return { status: res?.status ?? 0, ms: performance.now() - t0 };
}

/** The stored applications of these DirectApply ids, once all are in (or the time is up). */
export async function untilStored(b: BenchSystem, ids: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await b.deps.store.db
      .selectFrom('applications')
      .select(['external_id', 'created_at'])
      .where('provider', '=', 'cv-library')
      .where('external_id', 'in', ids)
      .execute();
    if (new Set(rows.map((r) => r.external_id)).size >= ids.length || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const round = (n: number, digits = 0) => Number(n.toFixed(digits));
export const fmt = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(0) : '–');
