import type { LoggedRequest } from '../src/providers/lever/sandbox';
import { SANDBOX_API_KEY } from '../src/providers/lever/sandbox';
import { startBenchSystem } from './harness';
import { backfillWithJobrelay, floorSeconds, LEVER_LIMIT, type RunningLeverSandbox, startLeverSandbox } from './lever-run';
import { ensureTap, runTap, TAP_VERSION } from './peer/tap';
import { type Figures, recordResults } from './results';

// jobrelay and a peer, the Singer tap tap-lever, one after the other on the same Lever sandbox (Lever's limit, the
// data bench/lever-backfill.ts generates) and the same streams: postings and opportunities, then with résumés.
// Both read what Lever lists by default: the tap sends no `confidentiality`, so jobrelay is set to leave
// confidential records out too. The tap only prints its records (no target); jobrelay stores them: its wall
// includes the writes.

interface Scenario {
  key: string;
  label: string;
  opportunities: number;
  postings: number;
  resumes: boolean;
}

interface Side {
  seconds: number;
  records: { postings: number; opportunities: number; resumes?: number };
  requests: LoggedRequest[];
}

export async function run(): Promise<void> {
  const scenarios: Scenario[] = [
    {
      key: 'candidatesOnly',
      label: 'postings + opportunities',
      opportunities: Number(process.env.BENCH_PEER_OPPORTUNITIES ?? 5000),
      postings: 200,
      resumes: false,
    },
    {
      key: 'withResumes',
      label: 'postings + opportunities + résumés',
      opportunities: Number(process.env.BENCH_PEER_RESUME_OPPORTUNITIES ?? 200),
      postings: 20,
      resumes: true,
    },
  ];
  const python = ensureTap();
  console.log(
    `tap-lever ${TAP_VERSION} (${python}, .bench/peer-venv) and jobrelay, one after the other, on one Lever sandbox at Lever's limit (${LEVER_LIMIT.perSecond} req/s, burst ${LEVER_LIMIT.burst}):`,
  );
  const bench = await startBenchSystem();
  const api = async (method: string, url: string, body?: unknown) => (await bench.api(method, url, body)).body;
  try {
    const figures: Figures = {};
    for (const [i, scenario] of scenarios.entries()) {
      const lever = await startLeverSandbox({
        postings: scenario.postings,
        opportunities: scenario.opportunities,
        resumes: scenario.resumes,
        seed: 500 + i,
      });
      try {
        const startDate = firstDay(lever);
        const held = listedByDefault(lever);
        console.log(
          `  ${scenario.label}: ${held.opportunities} opportunities and ${held.postings} postings listed by default (of ${scenario.opportunities} and ${scenario.postings}; the rest confidential), changed since ${startDate}`,
        );
        let mark = lever.sandbox.requests.length;
        const backfill = await backfillWithJobrelay(api, lever.baseUrl, {
          name: `peer ${scenario.label}`,
          resumes: scenario.resumes,
          startDate,
          includeConfidential: false,
        });
        const streams = backfill.status.status.streams;
        const read = (s: { created: number; updated: number; unchanged: number; skipped: number }) =>
          s.created + s.updated + s.unchanged + s.skipped;
        const jobrelaySide: Side = {
          seconds: backfill.seconds,
          records: { postings: read(streams.jobs), opportunities: read(streams.candidates) },
          requests: lever.sandbox.requests.slice(mark),
        };
        if (scenario.resumes) jobrelaySide.records.resumes = downloads(jobrelaySide.requests);
        // Let the key's bucket fill again so the tap starts as jobrelay did.
        await new Promise((r) => setTimeout(r, (1000 * LEVER_LIMIT.burst) / LEVER_LIMIT.perSecond + 500));
        mark = lever.sandbox.requests.length;
        const tap = await runTap({
          origin: new URL(lever.baseUrl).origin,
          token: SANDBOX_API_KEY,
          startDate,
          streams: scenario.resumes ? ['postings', 'opportunities', 'opportunity_resumes'] : ['postings', 'opportunities'],
        });
        const tapSide: Side = {
          seconds: tap.seconds,
          records: { postings: tap.records.postings ?? 0, opportunities: tap.records.opportunities ?? 0 },
          requests: lever.sandbox.requests.slice(mark),
        };
        if (scenario.resumes) tapSide.records.resumes = tap.records.opportunity_resumes ?? 0;
        report(jobrelaySide, tapSide, scenario.resumes);
        Object.assign(figures, {
          [`${scenario.key}.opportunities`]: scenario.opportunities,
          [`${scenario.key}.startDate`]: startDate,
          ...sideFigures(`${scenario.key}.jobrelay`, jobrelaySide),
          ...sideFigures(`${scenario.key}.tapLever`, tapSide),
          [`${scenario.key}.wallRatioTapToJobrelay`]: Number((tapSide.seconds / jobrelaySide.seconds).toFixed(2)),
          [`${scenario.key}.requestRatioTapToJobrelay`]: Number((tapSide.requests.length / jobrelaySide.requests.length).toFixed(2)),
        });
      } finally {
        lever.close();
      }
    }
    recordResults('peer', { tapLeverVersion: TAP_VERSION, ...figures });
  } finally {
    await bench.stop();
  }
}

