import type { SecretBox } from '../crypto/secrets';
import type { Db } from './db';

export interface StoredBoard<S, C> {
  settings: S;
  credentials: C;
  /** The origin the credentials were saved for (unset on rows saved before credentials were bound to one). */
  credentialsOrigin?: string;
  updatedAt: string;
}

/** Board settings and recruiters' own board accounts; credentials are sealed at rest and opened only on read. */
export function createBoardsRepository(db: Db, secrets: SecretBox) {
  return {
    async putSettings<S extends object, C>(board: string, settings: S, credentials: C, credentialsOrigin?: string): Promise<void> {
      const values = {
        settings: JSON.stringify(settings),
        credentials: secrets.seal(credentials),
        credentials_origin: credentialsOrigin ?? null,
        updated_at: new Date(),
      };
      await db
        .insertInto('board_settings')
        .values({ board, ...values })
        .onConflict((oc) => oc.column('board').doUpdateSet(values))
        .execute();
    },

    async getSettings<S, C>(board: string): Promise<StoredBoard<S, C> | undefined> {
      const row = await db.selectFrom('board_settings').selectAll().where('board', '=', board).executeTakeFirst();
      return row && stored<S, C>(row);
    },

    async putAccount<S extends object, C>(
      board: string,
      account: string,
      settings: S,
      credentials: C,
      credentialsOrigin?: string,
    ): Promise<void> {
      const values = {
        settings: JSON.stringify(settings),
        credentials: secrets.seal(credentials),
        credentials_origin: credentialsOrigin ?? null,
        updated_at: new Date(),
      };
      await db
        .insertInto('board_accounts')
        .values({ board, account: account.toLowerCase(), ...values })
        .onConflict((oc) => oc.columns(['board', 'account']).doUpdateSet(values))
        .execute();
    },

    /** Every recruiter's own account on the board, by account (lower-cased email). */
    async listAccounts<S, C>(board: string): Promise<Array<StoredBoard<S, C> & { account: string }>> {
      const rows = await db.selectFrom('board_accounts').selectAll().where('board', '=', board).orderBy('account').execute();
      return rows.map((row) => ({
        account: row.account,
        settings: row.settings as S,
        credentials: secrets.open<C>(row.credentials),
        updatedAt: row.updated_at.toISOString(),
      }));
    },

    async getAccount<S, C>(board: string, account: string): Promise<StoredBoard<S, C> | undefined> {
      const row = await db
        .selectFrom('board_accounts')
        .selectAll()
        .where('board', '=', board)
        .where('account', '=', account.toLowerCase())
        .executeTakeFirst();
      return row && stored<S, C>(row);
    },
  };

  function stored<S, C>(row: {
    settings: unknown;
    credentials: string;
    credentials_origin: string | null;
    updated_at: Date;
  }): StoredBoard<S, C> {
    return {
      settings: row.settings as S,
      credentials: secrets.open<C>(row.credentials),
      credentialsOrigin: row.credentials_origin ?? undefined,
      updatedAt: row.updated_at.toISOString(),
    };
  }
}

export type BoardsRepository = ReturnType<typeof createBoardsRepository>;
