import fs from 'node:fs';
import { Client, Connection, type ConnectionLike } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { type Config, temporalAddress } from '../config';
import { proxyFromEnvironment } from '../providers/origins';

function connectionOptions(config: Config) {
  const { apiKey, tls } = config.temporal;
  const read = (file?: string) => (file ? fs.readFileSync(file) : undefined);
  const proxy = temporalProxy(config);
  return {
    address: temporalAddress(config),
    apiKey,
    tls: tls
      ? {
          serverNameOverride: tls.serverName,
          serverRootCACertificate: read(tls.caPath),
          clientCertPair: tls.certPath && tls.keyPath ? { crt: read(tls.certPath) as Buffer, key: read(tls.keyPath) as Buffer } : undefined,
        }
      : undefined,
    ...(proxy && { proxy }),
  };
}

/**
 * The egress proxy to the Temporal frontend, chosen as for every other call out (`HTTPS_PROXY`, `HTTP_PROXY`,
 * `NO_PROXY`, either case; never for loopback), as an HTTP CONNECT tunnel: TLS, when used, runs end to end.
 */
export function temporalProxy(config: Config): NativeConnectionOptions['proxy'] {
  const proxyUrl = proxyFromEnvironment(`${config.temporal.tls ? 'https' : 'http'}://${temporalAddress(config)}`);
  if (!proxyUrl) return undefined;
  const url = new URL(proxyUrl);
  if (url.protocol !== 'http:') throw new Error(`the egress proxy for Temporal must be an http:// CONNECT proxy, not ${url.protocol}//`);
  return {
    type: 'http-connect',
    targetHost: `${url.hostname}:${url.port || '80'}`,
    ...(url.username && { basicAuth: { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } }),
  };
}

/**
 * A client of the cluster. Through a proxy it rides the worker's native connection, which tunnels as told; without
 * one, grpc-js is told not to read `https_proxy` itself: it would send even a loopback dev server through it.
 */
export async function connectClient(config: Config): Promise<Client> {
  const options = connectionOptions(config);
  const connection: ConnectionLike = options.proxy
    ? await NativeConnection.connect(options)
    : await Connection.connect({ ...options, channelArgs: { 'grpc.enable_http_proxy': 0 } });
  return new Client({ connection, namespace: config.temporal.namespace });
}

export function connectWorker(config: Config): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config));
}
