import { type Selectable, sql } from 'kysely';
import type { SecretBox } from '../crypto/secrets';
import type { ConnectorState } from '../domain/connector';
import { newId } from '../domain/ids';
import type { StreamCursor, WrittenRefs } from '../sync/types';
import type { Db } from './db';
import { anyOf, columnsOf, jsonRows } from './json-rows';
import { newestFirst, type Page, type PageRequest, pageOf } from './paging';
import type { ConnectorsTable } from './schema';

/** The columns `markSeen` writes, as its JSON rows carry them. */
const RECORD_ROW = {
  connector_id: 'text',
  stream: 'text',
  external_id: 'text',
  source_updated_at: 'bigint',
  fingerprint: 'text',
  version: 'text',
  wrote: 'jsonb',
  seen_at: 'timestamptz',
  listed_at: 'bigint',
  gone_at: 'timestamptz',
} as const;

export interface ConnectorRow {
  id: string;
  provider: string;
  name: string;
  settings: Record<string, unknown>;
  state: ConnectorState;
  /** The origin the credentials were saved for; the sync sends them nowhere else. */
  credentialsOrigin?: string;
  lastError?: string;
  streams: Record<string, StreamCursor>;
  /** The reconciling sweep's schedule as set; unset = the default. */
  sweep?: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface SeenRecord {
  externalId: string;
  /** The provider's update time as last read; unset for records whose provider gives none. */
  sourceUpdatedAt?: number;
  fingerprint: string;
  /** A fingerprint of the record as listed (its content where there is no update time). */
  version?: string;
  /** What its writes produced; unset for records read before the ledger kept it. */
  wrote?: WrittenRefs;
  /** Found gone at the provider (a record listed again is live again). */
  goneAt?: string;
}

/** Connectors: settings, sealed credentials, state and per-stream cursors; plus what each one last read. */
export function createConnectorsRepository(db: Db, secrets: SecretBox) {
  return {
    async create(input: {
      provider: string;
      name: string;
      settings: object;
      credentials: unknown;
      credentialsOrigin?: string;
      sweep?: object;
    }): Promise<ConnectorRow> {
      const row = await db
        .insertInto('connectors')
        .values({
          id: newId('conn'),
          provider: input.provider,
          name: input.name,
          settings: JSON.stringify(input.settings),
          credentials: secrets.seal(input.credentials),
          credentials_origin: input.credentialsOrigin ?? null,
          sweep: input.sweep ? JSON.stringify(input.sweep) : null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toConnector(row);
    },

    async get(id: string): Promise<ConnectorRow | undefined> {
      const row = await db.selectFrom('connectors').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toConnector(row);
    },

    async list(filter: PageRequest & { provider?: string }): Promise<Page<ConnectorRow>> {
      const limit = filter.limit ?? 50;
      let q = newestFirst(db.selectFrom('connectors').selectAll(), filter, limit);
      if (filter.provider) q = q.where('provider', '=', filter.provider);
      return pageOf(await q.execute(), limit, toConnector);
    },

    /** The credentials, opened: only activities call this. */
    async credentials<C>(id: string): Promise<C | undefined> {
      const row = await db.selectFrom('connectors').select('credentials').where('id', '=', id).executeTakeFirst();
      return row && secrets.open<C>(row.credentials);
    },

    /** New credentials come with the origin they are saved for. */
    async update(
      id: string,
      patch: { name?: string; settings?: object; credentials?: unknown; credentialsOrigin?: string; sweep?: object },
    ): Promise<ConnectorRow | undefined> {
      const row = await db
        .updateTable('connectors')
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.settings !== undefined ? { settings: JSON.stringify(patch.settings) } : {}),
          ...(patch.credentials !== undefined
            ? { credentials: secrets.seal(patch.credentials), credentials_origin: patch.credentialsOrigin ?? null }
            : {}),
          ...(patch.sweep !== undefined ? { sweep: JSON.stringify(patch.sweep) } : {}),
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toConnector(row);
    },

    async setState(id: string, state: ConnectorState, lastError?: string): Promise<void> {
      await db
        .updateTable('connectors')
        .set({ state, last_error: lastError ?? null, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
    },

    /** Stores one stream's cursor (merged into the others with jsonb_set, so streams never overwrite each other). */
    async saveCursor(id: string, stream: string, cursor: StreamCursor): Promise<void> {
      await db
        .updateTable('connectors')
        .set({ streams: sql`jsonb_set(streams, ${sql.val([stream])}::text[], ${JSON.stringify(cursor)}::jsonb, true)` })
        .where('id', '=', id)
        .execute();
    },

    /** What the connector last read of these records, by external id. */
    /** The connectors of a provider whose sync has read this record: where a synced job comes from. */
    async thatRead(provider: string, stream: string, externalId: string): Promise<Array<{ id: string; name: string }>> {
      return db
        .selectFrom('connector_records')
        .innerJoin('connectors', 'connectors.id', 'connector_records.connector_id')
        .select(['connectors.id', 'connectors.name'])
        .where('connectors.provider', '=', provider)
        .where('connector_records.stream', '=', stream)
        .where('connector_records.external_id', '=', externalId)
        .orderBy('connectors.created_at')
        .execute();
    },

    async seen(id: string, stream: string, externalIds: string[]): Promise<Map<string, SeenRecord>> {
      if (externalIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('connector_records')
        .select(['external_id', 'source_updated_at', 'fingerprint', 'version', 'wrote', 'gone_at'])
        .where('connector_id', '=', id)
        .where('stream', '=', stream)
        .where('external_id', '=', anyOf(externalIds))
        .execute();
      return new Map(rows.map((r) => [r.external_id, toSeen(r)]));
    },

    /**
     * Records of the stream a complete listing (the run started at `listedAt`) did not show, oldest-listed first:
     * live ones only, and (for a window's listing) only those last read inside the window.
     */
    async unlisted(id: string, stream: string, listedAt: number, since: number | undefined, limit: number): Promise<SeenRecord[]> {
      let q = db
        .selectFrom('connector_records')
        .select(['external_id', 'source_updated_at', 'fingerprint', 'version', 'wrote', 'gone_at'])
        .where('connector_id', '=', id)
        .where('stream', '=', stream)
        .where('gone_at', 'is', null)
        .where((eb) => eb.or([eb('listed_at', 'is', null), eb('listed_at', '<', listedAt)]));
      if (since !== undefined) q = q.where((eb) => eb.or([eb('source_updated_at', 'is', null), eb('source_updated_at', '>=', since)]));
      const rows = await q.orderBy('external_id').limit(limit).execute();
      return rows.map(toSeen);
    },

    /** These records were listed by the complete listing that started at `listedAt`. */
    async markListed(id: string, stream: string, externalIds: string[], listedAt: number): Promise<void> {
      if (externalIds.length === 0) return;
      await db
        .updateTable('connector_records')
        .set({ listed_at: listedAt })
        .where('connector_id', '=', id)
        .where('stream', '=', stream)
        .where('external_id', 'in', externalIds)
        .execute();
    },

    async markGone(id: string, stream: string, externalIds: string[]): Promise<void> {
      if (externalIds.length === 0) return;
      await db
        .updateTable('connector_records')
        .set({ gone_at: new Date() })
        .where('connector_id', '=', id)
        .where('stream', '=', stream)
        .where('external_id', 'in', externalIds)
        .execute();
    },

    /** Of these people, those another live record of the connector also wrote (e.g. a Lever contact's other opportunity). */
    async peopleStillWritten(id: string, people: string[], excluding: { stream: string; externalIds: string[] }): Promise<Set<string>> {
      if (people.length === 0) return new Set();
      const rows = await sql<{ person: string }>`
        select distinct p.person from connector_records r, jsonb_array_elements_text(r.wrote -> 'people') as p(person)
        where r.connector_id = ${id} and r.gone_at is null
          and p.person in (${sql.join(people)})
          and not (r.stream = ${excluding.stream} and r.external_id in (${sql.join(excluding.externalIds.length ? excluding.externalIds : [''])}))`.execute(
        db,
      );
      return new Set(rows.rows.map((r) => r.person));
    },

    /**
     * Records what the connector read of these records, in one statement (a page's worth at a time). Call it after
     * the records' own writes: a record in the ledger is always in the store, so a crash in between only means the
     * next attempt writes the page again (upserts, so nothing doubles).
     */
    async markSeen(id: string, stream: string, records: SeenRecord[], listedAt?: number): Promise<void> {
      // One row per record: a provider repeating an id in a page must not hit the same row twice in one statement.
      const latest = new Map(records.map((r) => [r.externalId, r]));
      if (latest.size === 0) return;
      const seenAt = new Date();
      await db
        .insertInto('connector_records')
        .columns(columnsOf(RECORD_ROW))
        .expression(
          jsonRows(
            RECORD_ROW,
            [...latest.values()].map((r) => ({
              connector_id: id,
              stream,
              external_id: r.externalId,
              source_updated_at: r.sourceUpdatedAt ?? null,
              fingerprint: r.fingerprint,
              version: r.version ?? null,
              wrote: r.wrote ?? null,
              seen_at: seenAt,
              listed_at: listedAt ?? null,
              gone_at: null,
            })),
          ),
        )
        .onConflict((oc) =>
          oc.columns(['connector_id', 'stream', 'external_id']).doUpdateSet((eb) => ({
            source_updated_at: eb.ref('excluded.source_updated_at'),
            fingerprint: eb.ref('excluded.fingerprint'),
            version: eb.ref('excluded.version'),
            wrote: eb.ref('excluded.wrote'),
            seen_at: eb.ref('excluded.seen_at'),
            // A window's read (not a complete listing) keeps the mark of the last complete one.
            listed_at: sql`coalesce(excluded.listed_at, connector_records.listed_at)`,
            gone_at: null,
          })),
        )
        .execute();
    },
  };
}

export type ConnectorsRepository = ReturnType<typeof createConnectorsRepository>;

function toSeen(r: {
  external_id: string;
  source_updated_at: number | null;
  fingerprint: string;
  version: string | null;
  wrote: WrittenRefs | null;
  gone_at: Date | null;
}): SeenRecord {
  return {
    externalId: r.external_id,
    sourceUpdatedAt: r.source_updated_at === null ? undefined : Number(r.source_updated_at),
    fingerprint: r.fingerprint,
    version: r.version ?? undefined,
    wrote: r.wrote ?? undefined,
    goneAt: r.gone_at?.toISOString(),
  };
}

function toConnector(row: Selectable<ConnectorsTable>): ConnectorRow {
  return {
    id: row.id,
    provider: row.provider,
    name: row.name,
    settings: row.settings,
    state: row.state as ConnectorState,
    credentialsOrigin: row.credentials_origin ?? undefined,
    lastError: row.last_error ?? undefined,
    streams: row.streams,
    sweep: row.sweep ?? undefined,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
