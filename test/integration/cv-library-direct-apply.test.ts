import type http from 'node:http';
import express from 'express';
import { createCvLibraryClient, createCvLibrarySandbox } from '../../src/providers/cv-library';
import type { DeliveryResult } from '../../src/providers/cv-library/sandbox-state';
import { example, shapeDifferences } from '../contracts/shape';
import { sandboxOrigins } from '../helpers/origins';
import { waitFor } from '../helpers/wait';

const POSTER = 'poster@acme.example';
const CREDENTIALS = { username: 'acme-api', password: 'basic-pa55word' };

/** A stand-in for jobrelay's DirectApply webhook: answers the scripted statuses, then 200. */
function startReceiver() {
  const received: Array<{ body: Record<string, unknown>; at: number }> = [];
  const script: number[] = [];
  const app = express()
    .use(express.json({ limit: '5mb' }))
    .post('/applications', (req, res) => {
      received.push({ body: req.body, at: Date.now() });
      const status = script.shift() ?? 200;
      res.status(status).json({ ok: status === 200 });
    });
  return { app, received, script };
}

function listen(app: express.Express): Promise<{ server: http.Server; url: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` }),
    );
  });
}

describe('CV-Library sandbox: DirectApply delivery', () => {
  const receiver = startReceiver();
  const servers: http.Server[] = [];
  let sandboxUrl: string;
  let receiverUrl: string;

  beforeAll(async () => {
    const sandbox = await listen(createCvLibrarySandbox().app);
    const target = await listen(receiver.app);
    servers.push(sandbox.server, target.server);
    sandboxUrl = sandbox.url;
    receiverUrl = target.url;
  });
  afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

  beforeEach(async () => {
    receiver.received.length = 0;
    receiver.script.length = 0;
    await control('/_sandbox/reset');
    await control('/_sandbox/accounts', { ...CREDENTIALS, posterEmails: [POSTER] });
    await control('/_sandbox/delivery', { retryBaseMs: 20, maxAttempts: 4 });
  });

  async function control(path: string, body: unknown = {}, method = 'POST') {
    const res = await fetch(`${sandboxUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { id: string; state: string; deliveries: DeliveryResult[]; error?: string } };
  }

  async function postJob(cvRequired = false) {
    const client = createCvLibraryClient({ baseUrl: sandboxUrl, credentials: CREDENTIALS, posterEmail: POSTER, origins: sandboxOrigins() });
    return client.createJob({
      reference: 'jr-REQ-1042',
      title: 'Payroll Administrator',
      description: '<p>Run payroll.</p>',
      job_type: 'Permanent',
      industry: 'Accounting/Financial/Insurance',
      salary_period: 'annum',
      salary_currency: 'GBP',
      town: 'Leeds',
      postcode: 'LS1 4AP',
      country: 'GB',
      poster_email: POSTER,
      direct_apply_url: `${receiverUrl}/applications`,
      cv_required: cvRequired,
      duration_days: 28,
    });
  }

  it('delivers an application for the job to its DirectApply URL, in the documented shape', async () => {
    const { jobId } = await postJob();
    const res = await control(`/_sandbox/jobs/${jobId}/applications`, { first_name: 'Amelia', last_name: 'Khan', cv: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'delivered', deliveries: [{ attempts: [200], delivered: true }] });
    expect(receiver.received).toHaveLength(1);
    const application = receiver.received[0].body as Record<string, any>;
    expect(shapeDifferences(application, example('cv-library-direct-apply'), { optional: ['email', 'cv'] })).toEqual([]);
    expect(application).toMatchObject({
      id: res.body.id,
      direct_apply_jobid: 'jr-REQ-1042',
      job_title: 'Payroll Administrator',
      first_name: 'Amelia',
      last_name: 'Khan',
    });
    expect(application.email).toMatch(/@example\.com$/);
    const pdf = Buffer.from(application.cv.content, 'base64').toString('latin1');
    expect(application.cv).toMatchObject({ content_type: 'application/pdf', filename: 'Amelia-Khan-CV.pdf' });
    expect(pdf).toMatch(/^%PDF-1\.4\n[\s\S]*startxref\n\d+\n%%EOF\n$/);
    // The cross-reference offset points at the xref table, as a PDF reader expects.
    expect(pdf.slice(Number(/startxref\n(\d+)/.exec(pdf)![1])).startsWith('xref')).toBe(true);
  });

  it('retries with growing waits until the receiver answers 200', async () => {
    const { jobId } = await postJob();
    receiver.script.push(500, 503);
    const res = await control(`/_sandbox/jobs/${jobId}/applications`);
    expect(res.body).toMatchObject({ state: 'delivered', deliveries: [{ attempts: [500, 503, 200], delivered: true }] });
    const [a, b, c] = receiver.received.map((r) => r.at);
    expect(b - a).toBeGreaterThanOrEqual(18);
    expect(c - b).toBeGreaterThanOrEqual(38);
    expect(new Set(receiver.received.map((r) => r.body.id)).size).toBe(1);
  });

  it('gives up after the configured attempts', async () => {
    const { jobId } = await postJob();
    receiver.script.push(500, 500, 500, 500, 500);
    const res = await control(`/_sandbox/jobs/${jobId}/applications`, { email: null });
    expect(res.body).toMatchObject({ state: 'failed', deliveries: [{ attempts: [500, 500, 500, 500], delivered: false }] });
    expect(receiver.received[0].body).not.toHaveProperty('email');
  });

  it('delivers a duplicated application as many times as asked, all with one id', async () => {
    const { jobId } = await postJob();
    const res = await control(`/_sandbox/jobs/${jobId}/applications`, { duplicate: 3, id: 'app-77' });
    expect(res.body.deliveries).toEqual([1, 2, 3].map(() => ({ attempts: [200], delivered: true })));
    expect(receiver.received.map((r) => r.body.id)).toEqual(['app-77', 'app-77', 'app-77']);
  });

  it('answers 202 at once when asked not to wait, and reports the delivery when polled', async () => {
    const { jobId } = await postJob();
    receiver.script.push(500);
    const accepted = await control(`/_sandbox/jobs/${jobId}/applications`, { wait: false });
    expect(accepted).toMatchObject({ status: 202, body: { state: 'delivering' } });
    const polled = await waitFor(
      () => control(`/_sandbox/applications/${accepted.body.id}`, undefined, 'GET'),
      (r) => r.body.state !== 'delivering',
      10_000,
      'the delivery to finish',
    );
    expect(polled.body).toMatchObject({ state: 'delivered', deliveries: [{ attempts: [500, 200], delivered: true }] });
  });

  it('requires a CV when quick apply is off, and attaches one by default', async () => {
    const { jobId } = await postJob(true);
    const refused = await control(`/_sandbox/jobs/${jobId}/applications`, { cv: false });
    expect(refused).toMatchObject({ status: 422, body: { error: 'invalid_field' } });
    const res = await control(`/_sandbox/jobs/${jobId}/applications`);
    expect(res.body.state).toBe('delivered');
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0].body.cv).toMatchObject({ content_type: 'application/pdf' });
  });

  it('takes no application for a job that is gone or unknown', async () => {
    const { jobId } = await postJob();
    await control('/_sandbox/clock', { advanceMs: 28 * 86_400_000 });
    expect((await control(`/_sandbox/jobs/${jobId}/applications`)).status).toBe(409);
    expect((await control('/_sandbox/jobs/123/applications')).status).toBe(404);
    expect(receiver.received).toEqual([]);
  });
});
