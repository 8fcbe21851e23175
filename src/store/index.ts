import { randomBytes } from 'node:crypto';
import { SecretBox } from '../crypto/secrets';
import { createApplicationsRepository } from './applications';
import { createBoardsRepository } from './boards';
import { createCandidatesRepository } from './candidates';
import { createCareersRepository } from './careers';
import { createConnectorsRepository } from './connectors';
import { type Db, type DbOptions, openDb, ping } from './db';
import { createDocumentsRepository } from './documents';
import { createIntakeRepository } from './intake';
import { createJobsRepository } from './jobs';
import { createPostingsRepository } from './postings';
import { createTokensRepository } from './tokens';

export interface StoreOptions extends DbOptions {
  /** Seals credentials at rest; a throw-away key when omitted (tests). */
  secrets?: SecretBox;
}

/** The store: one database and a repository per concern. */
export async function openStore(options: StoreOptions) {
  const db = await openDb(options);
  const secrets = options.secrets ?? new SecretBox(randomBytes(32));
  return {
    db,
    jobs: createJobsRepository(db),
    candidates: createCandidatesRepository(db),
    applications: createApplicationsRepository(db),
    documents: createDocumentsRepository(db),
    careers: createCareersRepository(db),
    postings: createPostingsRepository(db),
    boards: createBoardsRepository(db, secrets),
    connectors: createConnectorsRepository(db, secrets),
    intake: createIntakeRepository(db),
    tokens: createTokensRepository(db),
    ping: () => ping(db),
    close: () => db.destroy(),
  };
}

export type Store = Awaited<ReturnType<typeof openStore>>;
export type { Db };
