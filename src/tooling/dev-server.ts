import { type ChildProcess, spawn } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { ALL_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { waitForPort } from '../net';
import { requireBinary } from './binaries';

export interface DevServerOptions {
  port: number;
  /** Web UI port; omit for a headless server. */
  uiPort?: number;
  /** SQLite file that keeps workflows across restarts; omit for in-memory. */
  dbFile?: string;
  namespace?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Aborting it while the server starts stops the server and rejects. */
  signal?: AbortSignal;
}

export interface DevServer {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` with our search attributes and waits until it serves gRPC. A server that
 * does not come up (or whose start is aborted) is stopped before this rejects: no process is left behind.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--namespace',
    options.namespace ?? 'default',
    '--log-level',
    options.logLevel ?? 'error',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    // A start asked to be eager gets its first workflow task in the answer, and a worker completing a workflow task
    // gets the activities it scheduled in the answer: neither goes through matching (off by default on the server).
    '--dynamic-config-value',
    'system.enableEagerWorkflowStart=true',
    '--dynamic-config-value',
    'system.enableActivityEagerExecution=true',
    ...searchAttributeArgs(),
    // A write-ahead log instead of SQLite's default rollback journal: each of the server's transactions then costs one
    // fsync of the log, not a journal file created, synced and deleted: as durable, and several times the throughput.
    ...(options.dbFile ? ['--db-filename', options.dbFile, '--sqlite-pragma', 'journal_mode=wal'] : []),
    ...(options.uiPort ? ['--ui-port', String(options.uiPort), '--ui-ip', '127.0.0.1', '--ui-disable-news-fetch'] : ['--headless']),
  ];
  const child = spawn(requireBinary('temporal'), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  // The first lines say why (a Go panic's message comes before its goroutine dump); the last say where it ended.
  let stderrHead = '';
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderrHead.length < 2000) stderrHead = (stderrHead + chunk.toString()).slice(0, 2000);
    else stderrTail = (stderrTail + chunk.toString()).slice(-1000);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`temporal dev server exited (code ${code}): ${`${stderrHead}${stderrTail ? `\n…\n${stderrTail}` : ''}`.trim()}`)),
    ),
  );
  exited.catch(() => undefined);
  const aborted = new Promise<never>((_, reject) => {
    const abort = () => reject(new Error('the Temporal dev server’s start was cancelled'));
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener('abort', abort, { once: true });
  });
  aborted.catch(() => undefined);
  const address = `127.0.0.1:${options.port}`;
  try {
    await Promise.race([waitUntilServing(address), exited, aborted]);
    if (options.uiPort) await Promise.race([waitForPort(options.uiPort), exited, aborted]);
  } catch (err) {
    await stopProcess(child);
    throw err;
  }
  return {
    address,
    process: child,
    stop: () => stopProcess(child),
  };
}

async function waitUntilServing(address: string, timeoutMs = 60_000): Promise<void> {
  const [host, port] = address.split(':');
  await waitForPort(Number(port), host, timeoutMs);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      // Loopback: never through an `https_proxy` the environment names (grpc-js would read it).
      const connection = await Connection.connect({ address, connectTimeout: 2000, channelArgs: { 'grpc.enable_http_proxy': 0 } });
      try {
        await connection.healthService.check({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const CLI_TYPE: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.DATETIME]: 'Datetime',
};

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
function searchAttributeArgs(): string[] {
  return ALL_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${CLI_TYPE[k.type]}`]);
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
