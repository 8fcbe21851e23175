import type { ConnectorStatus } from './connector';
import type { PostingSnapshot } from './posting';

// What operators read about each workflow in the Temporal UI: its summary and details (user metadata, set at
// start), its current details (kept by the workflow as it goes) and a memo. Ids, states, job titles, counts and
// times only: never a candidate's or recruiter's personal data. Pure: the Temporal clients and the workflows use it.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `24 Dec 2026` (UTC). */
export function day(at: string | number): string {
  const d = new Date(at);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** `24 Dec 2026 17:05 UTC`. */
export function moment(at: string | number): string {
  const d = new Date(at);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${day(at)} ${hh}:${mm} UTC`;
}

/** `Payroll Administrator → cv-library`. */
export function postingSummary(posting: { jobTitle?: string; jobId: string; board: string }): string {
  return `${posting.jobTitle ?? `job ${posting.jobId}`} → ${posting.board}`;
}

export function postingDetails(posting: { postingId: string; jobId: string; board: string }): string {
  return [
    `Posting \`${posting.postingId}\` of job \`${posting.jobId}\` on ${posting.board}.`,
    'Steer it with the updates `amend`, `repost`, `unpost` and `queue` (or the signals `repostSignal`, `unpostSignal`); read it with the query `status`.',
  ].join('\n\n');
}

/** Where the posting is now: `live until 24 Dec 2026`, `expired on …`, `failed`, … */
export function postingState(posting: Pick<PostingSnapshot, 'state' | 'expiresAt' | 'repostCount' | 'autoRepost'>): string {
  const { state, expiresAt, repostCount, autoRepost } = posting;
  const when =
    state === 'live' && expiresAt
      ? ` until ${day(expiresAt)}${autoRepost ? ', then reposted' : ''}`
      : state === 'expired' && expiresAt
        ? ` on ${day(expiresAt)}`
        : '';
  return `${state}${when}${repostCount ? ` (reposted ${repostCount}×)` : ''}`;
}

/** `lever connector “Acme Lever”`. */
export function connectorSummary(connector: { provider: string; name?: string }): string {
  return `${connector.provider} connector${connector.name ? ` “${connector.name}”` : ''}`;
}

export function connectorDetails(connector: { id: string; provider: string }): string {
  return [
    `Connector \`${connector.id}\` (${connector.provider}): each stream runs on its interval, page by page.`,
    'Steer it with the updates `syncNow`, `pause`, `resume`, `reconfigure` (or the signals of the same names with `Signal`); read it with the query `status`.',
  ].join('\n\n');
}

/**
 * `active · jobs: last run 24 Dec 2026 12:00 UTC (3 created, 1 updated), next 12:15 UTC · candidates: running, page 4`
 * (or `candidates: stopped on a failure at page 4, retry 13:00 UTC`).
 */
export function connectorState(status: ConnectorStatus): string {
  const streams = Object.entries(status.streams).map(([name, s]) => {
    if (s.running) return `${name}: running, page ${s.pages + 1}`;
    if (s.failure)
      return `${name}: stopped on a failure at page ${s.pages + 1}${s.failure.retryAt ? `, retry ${moment(s.failure.retryAt)}` : ''}`;
    const last = s.lastFinishedAt ? `last run ${moment(s.lastFinishedAt)} (${s.created} created, ${s.updated} updated)` : 'not run yet';
    return `${name}: ${last}${s.nextRunAt ? `, next ${moment(s.nextRunAt)}` : ''}`;
  });
  const error = status.state === 'failing' && status.lastError ? ` (${status.lastError.message})` : '';
  return [`${status.state}${error}`, ...streams].join(' · ');
}

/** `cv-library application → job job_…`: the applicant stays in the store. */
export function intakeSummary(ref: { provider: string }, jobId: string): string {
  return `${ref.provider} application → job ${jobId}`;
}

export function intakeDetails(ref: { provider: string; applicationId: string }, jobId: string): string {
  return `Application \`${ref.applicationId}\` delivered by ${ref.provider} for job \`${jobId}\`. The application waits in the store; this workflow carries ids only.`;
}

/** `Webhooks → https://hooks.example.com (posting.live, application.created)`: the URL's origin only (a path may hold a token). */
export function subscriptionSummary(subscription: { origin: string; eventTypes: readonly string[] }): string {
  return `Webhooks → ${subscription.origin} (${subscription.eventTypes.join(', ')})`;
}

/** A subscription's delivery workflow's start metadata, and a memo with the summary (which outlives continue-as-new). */
export function subscriptionMetadata(subscription: { id: string; url: string; eventTypes: readonly string[] }) {
  const summary = subscriptionSummary({ origin: new URL(subscription.url).origin, eventTypes: subscription.eventTypes });
  return { staticSummary: summary, staticDetails: subscriptionDetails(subscription), memo: { summary } };
}

export function subscriptionDetails(subscription: { id: string }): string {
  return [
    `Signed deliveries of subscription \`${subscription.id}\`, at least once, in order per subject; a failed delivery is retried with backoff for three days.`,
    'Signals: `deliveriesWaiting` (new events), `redeliver` (try now), `subscriptionDeleted`.',
  ].join('\n\n');
}

/** `delivering · 120 delivered by this run · 3 waiting` or `subscriber seems down: next try …`. */
export function deliveryState(progress: { delivered: number; waiting: number; down: boolean; probeAt?: number }): string {
  const head = progress.down ? `subscriber seems down${progress.probeAt ? `: next try ${moment(progress.probeAt)}` : ''}` : 'delivering';
  return `${head} · ${progress.delivered} delivered by this run · ${progress.waiting} waiting`;
}

export const DISPATCH_SUMMARY = 'Event dispatch: wakes webhook deliveries as events are raised';
export const DISPATCH_DETAILS =
  'Watches the outbox for deliveries raised since it last looked and signals each subscription’s delivery workflow (`webhook:<subscriptionId>`), starting it when it is not running.';

/** The retention schedule's runs: what they erase, in words (the period only). */
export function retentionMetadata(months: number) {
  const summary = `Retention: erase candidates idle ${months} months`;
  return {
    staticSummary: summary,
    staticDetails: `Started daily by the schedule: erases every candidate with no activity for ${months} months, as an erasure by request (\`erasedBy: retention\`), and drops the applicant's fields from deliveries received as long ago that were never taken in. What each run did: \`GET /v1/privacy/retention\` and the privacy audit.`,
    memo: { summary },
  };
}
