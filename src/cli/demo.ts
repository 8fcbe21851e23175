import type { RunningSandboxes } from '../providers/sandboxes';
import { runRelayDemo } from './demo-relay';

export interface DemoOptions {
  apiUrl: string;
  token: string;
  sandboxes: RunningSandboxes;
  log: (line: string) => void;
}

type Call = <T = { id: string }>(method: string, path: string, body?: unknown) => Promise<T>;
type DemoContext = DemoOptions & { call: Call };

const DEMO_ACCOUNT = { username: 'demo-company', password: 'demo-posting-password', posterEmails: ['jobs@demo.example'] };

/**
 * A small demo through the public API, as a user would drive it: CV-Library (the sandbox) set up as a
 * board, one job posted with auto-repost, and one DirectApply application from the board. Idempotent: a
 * restart finds the job and shows its posting.
 */
export async function runDemo({ apiUrl, token, sandboxes, log }: DemoOptions): Promise<void> {
  const call = async <T = { id: string }>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };

  // Settings the user changed since may refuse the demo's posting: that is theirs to see, not a reason to stop.
  await cvLibraryDemo({ call, sandboxes, apiUrl, token, log }).catch((err: Error) => log(`CV-Library part skipped: ${err.message}`));

  // A Lever account (the sandbox, seeded afresh at each start) connected once: its jobs and candidates flow in every 15 minutes.
  await fetch(`${sandboxes.urlFor('lever')}/_sandbox/seed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ postings: 40, opportunities: 60, resumes: true }),
  });
  const connectors = await call<{ items: Array<{ id: string; name: string }> }>('GET', '/v1/connectors?provider=lever');
  const connector =
    connectors.items.find((c) => c.name === 'Demo Lever') ??
    (await call<{ id: string }>('POST', '/v1/connectors', {
      provider: 'lever',
      name: 'Demo Lever',
      credentials: { apiKey: 'lever-sandbox-key' },
      settings: {
        baseUrl: `${sandboxes.urlFor('lever')}/v1`,
        companyCode: 'acme',
        postingState: 'published',
        distributionChannel: 'public',
        syncResumes: true,
        importUnknownCandidates: true,
        jobsStartDate: '2020-01-01',
        candidatesStartDate: '2020-01-01',
      },
    }));
  log(`Lever connector ${connector.id} syncs the Lever sandbox every 15 minutes: GET ${apiUrl}/v1/connectors/${connector.id}`);

  // A SmartRecruiters account (its sandbox, seeded afresh at each start): public postings and, with the key,
  // candidates with their statuses and résumés; swept daily at 03:00 UTC for what the 15-minute cycles miss.
  await fetch(`${sandboxes.urlFor('smartrecruiters')}/_sandbox/seed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ postings: 10, candidates: 30, resumes: true }),
  });
  const srConnectors = await call<{ items: Array<{ id: string; name: string }> }>('GET', '/v1/connectors?provider=smartrecruiters');
  const sr =
    srConnectors.items.find((c) => c.name === 'Demo SmartRecruiters') ??
    (await call<{ id: string }>('POST', '/v1/connectors', {
      provider: 'smartrecruiters',
      name: 'Demo SmartRecruiters',
      credentials: { apiKey: 'smartrecruiters-sandbox-key' },
      settings: {
        baseUrl: sandboxes.urlFor('smartrecruiters'),
        companyIdentifier: 'AcmeCorp',
        syncResumes: true,
        parseResumes: true,
        candidatesStartDate: '2020-01-01',
      },
    }));
  log(`SmartRecruiters connector ${sr.id} syncs the SmartRecruiters sandbox every 15 minutes: GET ${apiUrl}/v1/connectors/${sr.id}`);

  await runRelayDemo({ call, sandboxes, apiUrl, log });

  // The careers site: branded once (a later PUT by the user is kept), showing the synced Lever jobs and the API's.
  const careers = await call<{ updatedAt?: string }>('GET', '/v1/careers/settings');
  if (!careers.updatedAt) {
    await call('PUT', '/v1/careers/settings', {
      companyName: 'Acme',
      colours: { primary: '#0f5132', background: '#ffffff', text: '#1f2937' },
      intro:
        'We build payroll software that 4,000 companies trust.\n\nEvery job below comes from our ATS and is updated whenever it changes there.',
    });
  }
  log(`careers site ${apiUrl}/careers (the Lever and SmartRecruiters jobs appear when the connectors' first syncs finish)`);
}

