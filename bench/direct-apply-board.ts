import { fork } from 'node:child_process';
import { paddedPdf } from '../src/providers/cv-library/sandbox-direct-apply';

/** What the board did in one burst: when each application was sent, how long each answer took, what else came back. */
export interface Burst {
  sentAt: Record<string, number>;
  latencies: number[];
  failures: Record<string, number>;
  sendSeconds: number;
  /** CPU the board itself used (this process), in ms. */
  cpuMs: number;
}

export interface BurstPlan {
  url: string;
  rate: number;
  seconds: number;
  /** Every n-th application is delivered twice at once, as a board retrying over a slow answer does. */
  duplicateEvery: number;
}

/**
 * The board's side of the benchmark, in a process of its own (`fork`): the sender's fetch calls, JSON encoding and
 * timers then do not run on the event loop whose answers they time.
 */
export function sendBurstFromChild(plan: BurstPlan): Promise<Burst> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [JSON.stringify(plan)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (burst) => resolve(burst as Burst));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`the board's process exited with ${code}`))));
  });
}

/** Open loop: the schedule does not wait for answers. */
export async function sendBurst({ url, rate, seconds, duplicateEvery }: BurstPlan): Promise<Burst> {
  const total = rate * seconds;
  const sentAt: Record<string, number> = {};
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  // Bodies are built before the burst (the real board sends from elsewhere): the sender's JSON work then does not
  // take a core from the server it measures. Each body is its own head and tail around the one shared CV.
  const cvJson = Buffer.from(JSON.stringify(CV));
  const bodies = Array.from({ length: total }, (_, i) => {
    const [head, tail] = JSON.stringify(application(`bench-${i}`, i, CV_PLACEHOLDER)).split(JSON.stringify(CV_PLACEHOLDER));
    return [Buffer.from(head), Buffer.from(tail)] as const;
  });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const body = Buffer.concat([bodies[i][0], cvJson, bodies[i][1]]);
    sentAt[`bench-${i}`] = Date.now();
    for (let c = 0; c < (i % duplicateEvery === 0 ? 2 : 1); c++) {
      inFlight.push(
        deliverOne(url, body).then(({ status, ms }) => {
          if (status === 200) latencies.push(ms);
          else failures[status] = (failures[status] ?? 0) + 1;
        }),
      );
    }
  }
  await Promise.all(inFlight);
  const cpu = process.cpuUsage(cpuBefore);
  return { sentAt, latencies, failures, sendSeconds: (performance.now() - started) / 1000, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** A CV of about BENCH_CV_KB (200 KB, as a real one): a small PDF padded with incompressible comment lines. */
const CV_KB = Number(process.env.BENCH_CV_KB ?? 200);
const CV = paddedPdf('Bench Candidate', CV_KB * 1024);
export const cvSize = () => Buffer.from(CV, 'base64').byteLength;

const CV_PLACEHOLDER = '<cv>';

/** A DirectApply delivery with its CV (base64). */
export function application(id: string, i: number, cv = CV) {
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
    cv: { filename: `cv-${i}.pdf`, content_type: 'application/pdf', content: cv },
  };
}

/** POSTs one delivery as the board does; the answer's status and how long it took. */
export async function deliverOne(url: string, body: unknown): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  }).catch(() => undefined);
  await res?.arrayBuffer();
  return { status: res?.status ?? 0, ms: performance.now() - t0 };
}

if (require.main === module && process.send) {
  sendBurst(JSON.parse(process.argv[2]) as BurstPlan).then(
    (burst) => process.send?.(burst, () => process.exit(0)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
