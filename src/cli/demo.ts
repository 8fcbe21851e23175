import type { RunningSandboxes } from '../providers/sandboxes';

export interface DemoOptions {
  apiUrl: string;
  token: string;
  sandboxes: RunningSandboxes;
  log: (line: string) => void;
}

const DEMO_ACCOUNT = { username: 'demo-company', password: 'demo-posting-password', posterEmails: ['jobs@demo.example'] };

/**
 * A small demo through the public API, as a user would drive it: CV-Library (the sandbox) set up as a
 * board, one job, posted with auto-repost. Idempotent: a restart finds the job and shows its posting.
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

  // The sandbox forgets its accounts on restart; a 409 means it already has this one.
  await fetch(`${sandboxes.urlFor('cv-library')}/_sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_ACCOUNT),
  });
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
  const posting = await call<{ id: string; state: string; workflowId: string }>('POST', `/v1/jobs/${job.id}/postings`, {
    board: 'cv-library',
    autoRepost: true,
  });
  log(`job ${job.id} "${job.title}" → CV-Library posting ${posting.id} (${posting.state}); workflow ${posting.workflowId}`);
  log(`  GET ${apiUrl}/v1/postings/${posting.id}   ·   GET ${apiUrl}/v1/jobs/${job.id}/boards`);
}
