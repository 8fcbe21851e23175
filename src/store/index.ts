import { createCandidatesRepository } from './candidates';
import { type Db, type DbOptions, openDb, ping } from './db';
import { createJobsRepository } from './jobs';

/** The store: one database and a repository per concern. */
export async function openStore(options: DbOptions) {
  const db = await openDb(options);
  return {
    db,
    jobs: createJobsRepository(db),
    candidates: createCandidatesRepository(db),
    ping: () => ping(db),
    close: () => db.destroy(),
  };
}

export type Store = Awaited<ReturnType<typeof openStore>>;
export type { Db };
