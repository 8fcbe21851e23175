import type { RunningSandboxes } from '../providers/sandboxes';

export interface DemoOptions {
  apiUrl: string;
  token: string;
  sandboxes: RunningSandboxes;
  log: (line: string) => void;
}

/** A small demo through the public API, so a first `npm start` shows something in the Temporal UI. */
export async function runDemo({ apiUrl, token, log }: DemoOptions): Promise<void> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const res = await fetch(`${apiUrl}/v1/jobs`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      reference: 'DEMO-1',
      title: 'Senior Payroll Administrator',
      description: '<p>Run payroll for 1,200 staff across three sites.</p>',
      location: { city: 'Leeds', region: 'West Yorkshire', postcode: 'LS1 4AP', country: 'GB' },
      salary: { min: 32000, max: 38000, currency: 'GBP', period: 'annum' },
      employmentStatus: 'full-time',
      category: 'finance',
      recruiter: { name: 'Priya Shah', email: 'priya.shah@example.com' },
    }),
  });
  if (!res.ok) throw new Error(`demo: POST /v1/jobs answered ${res.status}: ${await res.text()}`);
  const job = (await res.json()) as { id: string };
  log(`created job ${job.id} (GET ${apiUrl}/v1/jobs/${job.id})`);
}