function report(jobrelay: Side, tap: Side, resumes: boolean) {
  const line = (name: string, side: Side) => {
    const { postings, opportunities, resumes: files } = side.records;
    const { rejected, failed, floor } = answers(side);
    const toFloor = floor > 0 ? `, wall ${(side.seconds / floor).toFixed(2)}× the floor` : '';
    return `    ${name.padEnd(9)} wall ${side.seconds.toFixed(1).padStart(6)} s; records ${postings} postings, ${opportunities} opportunities${files === undefined ? '' : `, ${files} résumés`}; ${side.requests.length} requests (${byEndpoint(side.requests)}; ${rejected} answered 429${failed ? `, ${failed} another error` : ''}), floor ${floor.toFixed(1)} s${toFloor}`;
  };
  console.log(line('jobrelay', jobrelay));
  console.log(line('tap-lever', tap));
  console.log(
    `    tap-lever / jobrelay: wall ${(tap.seconds / jobrelay.seconds).toFixed(2)}×, requests ${(tap.requests.length / jobrelay.requests.length).toFixed(2)}×${resumes ? ' (the tap lists résumés but downloads no file; jobrelay downloads each)' : ''}`,
  );
}

function sideFigures(prefix: string, side: Side): Figures {
  return {
    [`${prefix}.wallSeconds`]: Number(side.seconds.toFixed(1)),
    [`${prefix}.postings`]: side.records.postings,
    [`${prefix}.opportunities`]: side.records.opportunities,
    ...(side.records.resumes === undefined ? {} : { [`${prefix}.resumes`]: side.records.resumes }),
    [`${prefix}.requests`]: side.requests.length,
    [`${prefix}.rejected429`]: answers(side).rejected,
    [`${prefix}.floorSeconds`]: Number(answers(side).floor.toFixed(1)),
  };
}

/** The floor counts the requests the limit let through: a 429 is the price of not pacing, not work. */
function answers(side: Side) {
  const rejected = side.requests.filter((r) => r.status === 429).length;
  const failed = side.requests.filter((r) => r.status !== 429 && (r.status < 200 || r.status >= 400)).length;
  return { rejected, failed, floor: floorSeconds(side.requests.length - rejected) };
}

/** Requests by endpoint: `/opportunities 367, /postings 2, …/resumes 200`. */
function byEndpoint(requests: LoggedRequest[]): string {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const endpoint = r.path.replace(/^\/v1\/opportunities\/[^/]+\//, '…/').replace(/\/resumes\/[^/]+\/download$/, '/resumes/download');
    counts.set(endpoint, (counts.get(endpoint) ?? 0) + 1);
  }
  return [...counts].map(([endpoint, n]) => `${endpoint.replace(/^\/v1/, '')} ${n}`).join(', ');
}

function downloads(requests: LoggedRequest[]): number {
  return requests.filter((r) => r.status === 200 && r.path.endsWith('/download')).length;
}

/** What Lever lists without `confidentiality`: the non-confidential records. */
function listedByDefault({ sandbox }: RunningLeverSandbox) {
  const open = (records: Iterable<{ confidentiality: string }>) =>
    [...records].filter((r) => r.confidentiality === 'non-confidential').length;
  return { postings: open(sandbox.postings.values()), opportunities: open(sandbox.opportunities.values()) };
}

/** The UTC day of the earliest change in the data: the start date a user of either tool would give. */
function firstDay({ sandbox }: RunningLeverSandbox): string {
  const records = [...sandbox.postings.values(), ...sandbox.opportunities.values()];
  const earliest = records.reduce((least, r) => Math.min(least, r.updatedAt), Number.POSITIVE_INFINITY);
  return new Date(earliest).toISOString().slice(0, 10);
}
