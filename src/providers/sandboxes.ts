import type http from 'node:http';
import express from 'express';
import { providers } from './index';

export interface RunningSandboxes {
  baseUrl: string;
  /** The base URL one provider's sandbox answers on. */
  urlFor(provider: string): string;
  apps: Record<string, express.Express>;
  close(): Promise<void>;
}

/** Serves every provider's sandbox on one port, each under `/<provider>`. */
export async function startSandboxes(port: number, host = '127.0.0.1'): Promise<RunningSandboxes> {
  const root = express();
  const apps: Record<string, express.Express> = {};
  for (const entry of Object.values(providers)) {
    if (!entry.createSandbox) continue;
    apps[entry.name] = entry.createSandbox();
    root.use(`/${entry.name}`, apps[entry.name]);
  }
  const server: http.Server = await new Promise((resolve, reject) => {
    const s = root.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const actualPort = (server.address() as { port: number }).port;
  const baseUrl = `http://${host}:${actualPort}`;
  return {
    baseUrl,
    urlFor: (provider) => `${baseUrl}/${provider}`,
    apps,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
