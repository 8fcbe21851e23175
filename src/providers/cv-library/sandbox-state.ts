import { setMaxListeners } from 'node:events';
import type { Response } from 'express';
import { seededRandom } from '../seeded-random';
import type { PostedJob } from './sandbox-contract';

// The sandbox's in-memory world and the assumed numbers it runs on (shared/providers/cv-library.md).
export const TOKEN_LIFETIME_S = 3600;
/** Per account: 10 requests a second, bursts of 20 (assumed). */
export const RATE_LIMIT = { perSecond: 10, burst: 20 };
export const DAY_MS = 86_400_000;

export interface SandboxAccount {
  id: string;
  username?: string;
  password?: string;
  clientId?: string;
  clientSecret?: string;
  posterEmails: string[];
}

export interface SandboxJob {
  jobId: number;
  accountId: string;
  job: PostedJob;
  createdAt: number;
  expiresAt: number;
  deletedAt?: number;
  /** Provider requests that addressed this job (create, conflicting create, update, get, delete). */
  requests: number;
}

export interface Faults {
  rate429: number;
  rate5xx: number;
  latencyMs: number;
  dropConnection: number;
  failNext: Array<{ status: number; count: number; message?: string }>;
  /** Seeds the generator that decides which requests get a random fault, so a run is repeatable. */
  seed: number;
  retryAfterSec: number;
}

export interface DeliverySettings {
  retryBaseMs: number;
  maxAttempts: number;
  timeoutMs: number;
}

export interface DeliveryResult {
  /** The HTTP status of each attempt; 0 when no answer came. */
  attempts: number[];
  delivered: boolean;
}

export interface SandboxApplication {
  id: string;
  jobId: number;
  payload: unknown;
  state: 'delivering' | 'delivered' | 'failed';
  deliveries: DeliveryResult[];
}

export interface CvLibrarySandboxState {
  accounts: SandboxAccount[];
  jobs: Map<number, SandboxJob>;
  tokens: Map<string, { accountId: string; expiresAt: number }>;
  tokenRequests: number;
  /** Every request to the provider API (not the control endpoints). */
  requests: number;
  /** Injected faults answered, by status (`dropped` for a dropped connection): proof that a test's faults were served. */
  faultsServed: Record<string, number>;
  faults: Faults;
  random: () => number;
  clockOffsetMs: number;
  buckets: Map<string, { tokens: number; at: number }>;
  delivery: DeliverySettings;
  applications: Map<string, SandboxApplication>;
  nextJobId: number;
  nextApplicationId: number;
  /** Aborted on reset, so deliveries in flight stop retrying. */
  lifetime: AbortController;
}

export const noFaults = (): Faults => ({
  rate429: 0,
  rate5xx: 0,
  latencyMs: 0,
  dropConnection: 0,
  failNext: [],
  seed: 1,
  retryAfterSec: 1,
});

export function freshState(): CvLibrarySandboxState {
  // Every delivery under way (a burst: hundreds) listens for the reset; none of them is a leak.
  const lifetime = new AbortController();
  setMaxListeners(0, lifetime.signal);
  return {
    accounts: [],
    jobs: new Map(),
    tokens: new Map(),
    tokenRequests: 0,
    requests: 0,
    faultsServed: {},
    faults: noFaults(),
    random: seededRandom(1),
    clockOffsetMs: 0,
    buckets: new Map(),
    delivery: { retryBaseMs: 200, maxAttempts: 8, timeoutMs: 5000 },
    applications: new Map(),
    nextJobId: 300_000_001,
    nextApplicationId: 1,
    lifetime,
  };
}

export function jobStatus(job: SandboxJob, now: number): 'live' | 'expired' | 'deleted' {
  if (job.deletedAt !== undefined) return 'deleted';
  return now >= job.expiresAt ? 'expired' : 'live';
}

export function jobUrl(jobId: number, title: string): string {
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `https://www.cv-library.co.uk/job/${jobId}/${slug || 'job'}`;
}

/** The job as `GET /v2/job/{id}` shows it. */
export function jobView(job: SandboxJob, now: number) {
  return {
    job_id: job.jobId,
    ...job.job,
    url: jobUrl(job.jobId, job.job.title),
    created_at: new Date(job.createdAt).toISOString(),
    expires_at: new Date(job.expiresAt).toISOString(),
    status: jobStatus(job, now),
  };
}

/** Every error answer: `{error, message}`, plus what the error adds (a 409's `job_id`, a 422's `field`). */
export function fail(res: Response, status: number, error: string, message: string, extra: object = {}) {
  res.status(status).json({ error, message, ...extra });
}
