import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

// The peer: the Singer tap tap-lever from PyPI, pinned, in a git-ignored venv, run through run_tap.py (which sends
// its requests to the sandbox). Anything missing (Python, venv, pip, PyPI) stops the bench with what to do.

export const TAP_VERSION = '1.1.0';
const REPO = path.resolve(__dirname, '../..');
const VENV = path.join(REPO, '.bench', 'peer-venv');
const WRAPPER = path.join(__dirname, 'run_tap.py');
const venvPython = path.join(VENV, 'bin', 'python');

export interface TapRun {
  seconds: number;
  /** Singer RECORD messages on stdout, by stream. */
  records: Record<string, number>;
}

/** Installs tap-lever==TAP_VERSION into .bench/peer-venv unless it is there already; returns the Python version. */
export function ensureTap(): string {
  const python = process.env.BENCH_PYTHON ?? 'python3';
  const version = spawnSync(python, ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0)
    fail(
      `Python 3 is needed to run tap-lever, and "${python} --version" failed (${version.error?.message ?? version.stderr}). Install Python 3, or set BENCH_PYTHON to its path.`,
    );
  if (installedVersion() === TAP_VERSION) return version.stdout.trim();
  console.log(`  installing tap-lever==${TAP_VERSION} from PyPI into ${path.relative(REPO, VENV)} …`);
  const venv = spawnSync(python, ['-m', 'venv', '--clear', VENV], { encoding: 'utf8' });
  if (venv.status !== 0)
    fail(`"${python} -m venv" could not make ${VENV}: ${tail(venv.stderr || venv.error?.message)}. On Debian/Ubuntu install python3-venv.`);
  const pip = spawnSync(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', `tap-lever==${TAP_VERSION}`], {
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  if (pip.status !== 0)
    fail(
      `pip could not install tap-lever==${TAP_VERSION} (is https://pypi.org reachable? a proxy set in PIP_INDEX_URL?): ${tail(pip.stderr || pip.error?.message)}`,
    );
  if (installedVersion() !== TAP_VERSION) fail(`tap-lever==${TAP_VERSION} did not install into ${VENV}`);
  return version.stdout.trim();
}

function installedVersion(): string | undefined {
  if (!fs.existsSync(venvPython)) return undefined;
  const show = spawnSync(venvPython, ['-m', 'pip', 'show', 'tap-lever'], { encoding: 'utf8' });
  return /^Version: (.+)$/m.exec(show.stdout ?? '')?.[1]?.trim();
}

/**
 * Runs the tap's sync of `streams` from `startDate` against the sandbox at `origin` (asynchronously: the sandbox
 * answers from this process's event loop), counting the RECORD messages it prints.
 */
export async function runTap(options: { origin: string; token: string; startDate: string; streams: string[] }): Promise<TapRun> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'jobrelay-peer-'));
  const config = path.join(scratch, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ token: options.token, start_date: options.startDate }));
  const started = Date.now();
  try {
    const tap = spawn(venvPython, [WRAPPER, '--origin', options.origin, '--config', config, '--select', options.streams.join(',')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const records: Record<string, number> = {};
    const log: string[] = [];
    readline.createInterface({ input: tap.stderr }).on('line', (line) => {
      log.push(line);
      if (log.length > 40) log.shift();
    });
    const counted = (async () => {
      for await (const line of readline.createInterface({ input: tap.stdout })) {
        const message = singerMessage(line);
        if (!message) log.push(`(stdout, not a Singer message) ${line.slice(0, 200)}`);
        else if (message.type === 'RECORD' && message.stream) records[message.stream] = (records[message.stream] ?? 0) + 1;
      }
    })();
    const code = await new Promise<number | null>((resolve, reject) => {
      tap.once('error', reject);
      tap.once('close', resolve);
    });
    await counted;
    if (code !== 0) fail(`tap-lever exited with ${code}; the end of its log:\n${log.join('\n')}`);
    return { seconds: (Date.now() - started) / 1000, records };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function singerMessage(line: string): { type?: string; stream?: string } | undefined {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function fail(message: string): never {
  throw new Error(`peer bench: ${message}`);
}

function tail(text: string | undefined): string {
  return (text ?? '').trim().split('\n').slice(-5).join('\n');
}
