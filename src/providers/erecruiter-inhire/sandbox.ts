import express, { type Express } from 'express';
import { ErecruiterSandbox } from './sandbox-erecruiter';
import { InhireSandbox } from './sandbox-inhire';

// Both sides of the pair on one app, mounted under `/erecruiter-inhire` on the sandbox port:
//   <sandbox>/erecruiter-inhire/erecruiter/v1.1   eRecruiter's API      (/erecruiter/_sandbox/… controls)
//   <sandbox>/erecruiter-inhire/erecruiter-auth   its token endpoint    (POST /oAuth/Token)
//   <sandbox>/erecruiter-inhire/inhire/api/v1     inhire's API          (/inhire/_sandbox/… controls)

export interface PairSandbox {
  erecruiter: ErecruiterSandbox;
  inhire: InhireSandbox;
}

export function createPairSandbox(): Express {
  const erecruiter = new ErecruiterSandbox();
  const inhire = new InhireSandbox();
  const app = express();
  app.use('/erecruiter', erecruiter.app);
  app.use('/erecruiter-auth', erecruiter.auth);
  app.use('/inhire', inhire.app);
  app.locals.pair = { erecruiter, inhire } satisfies PairSandbox;
  return app;
}

/** The two sandboxes behind an app made by `createPairSandbox` (tests reach their state through the mounted app). */
export function pairSandboxOf(app: Express): PairSandbox {
  const pair = app.locals.pair as PairSandbox | undefined;
  if (!pair) throw new Error('not the erecruiter-inhire sandbox app');
  return pair;
}

/** The connector's base URLs on a running sandbox (`base` = `<sandbox>/erecruiter-inhire`). */
export function pairSandboxUrls(base: string) {
  return {
    erecruiterBaseUrl: `${base}/erecruiter/v1.1`,
    erecruiterAuthUrl: `${base}/erecruiter-auth`,
    inhireBaseUrl: `${base}/inhire/api/v1`,
  };
}
