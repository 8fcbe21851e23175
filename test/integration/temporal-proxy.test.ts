import net from 'node:net';
import os from 'node:os';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { connectClient, connectWorker } from '../../src/temporal/connection';
import { startConnectProxy } from '../helpers/connect-proxy';
import { testServers } from '../helpers/env';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy', 'grpc_proxy'];

/** The client and the worker's connection as `npm start` and `worker.ts` make them, each asked what the cluster is. */
async function reachCluster(address: string): Promise<void> {
  const config = loadConfig({ TEMPORAL_ADDRESS: address });
  let client: Client | undefined;
  let worker: NativeConnection | undefined;
  try {
    client = await connectClient(config);
    worker = await connectWorker(config);
    await client.workflowService.getSystemInfo({});
    await worker.workflowService.getSystemInfo({});
  } finally {
    await client?.connection.close();
    await worker?.close();
  }
}

/** The dev server as a cluster elsewhere would be: on this machine's own network address, not loopback. */
async function forwardFromNetworkAddress(to: string): Promise<{ address: string; close(): Promise<void> }> {
  const ip = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  if (!ip) throw new Error('this test needs a network address other than loopback');
  const [host, port] = to.split(':');
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const upstream = net.connect(Number(port), host);
    socket.pipe(upstream).pipe(socket);
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, ip, resolve));
  return {
    address: `${ip}:${(server.address() as net.AddressInfo).port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('the Temporal connection and the egress proxy', () => {
  const saved = Object.fromEntries(PROXY_VARIABLES.map((k) => [k, process.env[k]]));
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('reaches a cluster on loopback directly, whatever proxy the environment names (none can reach this machine)', async () => {
    // Nothing listens on port 9: a connection sent through this "proxy" fails.
    for (const k of ['https_proxy', 'http_proxy', 'grpc_proxy', 'HTTPS_PROXY', 'HTTP_PROXY']) process.env[k] = 'http://127.0.0.1:9';
    await expect(reachCluster(testServers.temporalAddress())).resolves.toBeUndefined();
  });

  it('tunnels to a cluster elsewhere through the egress proxy, client and worker alike, unless NO_PROXY names it', async () => {
    const cluster = await forwardFromNetworkAddress(testServers.temporalAddress());
    const proxy = await startConnectProxy();
    try {
      process.env.HTTP_PROXY = proxy.url;
      process.env.HTTPS_PROXY = proxy.url;
      await reachCluster(cluster.address);
      expect(proxy.tunnels.length).toBeGreaterThanOrEqual(2); // the client's connection and the worker's
      expect(new Set(proxy.tunnels)).toEqual(new Set([cluster.address]));

      proxy.tunnels.length = 0;
      process.env.NO_PROXY = cluster.address.split(':')[0];
      await reachCluster(cluster.address);
      expect(proxy.tunnels).toEqual([]);
    } finally {
      await proxy.close();
      await cluster.close();
    }
  });
});
