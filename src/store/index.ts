import { randomBytes } from 'node:crypto';
import { SecretBox } from '../crypto/secrets';
import { IdentityKeys } from '../privacy/keys';
import type { ErasedReapply } from '../privacy/rules';
import { createApplicationsRepository } from './applications';
import { createBoardsRepository } from './boards';
import { createCandidatesRepository } from './candidates';
import { createCareersRepository } from './careers';
import { createConnectorsRepository } from './connectors';
import { type Db, type DbOptions, openDb, ping } from './db';
import { createDocumentsRepository } from './documents';
import { createErasedRepository } from './erased';
import { createEventsRepository } from './events';
import { createIntakeRepository } from './intake';
import { createJobsRepository } from './jobs';
import { ahead } from './pglite-thread-dialect';
import { createPostingsRepository } from './postings';
import { createPrivacyRepository } from './privacy';
import { createRelayRepository } from './relay';
import { createTokensRepository } from './tokens';
import { createWebhooksRepository } from './webhooks';

export interface StoreOptions extends DbOptions {
  /** Seals credentials at rest; a throw-away key when omitted (tests). */
  secrets?: SecretBox;
  /** What becomes of a person erased earlier who applies again (ERASED_REAPPLY); `refuse` when omitted. */
  erasedReapply?: ErasedReapply;
}

/** The store: one database and a repository per concern. */
export async function openStore(options: StoreOptions) {
  const db = await openDb(options);
  const secrets = options.secrets ?? new SecretBox(randomBytes(32));
  const identityKeys = new IdentityKeys(secrets);
  const erased = createErasedRepository(db, identityKeys);
  return {
    db,
    jobs: createJobsRepository(db),
    candidates: createCandidatesRepository(db, erased, options.erasedReapply ?? 'refuse'),
    erased,
    identityKeys,
    privacy: createPrivacyRepository(db),
    applications: createApplicationsRepository(db),
    documents: createDocumentsRepository(db),
    careers: createCareersRepository(db),
    postings: createPostingsRepository(db),
    boards: createBoardsRepository(db, secrets),
    connectors: createConnectorsRepository(db, secrets),
    intake: createIntakeRepository(db),
    relay: createRelayRepository(db, identityKeys),
    tokens: createTokensRepository(db),
    events: createEventsRepository(db),
    webhooks: createWebhooksRepository(db, secrets),
    /** Runs `work` ahead of waiting background statements (PGlite has one connection); a no-op on PostgreSQL. */
    ahead,
    ping: () => ping(db),
    close: () => db.destroy(),
  };
}

export type Store = Awaited<ReturnType<typeof openStore>>;
export type { Db };
