import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { type Config, temporalAddress } from '../config';

function connectionOptions(config: Config) {
  const { apiKey, tls } = config.temporal;
  const read = (file?: string) => (file ? fs.readFileSync(file) : undefined);
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
  };
}

export async function connectClient(config: Config): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(config));
  return new Client({ connection, namespace: config.temporal.namespace });
}

export function connectWorker(config: Config): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config));
}
