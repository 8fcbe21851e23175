import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, isPortFree } from '../../src/net';
import { type RunningSandboxes, startSandboxes } from '../../src/providers/sandboxes';
import { CV_ACCOUNT } from '../fixtures/cv-library';
import { aJob } from '../fixtures/jobs';
import { LOOPBACK_SANDBOXES } from '../helpers/origins';
import { waitFor } from '../helpers/wait';

const ROOT = path.resolve(__dirname, '../..');

interface Started {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** `npm start` (or the node process it ends in) as a person runs it: its own process group, like a terminal's job. */
function start(command: 'npm start' | 'node', env: Record<string, string>): Started {
  let output = '';
  const { JOBRELAY_API_TOKEN: _token, DATABASE_URL: _db, ...inherited } = process.env;
  const [file, args] = command === 'npm start' ? ['npm', ['start']] : [process.execPath, ['--import', 'tsx', 'src/cli/start.ts']];
  const child = spawn(file, args, {
    cwd: ROOT,
    env: { ...inherited, NODE_OPTIONS: '', DEMO: 'false', LOG_LEVEL: 'warn', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function untilRunning(s: Started): Promise<void> {
  await waitFor(
    async () => s.output(),
    (out) => out.includes('jobrelay is running') || s.child.exitCode !== null,
    90_000,
    'jobrelay to start',
  );
  if (s.child.exitCode !== null) throw new Error(`jobrelay exited with ${s.child.exitCode}:\n${s.output()}`);
}

/** Ctrl-C to the whole process group, as a terminal sends it (cleanup after a test). */
function interruptGroup(s: Started) {
  if (s.child.pid && s.child.exitCode === null) process.kill(-s.child.pid, 'SIGINT');
}

/** Processes whose command line contains `text` (read from /proc; nothing is signalled). */
function processesWith(text: string): Array<{ pid: number; ppid: number }> {
  const found: Array<{ pid: number; ppid: number }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!cmdline.includes(text)) continue;
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]);
      found.push({ pid: Number(entry), ppid });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** The Temporal dev server `npm start` runs for this data dir, and the jobrelay node process that started it. */
const temporalOf = (dataDir: string) => processesWith(`--db-filename ${path.join(dataDir, 'temporal.db')}`);

const untilTemporalStopped = (dataDir: string) =>
  waitFor(
    async () => temporalOf(dataDir),
    (found) => found.length === 0,
    20_000,
    'the Temporal dev server to stop',
  );

async function freePorts() {
  const ports = {
    PORT: await freePort(),
    TEMPORAL_PORT: await freePort(),
    TEMPORAL_UI_PORT: await freePort(),
    SANDBOX_PORT: await freePort(),
  };
  return { ports, env: Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
}

describe('npm start, as a person meets it', () => {
  const dataDirs: string[] = [];
  const newDataDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobrelay-cli-'));
    dataDirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stops on a wrong setting with exit code 1 and one line naming the variable, no stack', async () => {
    const run = start('npm start', { PORT: 'eighty', DATA_DIR: newDataDir() });
    expect(await run.exited).toBe(1);
    // npm's own lines (`> jobrelay@… start`) aside, jobrelay says one thing.
    const ours = run
      .output()
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('> '));
    expect(ours).toEqual([expect.stringMatching(/^jobrelay could not start: invalid configuration: PORT="eighty": /)]);
    expect(run.output()).not.toMatch(/^\s+at /m);
  });

  it('brings up the API, docs and Temporal UI; a second start names the busy port; Ctrl-C leaves nothing behind', async () => {
    const { ports, env } = await freePorts();
    const dataDir = newDataDir();
    const first = start('node', { ...env, DATA_DIR: dataDir, JOBRELAY_API_TOKEN: 'cli-token' });
    try {
      await untilRunning(first);
      expect(first.output()).toContain(`API docs       http://127.0.0.1:${ports.PORT}/docs`);
      expect((await fetch(`http://127.0.0.1:${ports.PORT}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${ports.PORT}/docs`)).status).toBe(200);
      expect(first.output()).toContain(`Careers site   http://127.0.0.1:${ports.PORT}/careers`);
      expect((await fetch(`http://127.0.0.1:${ports.PORT}/careers`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/`)).status).toBe(200);

      const second = start('node', { ...env, DATA_DIR: dataDir, JOBRELAY_API_TOKEN: 'cli-token' });
      expect(await second.exited).toBe(1);
      expect(second.output()).toMatch(new RegExp(`port ${ports.PORT} \\(PORT \\(API\\)\\) is already in use`));
      expect(second.output()).not.toMatch(/\n\s+at /);
    } finally {
      interruptGroup(first);
    }
    expect(await first.exited).toBe(0);
    for (const port of Object.values(ports)) expect(await isPortFree(port)).toBe(true);
    expect(temporalOf(dataDir)).toEqual([]);
  });

  it('leaves no Temporal process when Ctrl-C reaches the node process alone while it is still starting', async () => {
    const { env } = await freePorts();
    const dataDir = newDataDir();
    const run = start('npm start', { ...env, DATA_DIR: dataDir });
    try {
      const [temporal] = await waitFor(
        async () => temporalOf(dataDir),
        (found) => found.length > 0 || run.child.exitCode !== null,
        60_000,
        'the Temporal dev server to be spawned',
      );
      expect(run.output()).not.toContain('jobrelay is running');
      process.kill(temporal.ppid, 'SIGINT'); // the jobrelay node process, not its group
      expect(await run.exited).toBe(0);
      await untilTemporalStopped(dataDir);
    } finally {
      interruptGroup(run);
    }
  });

  describe('a restart through the start script', () => {
    let sandboxes: RunningSandboxes;
    beforeAll(async () => {
      // The board lives outside jobrelay (as CV-Library does), so it keeps its jobs across jobrelay's restart.
      sandboxes = await startSandboxes(await freePort());
      await fetch(`${sandboxes.urlFor('cv-library')}/_sandbox/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(CV_ACCOUNT),
      });
    });
    afterAll(() => sandboxes?.close());

    it('keeps the generated API token, the jobs, the postings and a running workflow that still obeys; Ctrl-C to node alone stops Temporal', async () => {
      const { ports, env } = await freePorts();
      const dataDir = newDataDir();
      const apiUrl = `http://127.0.0.1:${ports.PORT}`;
      const api = async (token: string, method: string, url: string, body?: unknown) => {
        const res = await fetch(`${apiUrl}${url}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as any };
      };
      const tokenOf = (run: Started) => /API token\s+(\S+)\s+\(generated/.exec(run.output())?.[1];
      const boardJobs = async () =>
        ((await (await fetch(`${sandboxes.urlFor('cv-library')}/_sandbox/jobs`)).json()) as { jobs: Array<Record<string, any>> }).jobs;

      // The board is a sandbox of this test's own on loopback: an origin credentials may be sent to.
      const runEnv = { ...env, DATA_DIR: dataDir, JOBRELAY_ALLOWED_PROVIDER_ORIGINS: LOOPBACK_SANDBOXES };
      const first = start('npm start', runEnv);
      let token: string;
      let job: { id: string; title: string };
      let posting: { id: string; workflowId: string; externalId: string };
      try {
        await untilRunning(first);
        token = tokenOf(first)!;
        expect(token).toMatch(/^jr_/);
        await api(token, 'PUT', '/v1/boards/cv-library', {
          baseUrl: sandboxes.urlFor('cv-library'),
          credentials: { username: CV_ACCOUNT.username, password: CV_ACCOUNT.password },
          posterEmail: 'jobs@acme.example',
          genericAccount: true,
          jobTypeMapping: { 'full-time': 'Permanent' },
          industryMapping: {},
        });
        job = (await api(token, 'POST', '/v1/jobs', aJob())).body;
        const accepted = (await api(token, 'POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library' })).body;
        posting = await waitFor(
          () => api(token, 'GET', `/v1/postings/${accepted.id}`).then((r) => r.body),
          (p) => p.state === 'live',
          30_000,
          'the posting live',
        );

        // Ctrl-C to the jobrelay node process alone: it stops, and so does its Temporal dev server.
        const [temporal] = temporalOf(dataDir);
        process.kill(temporal.ppid, 'SIGINT');
        expect(await first.exited).toBe(0);
        await untilTemporalStopped(dataDir);
        for (const port of Object.values(ports)) expect(await isPortFree(port)).toBe(true);
      } finally {
        interruptGroup(first);
      }

      const second = start('npm start', runEnv);
      try {
        await untilRunning(second);
        expect(tokenOf(second)).toBe(token);
        expect((await api(token, 'GET', `/v1/jobs/${job.id}`)).body.title).toBe(job.title);
        expect((await api(token, 'GET', `/v1/postings/${posting.id}`)).body).toMatchObject({
          state: 'live',
          externalId: posting.externalId,
        });
        // The workflow that held the posting before the restart is still there, and still acts.
        const unposted = await api(token, 'DELETE', `/v1/postings/${posting.id}`);
        expect(unposted.body.state).toBe('unposted');
        expect((await boardJobs()).find((j) => String(j.job_id) === posting.externalId)?.status).toBe('deleted');
        const { events } = (await api(token, 'GET', `/v1/postings/${posting.id}`)).body;
        expect(events.at(-1)).toMatchObject({ kind: 'unposted', details: { outcome: 'deleted' } });
      } finally {
        interruptGroup(second);
      }
      await second.exited; // npm itself ends by the signal, as it does at a terminal
      await untilTemporalStopped(dataDir);
    });
  });
});
