import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { buildDeps } from '../../src/deps';
import { createLogger } from '../../src/logger';
import { freePort } from '../../src/net';
import { type RunningSandboxes, startSandboxes } from '../../src/providers/sandboxes';
import { startSystem } from '../../src/system';
import { startDevServer } from '../../src/tooling/dev-server';
import { CV_ACCOUNT } from '../fixtures/cv-library';
import { aJob } from '../fixtures/jobs';
import { testServers } from '../helpers/env';
import { waitFor } from '../helpers/wait';

/** `npm start` twice on the same DATA_DIR: its own dev server (SQLite file) and PGlite store, as the CLI wires them. */
describe('a restart keeps the workflows and the data of the previous run', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobrelay-restart-'));
  let sandboxes: RunningSandboxes;
  afterAll(async () => {
    await sandboxes?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function boot(temporalPort: number, apiPort: number) {
    const devServer = await startDevServer({ port: temporalPort, dbFile: path.join(dataDir, 'temporal.db') });
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      PORT: String(apiPort),
      JOBRELAY_API_TOKEN: 't',
      JOBRELAY_ALLOWED_PROVIDER_ORIGINS: 'http://127.0.0.1:*',
      TEMPORAL_ADDRESS: devServer.address,
    });
    const deps = await buildDeps(config, createLogger('silent'));
    const system = await startSystem({ deps, workflowBundle: testServers.workflowBundle() });
    const api = async (method: string, url: string, body?: unknown) => {
      const res = await fetch(`${system.apiUrl}${url}`, {
        method,
        headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    return {
      api,
      system,
      async stop() {
        await system.stop();
        await deps.store.close();
        await devServer.stop();
      },
    };
  }

  it('finds the job, the live posting and its running workflow after a restart, and the workflow still obeys', async () => {
    sandboxes = await startSandboxes(await freePort());
    await fetch(`${sandboxes.urlFor('cv-library')}/_sandbox/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(CV_ACCOUNT),
    });
    const [temporalPort, apiPort] = [await freePort(), await freePort()];

    const first = await boot(temporalPort, apiPort);
    await first.api('PUT', '/v1/boards/cv-library', {
      baseUrl: sandboxes.urlFor('cv-library'),
      credentials: { username: CV_ACCOUNT.username, password: CV_ACCOUNT.password },
      posterEmail: 'jobs@acme.example',
      genericAccount: true,
      jobTypeMapping: { 'full-time': 'Permanent' },
      industryMapping: {},
    });
    const job = (await first.api('POST', '/v1/jobs', aJob())).body;
    const posting = (await first.api('POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library' })).body;
    await waitFor(
      () => first.api('GET', `/v1/postings/${posting.id}`).then((r) => r.body.state),
      (s) => s === 'live',
      30_000,
      'live',
    );
    await first.stop();

    const second = await boot(temporalPort, apiPort);
    try {
      expect((await second.api('GET', `/v1/jobs/${job.id}`)).body.title).toBe(job.title);
      expect((await second.api('GET', `/v1/postings/${posting.id}`)).body.state).toBe('live');
      const described = await second.system.client.workflow.getHandle(posting.workflowId).describe();
      expect(described.status.name).toBe('RUNNING');
      const unposted = await second.api('DELETE', `/v1/postings/${posting.id}`);
      expect(unposted.body.state).toBe('unposted');
    } finally {
      await second.stop();
    }
  });
});
