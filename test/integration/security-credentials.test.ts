import type { LookupAddress } from 'node:dns';
import type http from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import express from 'express';
import { createCvLibraryClient } from '../../src/providers/cv-library/client';
import { SANDBOX_API_KEY } from '../../src/providers/lever/sandbox';
import { OriginPolicy, proxyFromEnvironment } from '../../src/providers/origins';
import { leverConnector, waitForRuns } from '../fixtures/connectors';
import { CV_ACCOUNT, setUpCvLibrary } from '../fixtures/cv-library';
import { postLiveJob } from '../fixtures/direct-apply';
import { runLeverSandbox } from '../fixtures/lever';
import { startConnectProxy } from '../helpers/connect-proxy';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

/** A server on loopback that records everything sent to it: where a stolen credential would land. */
async function listener() {
  const seen: string[] = [];
  const app = express();
  app.use(express.raw({ type: () => true }));
  app.use((req, res) => {
    seen.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)} ${Buffer.isBuffer(req.body) ? req.body.toString('utf8') : ''}`);
    res.status(401).json({ error: 'internal-only: db password is hunter2', message: 'SECRET BODY FROM AN INTERNAL HOST' });
  });
  const server: http.Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describeEachStore('stored credentials go only to the origin they were saved for', (store) => {
  let t: TestSystem;
  let trap: Awaited<ReturnType<typeof listener>>;
  let lever: Awaited<ReturnType<typeof runLeverSandbox>>;

  beforeAll(async () => {
    t = await startTestSystem({}, { store });
    trap = await listener();
    lever = await runLeverSandbox();
  });
  afterAll(async () => {
    await lever?.close();
    await trap?.close();
    await t?.stop();
  });

  it('a connector cannot be repointed without its credentials, and the sync never sends the Lever key elsewhere', async () => {
    const created = await t.api('POST', '/v1/connectors', leverConnector(lever.baseUrl, SANDBOX_API_KEY));
    expect(created.status).toBe(201);
    const id = created.body.id;
    await waitForRuns(t, id, 1);

    const moved = await t.api('PATCH', `/v1/connectors/${id}`, { settings: { baseUrl: `${trap.url}/v1` } });
    expect(moved.status).toBe(422);
    expect(moved.body.error).toMatch(/send the credentials for it in the same request/);
    expect((await t.api('GET', `/v1/connectors/${id}`)).body.settings.baseUrl).toBe(lever.baseUrl);

    // The loop keeps syncing where the key was saved for; the trap sees nothing.
    expect((await t.api('POST', `/v1/connectors/${id}/sync`, {})).status).toBe(202);
    await waitForRuns(t, id, 2);
    expect((await t.api('POST', `/v1/connectors/${id}/test`, {})).body.ok).toBe(true);
    expect(trap.seen).toEqual([]);
  });

  it('refuses origins that are not the provider’s nor allowed: metadata, private, other schemes, look-alikes', async () => {
    for (const baseUrl of [
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.8/v1',
      'http://127.0.0.2:8080/v1',
      'https://api.lever.co.attacker.example/v1',
      'http://api.lever.co/v1',
      'https://user:pass@api.lever.co/v1',
    ]) {
      const res = await t.api('POST', '/v1/connectors', leverConnector(baseUrl, SANDBOX_API_KEY));
      expect([baseUrl, res.status]).toEqual([baseUrl, 422]);
    }
    for (const baseUrl of ['file:///etc/passwd', 'gopher://127.0.0.1:25/', 'javascript:alert(1)']) {
      const res = await t.api('POST', '/v1/connectors', leverConnector(baseUrl, SANDBOX_API_KEY));
      expect([baseUrl, res.status]).toEqual([baseUrl, 400]);
    }
    // Lever's documented sandbox is one of its own origins.
    const sandbox = await t.api('POST', '/v1/connectors', leverConnector('https://api.sandbox.lever.co/v1', 'sandbox-key-0001'));
    expect(sandbox.status).toBe(201);
    await t.api('POST', `/v1/connectors/${sandbox.body.id}/pause`, {});
  });

  it('a connection test reports pass/fail and the error class, never the answering host’s body', async () => {
    // Entering new credentials with the new address is what the owner of those credentials may do.
    const created = await t.api('POST', '/v1/connectors', leverConnector(`${trap.url}/v1`, 'a-key-for-the-trap'));
    expect(created.status).toBe(201);
    const report = await t.api('POST', `/v1/connectors/${created.body.id}/test`, {});
    expect(report.status).toBe(200);
    expect(report.body.ok).toBe(false);
    expect(report.body.checks[0]).toEqual({ name: 'API key', ok: false, detail: 'ProviderAuthError (HTTP 401)' });
    expect(JSON.stringify(report.body)).not.toMatch(/hunter2|SECRET BODY/);
    await t.api('POST', `/v1/connectors/${created.body.id}/pause`, {});
    // A page the loop began before the pause still goes to the trap: the next test counts from after it.
    const loop = t.system.client.workflow.getHandle(`sync:${created.body.id}`);
    await waitFor(
      () => loop.describe(),
      (d) => (d.raw.pendingActivities ?? []).length === 0,
      30_000,
      'the paused loop’s page to end',
    );
    trap.seen.length = 0;
  });

  it('repointing the board sends neither the recruiters’ passwords nor a posting’s DirectApply token to the new host', async () => {
    await setUpCvLibrary(t, { genericAccount: false });
    const recruiter = await t.api('PUT', '/v1/boards/cv-library/accounts/priya.shah@example.com', {
      credentials: { username: CV_ACCOUNT.username, password: CV_ACCOUNT.password },
      posterEmail: 'priya.shah@example.com',
    });
    expect(recruiter.status).toBe(200);
    const posting = await postLiveJob(t);
    const token = new URL(posting.directApplyUrl).searchParams.get('token')!;

    // Without credentials the board cannot move at all.
    const refused = await t.api('PUT', '/v1/boards/cv-library', {
      baseUrl: trap.url,
      genericAccount: false,
      jobTypeMapping: { 'full-time': 'Permanent' },
      industryMapping: {},
    });
    expect([400, 422]).toContain(refused.status);
    // An admin moving it with the generic credentials of the new host: the recruiters' stay bound to the old one.
    const moved = await t.api('PUT', '/v1/boards/cv-library', {
      baseUrl: trap.url,
      credentials: { username: 'new-host-user', password: 'new-host-password' },
      genericAccount: false,
      jobTypeMapping: { 'full-time': 'Permanent' },
      industryMapping: {},
    });
    expect(moved.status).toBe(200);

    // Editing the job amends the live posting: refused before anything is sent, and shown on the posting.
    expect((await t.api('PATCH', `/v1/jobs/${posting.jobId}`, { title: 'Senior Payroll Administrator' })).status).toBe(200);
    const refusal = await waitFor(
      () => t.api('GET', `/v1/postings/${posting.id}`).then((r) => r.body.lastError as string | undefined),
      (lastError) => Boolean(lastError),
      30_000,
      'the amend to be refused',
    );
    expect(refusal).toMatch(/saved for http:\/\/127\.0\.0\.1:\d+, not http:\/\/127\.0\.0\.1:\d+: enter them again/);
    // A repost or an unpost is refused the same way: nothing reaches the new host.
    expect((await t.api('POST', `/v1/postings/${posting.id}/repost`)).status).toBe(409);
    const all = trap.seen.join('\n');
    expect(all).not.toContain(CV_ACCOUNT.password);
    expect(all).not.toContain(token);
    expect(trap.seen).toEqual([]);
  });
});

/** A board on loopback that answers every request with no jobs, and records what reached it. */
async function boardAnswering() {
  const served: string[] = [];
  const app = express().use((req, res) => {
    served.push(req.url);
    res.json({ jobs: [] });
  });
  const server: http.Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, port: (server.address() as { port: number }).port, served };
}

describe('the origin policy on every request and connection', () => {
  it('refuses a name that resolves to a non-public address when it is asked (DNS rebinding), before anything is sent', async () => {
    const { server, port, served } = await boardAnswering();
    // The operator allowed ats.example.test; its name now resolves to loopback (or 169.254.169.254).
    const rebinding = ((_host: string, _opts: unknown, cb: (err: null, a: LookupAddress[]) => void) =>
      cb(null, [{ address: '127.0.0.1', family: 4 }])) as never;
    const origins = new OriginPolicy([`https://ats.example.test:${port}`], rebinding);
    const client = createCvLibraryClient({
      baseUrl: `https://ats.example.test:${port}`,
      credentials: { username: 'u', password: 'p-secret' },
      posterEmail: 'jobs@acme.example',
      origins,
      timeoutMs: 3000,
    });
    const err = await client.listLiveJobs().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as Error).message).toMatch(/resolved to 127\.0\.0\.1, an address not allowed/);
    expect(served).toEqual([]);
    await new Promise((resolve) => server.close(resolve));
  });

  it('goes through the egress proxy as a CONNECT tunnel, and checks the name here first: a refused one reaches neither', async () => {
    const { server: target, port: targetPort, served } = await boardAnswering();
    const proxy = await startConnectProxy();
    const { tunnels } = proxy;
    const proxyUrl = proxy.url;
    const client = (baseUrl: string, origins: OriginPolicy) =>
      createCvLibraryClient({
        baseUrl,
        credentials: { username: 'u', password: 'p-secret' },
        posterEmail: 'jobs@acme.example',
        origins,
        timeoutMs: 3000,
      });

    await client(
      `http://127.0.0.1:${targetPort}`,
      new OriginPolicy(['http://127.0.0.1:*'], undefined, undefined, () => proxyUrl),
    ).listLiveJobs();
    expect(tunnels).toEqual([`127.0.0.1:${targetPort}`]);
    expect(served).toHaveLength(1);

    // An allowed name that resolves to loopback: refused here, so the proxy is never asked to reach it.
    const rebinding = ((_host: string, _opts: unknown, cb: (err: null, a: LookupAddress[]) => void) =>
      cb(null, [{ address: '127.0.0.1', family: 4 }])) as never;
    const origins = new OriginPolicy([`https://ats.example.test:${targetPort}`], rebinding, undefined, () => proxyUrl);
    const err = await client(`https://ats.example.test:${targetPort}`, origins)
      .listLiveJobs()
      .catch((e: unknown) => e);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as Error).message).toMatch(/resolved to 127\.0\.0\.1, an address not allowed/);
    expect(tunnels).toHaveLength(1);
    expect(served).toHaveLength(1);
    await new Promise((resolve) => target.close(resolve));
    await proxy.close();
  });

  it('takes the proxy from HTTPS_PROXY, HTTP_PROXY and NO_PROXY, and never sends loopback through it', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, {
        HTTPS_PROXY: 'http://egress.corp.example:3128',
        HTTP_PROXY: 'http://egress.corp.example:3128',
        NO_PROXY: '.ats.corp.example',
      });
      expect(proxyFromEnvironment('https://api.lever.co/v1/opportunities')).toBe('http://egress.corp.example:3128');
      expect(proxyFromEnvironment('https://erecruiter.ats.corp.example/api')).toBeUndefined();
      for (const local of ['http://127.0.0.1:4010/cv-library', 'http://localhost:4010', 'http://[::1]:4010'])
        expect(proxyFromEnvironment(local)).toBeUndefined();
    } finally {
      for (const key of ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY']) if (saved[key] === undefined) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it('keeps a client on its origin: no redirects followed, no other host', async () => {
    const origins = new OriginPolicy(['http://127.0.0.1:*']);
    expect(origins.refusal(['https://api.cv-library.co.uk'], 'https://api.cv-library.co.uk')).toBeUndefined();
    expect(origins.refusal(['https://api.cv-library.co.uk'], 'http://127.0.0.1:4010/cv-library')).toBeUndefined();
    expect(origins.refusal(['https://api.cv-library.co.uk'], 'http://localhost:4010')).toMatch(/JOBRELAY_ALLOWED_PROVIDER_ORIGINS/);
    expect(() => new OriginPolicy(['http://10.0.0.5:80'])).toThrow(/loopback only/);
    expect(new OriginPolicy(['https://10.0.0.5']).refusal([], 'https://10.0.0.5/api')).toBeUndefined();
  });
});
