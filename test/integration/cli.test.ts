import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, isPortFree } from '../../src/net';
import { waitFor } from '../helpers/wait';

const ROOT = path.resolve(__dirname, '../..');

/** `npm start` as a person runs it: its own dev server and UI, the API, and Ctrl-C (SIGINT to the process group). */
describe('npm start', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobrelay-cli-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  function start(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
    let output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/start.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...env,
        NODE_OPTIONS: '',
        DATA_DIR: dataDir,
        DEMO: 'false',
        LOG_LEVEL: 'warn',
        JOBRELAY_API_TOKEN: 'cli-token',
      },
      detached: true, // its own process group, like a terminal's foreground job
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, output: () => output, exited };
  }

  it('brings up the API, docs and Temporal UI; a second start names the busy port; Ctrl-C leaves nothing behind', async () => {
    const ports = {
      PORT: await freePort(),
      TEMPORAL_PORT: await freePort(),
      TEMPORAL_UI_PORT: await freePort(),
      SANDBOX_PORT: await freePort(),
    };
    const env = Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)]));
    const first = start(env);
    try {
      await waitFor(
        async () => first.output(),
        (out) => out.includes('jobrelay is running') || first.child.exitCode !== null,
        90_000,
        'npm start',
      );
      expect(first.output()).toContain(`API docs       http://127.0.0.1:${ports.PORT}/docs`);
      expect((await fetch(`http://127.0.0.1:${ports.PORT}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${ports.PORT}/docs`)).status).toBe(200);
      expect(first.output()).toContain(`Careers site   http://127.0.0.1:${ports.PORT}/careers`);
      expect((await fetch(`http://127.0.0.1:${ports.PORT}/careers`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/`)).status).toBe(200);

      const second = start(env);
      expect(await second.exited).toBe(1);
      expect(second.output()).toMatch(new RegExp(`port ${ports.PORT} \\(PORT \\(API\\)\\) is already in use`));
      expect(second.output()).not.toMatch(/\n\s+at /);
    } finally {
      if (first.child.pid && first.child.exitCode === null) process.kill(-first.child.pid, 'SIGINT');
    }
    expect(await first.exited).toBe(0);
    for (const port of Object.values(ports)) expect(await isPortFree(port)).toBe(true);
  });
});
