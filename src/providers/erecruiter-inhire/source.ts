import { handOverReady } from '../../relay/hand-over';
import { sideLimiterKey } from '../../relay/refs';
import type { ConnectionTest } from '../../sync/connection-test';
import { defineConnector, defineStream, type StreamContext } from '../../sync/connector';
import { sharedLimiter } from '../rate-limit';
import type { ErecruiterClient } from './erecruiter-client';
import type { InhireClient } from './inhire-client';
import { toReadyCandidate } from './mapping';
import { erecruiterClient, erecruiterInhireRelay, inhireClient } from './relay';
import type { InhireCandidate } from './schemas';
import { baseUrls, ErecruiterInhireCredentials, ErecruiterInhireSettings, maskCredentials } from './settings';

// The pair on the sync engine: one stream, `deliveries`, reads the candidates inhire marked ready for eRecruiter and
// hands each to its own delivery workflow (src/relay/hand-over.ts). The status sync back runs on its own Schedule.

interface Pair {
  erecruiter: ErecruiterClient;
  inhire: InhireClient;
  readonly requests: number;
}

type Ctx = StreamContext<ErecruiterInhireSettings, Pair>;

const deliveries = defineStream<InhireCandidate, ErecruiterInhireSettings, Pair>({
  // Every candidate waiting as ready is read on the first run (inhire lists only those not yet sent), then changes.
  schedule: (s) => ({ intervalMs: s.deliveryIntervalMinutes * 60_000, withoutStartAt: 'everything', overlapMs: 60_000 }),
  async fetch(ctx, window, page) {
    const since = window.since === undefined ? undefined : new Date(window.since).toISOString();
    const answer = await ctx.client.inhire.readyCandidates(since, page);
    return { records: answer.data, next: answer.next_cursor ?? undefined };
  },
  identify: (c) => ({ id: `${c.id}:${c.atsRecruitmentId}`, updatedAt: Date.parse(c.updatedAt) }),
  fingerprint: () => ({ v: 1 }),
  write: (candidates, ctx, done) => handOverReady(candidates, ctx, erecruiterInhireRelay, toReadyCandidate, done),
  // A candidate sent leaves inhire's ready list: a sweep hands over what was missed and marks nothing gone.
  listsQueue: true,
});

/** Each side on its own: eRecruiter's key and company, its recruitments and publication places; inhire's key. */
async function testConnection(test: ConnectionTest, { client, settings }: Ctx): Promise<void> {
  const ats = test.part('eRecruiter', {
    rejected: 'the access key (or user and password) is refused',
    lacks: (permission) => `the key lacks ${permission}`,
  });
  await ats.check('access key and company', `access to company ${settings.companyId}`, () => client.erecruiter.stages());
  if (!ats.credentialsRefused) {
    await ats.check('recruitments', 'reading recruitments', () => client.erecruiter.recruitmentsPage(0, 1));
    await ats.check('publication places', 'reading publication places', () => client.erecruiter.origins());
  }
  const tool = test.part('inhire', { rejected: 'the API key is refused', lacks: (permission) => `the API key lacks ${permission}` });
  await tool.check('API key', 'reading candidates', () => client.inhire.readyCandidates(undefined, undefined));
}

/** The erecruiter-inhire connector on the sync engine. */
export const erecruiterInhireSync = defineConnector({
  settings: ErecruiterInhireSettings,
  credentials: ErecruiterInhireCredentials,
  rateLimit: (s) => s.rateLimit,
  baseUrls,
  maskCredentials,
  connect(ctx): Pair {
    const limiter = (side: 'ats' | 'tool') => sharedLimiter(sideLimiterKey(ctx.connectorId, side), ctx.settings.rateLimit);
    const sides = { ...ctx, heartbeat: () => ctx.heartbeat() };
    const erecruiter = erecruiterClient(sides, limiter);
    const inhire = inhireClient(sides, limiter);
    return {
      erecruiter,
      inhire,
      get requests() {
        return erecruiter.requests + inhire.requests;
      },
    };
  },
  streams: { deliveries },
  test: testConnection,
});