/** CV-Library (the sandbox) set up as the board once, the demo job posted with auto-repost, and one DirectApply application. */
async function cvLibraryDemo({ call, sandboxes, apiUrl, token, log }: DemoContext): Promise<void> {
  // The sandbox forgets its accounts on restart; a 409 means it already has this one.
  await fetch(`${sandboxes.urlFor('cv-library')}/_sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_ACCOUNT),
  });
  // The board is the demo's the first time only: settings a user saved since (their own account) are kept.
  const board = await fetch(`${apiUrl}/v1/boards/cv-library`, { headers: { authorization: `Bearer ${token}` } });
  if (board.status === 200) {
    const { baseUrl, credentials } = (await board.json()) as { baseUrl?: string; credentials?: { username?: string } };
    if (baseUrl !== sandboxes.urlFor('cv-library') || credentials?.username !== DEMO_ACCOUNT.username) {
      log('CV-Library is set up with your own settings: the demo leaves them and posts nothing there');
      return;
    }
  } else {
    await call('PUT', '/v1/boards/cv-library', {
      baseUrl: sandboxes.urlFor('cv-library'),
      credentials: { username: DEMO_ACCOUNT.username, password: DEMO_ACCOUNT.password },
      posterEmail: 'jobs@demo.example',
      genericAccount: true,
      jobTypeMapping: {
        'full-time': 'Permanent',
        'part-time': 'Part time',
        contract: 'Contract',
        temporary: 'Temporary',
        apprenticeship: 'Apprenticeship',
      },
      industryMapping: { finance: 'Accounting/Financial/Insurance', engineering: 'Engineering', it: 'IT' },
      repostLeadDays: 1,
    });
  }

  const existing = await call<{ items: Array<{ id: string; title: string }> }>('GET', '/v1/jobs?reference=DEMO-1');
  const job =
    existing.items[0] ??
    (await call<{ id: string; title: string }>('POST', '/v1/jobs', {
      reference: 'DEMO-1',
      title: 'Senior Payroll Administrator',
      description: '<p>Run payroll for 1,200 staff across three sites.</p>',
      location: { city: 'Leeds', region: 'West Yorkshire', postcode: 'LS1 4AP', country: 'GB' },
      salary: { min: 32000, max: 38000, currency: 'GBP', period: 'annum' },
      employmentStatus: 'full-time',
      category: 'finance',
      recruiter: { name: 'Priya Shah', email: 'priya.shah@demo.example' },
    }));
  let posting = await call<{ id: string; state: string; workflowId: string }>('POST', `/v1/jobs/${job.id}/postings`, {
    board: 'cv-library',
    autoRepost: true,
  });
  // After a restart the sandbox board is empty again: a repost puts the demo job back on it (as a real repost would).
  if (posting.state === 'live') posting = await call('POST', `/v1/postings/${posting.id}/repost`);
  log(`job ${job.id} "${job.title}" → CV-Library posting ${posting.id}; workflow ${posting.workflowId}`);

  // A candidate applies on CV-Library: the sandbox board delivers it to the posting's DirectApply URL.
  const live = await until(
    () => call<{ state: string; externalId?: string }>('GET', `/v1/postings/${posting.id}`),
    (p) => p.state === 'live',
  );
  const applications = await call<{ items: unknown[] }>('GET', `/v1/applications?jobId=${job.id}`);
  if (live?.externalId && applications.items.length === 0) {
    await fetch(`${sandboxes.urlFor('cv-library')}/_sandbox/jobs/${live.externalId}/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        first_name: 'Amelia',
        last_name: 'Clarke',
        email: 'amelia.clarke@demo.example',
        town: 'Leeds',
        county: 'West Yorkshire',
        postcode: 'LS6 2AB',
        cv: true,
      }),
    });
  }
  log(
    `  GET ${apiUrl}/v1/postings/${posting.id}   ·   GET ${apiUrl}/v1/jobs/${job.id}/boards   ·   GET ${apiUrl}/v1/applications?jobId=${job.id}`,
  );
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}
