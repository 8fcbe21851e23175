import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { startSandboxes } from '../src/providers/sandboxes';

/**
 * The sandboxes in a process of their own, so a benchmark's process holds jobrelay only: its RSS and CPU are
 * jobrelay's, and the board's work runs beside it as a real board's would.
 */
export interface SandboxProcess {
  urlFor(provider: string): string;
  /** The sandbox process's resident memory, from /proc. */
  rss(): number;
  /** CPU time the sandbox process has used, ms. */
  cpuMs(): number;
  close(): Promise<void>;
}

export async function startSandboxProcess(): Promise<SandboxProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', __filename], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, SANDBOX_PROCESS: '1' },
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.match(/^listening (\S+)$/m);
      if (line) resolve(line[1]);
    });
    child.once('exit', (code) => reject(new Error(`the sandbox process exited (${code}) before listening`)));
  });
  return {
    urlFor: (provider) => `${baseUrl}/${provider}`,
    rss: () => residentBytes(child.pid!),
    cpuMs: () => cpuMsOf(child.pid!),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** VmRSS of a process (Linux). */
export function residentBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(status.match(/^VmRSS:\s+(\d+) kB$/m)?.[1] ?? Number.NaN);
  return kib * 1024;
}

/** User + system CPU time of a process (Linux), ms. */
export function cpuMsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime in clock ticks of 10 ms
}

if (process.env.SANDBOX_PROCESS && require.main === module) {
  startSandboxes(0).then((s) => {
    process.stdout.write(`listening ${s.baseUrl}\n`);
    process.on('SIGTERM', () => s.close().then(() => process.exit(0)));
  });
}
