import type { ZodError } from 'zod';
import type { Connector, ConnectorInput, ConnectorPatch, ConnectorStatus } from '../domain/connector';
import { SweepSettings, syncWorkflowId } from '../domain/connector';
import { InvalidError, RefusedError } from '../domain/errors';
import { providers } from '../providers';
import type { OriginPolicy } from '../providers/origins';
import type { Store } from '../store';
import type { ConnectorRow } from '../store/connectors';
import { baseUrlsOf, credentialsOriginOf } from '../sync/credential-origins';
import type { SyncProvider } from '../sync/provider';
import { sweepPlanOf } from '../sync/sweep';
import type { ConnectorWorkflows } from '../temporal/connectors';

/** Connectors: validated per provider, stored with sealed credentials, and run by their sync workflow. */
export function createConnectorsService(store: Store, workflows: ConnectorWorkflows, origins: OriginPolicy) {
  /** The origins the settings send credentials to, once the policy allows each (422 naming why not). */
  function allowedOrigin(provider: string, settings: object): string {
    const known = providers[provider].origins;
    const sync = syncOf(provider);
    for (const [name, url] of Object.entries(baseUrlsOf(sync, settings))) {
      const refused = url === undefined ? undefined : origins.refusal(known, url);
      if (refused) throw new RefusedError(`settings.${name}: ${refused}`);
    }
    return credentialsOriginOf(sync, settings, known);
  }

  async function view(row: ConnectorRow, status?: ConnectorStatus): Promise<Connector> {
    const sync = syncOf(row.provider);
    const credentials = await store.connectors.credentials(row.id);
    return {
      id: row.id,
      provider: row.provider,
      name: row.name,
      state: status?.state ?? row.state,
      workflowId: syncWorkflowId(row.id),
      settings: row.settings,
      credentials: credentials ? sync.maskCredentials(credentials) : {},
      sweep: sweepPlanOf(row.sweep),
      lastError: status ? status.lastError?.message : row.lastError,
      status,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  async function command(id: string, run: () => Promise<ConnectorStatus>): Promise<Connector | undefined> {
    const row = await store.connectors.get(id);
    return row && view(row, await run());
  }

  return {
    async create(input: ConnectorInput): Promise<Connector> {
      const sync = syncOf(input.provider, 'provider');
      const settings = validate(sync.settings, input.settings, 'settings') as object;
      const credentials = validate(sync.credentials, input.credentials, 'credentials');
      const credentialsOrigin = allowedOrigin(input.provider, settings);
      const sweep = input.sweep ? (validate(SweepSettings, input.sweep, 'sweep') as object) : undefined;
      const row = await store.connectors.create({
        provider: input.provider,
        name: input.name,
        settings,
        credentials,
        credentialsOrigin,
        sweep,
      });
      await workflows.start(row);
      return view(row);
    },

    /** Connectors as stored (state, last error); `GET /v1/connectors/:id` adds the live status from the workflow. */
    async list(filter: { limit?: number; cursor?: string; provider?: string }): Promise<{ items: Connector[]; nextCursor?: string }> {
      const page = await store.connectors.list(filter);
      return { items: await Promise.all(page.items.map((row) => view(row))), nextCursor: page.nextCursor };
    },

    async get(id: string): Promise<Connector | undefined> {
      const row = await store.connectors.get(id);
      return row && view(row, await workflows.status(id));
    },

    /** New settings (merged over the current ones) and/or credentials; the loop reloads its plan and, if failing, retries. */
    async update(id: string, patch: ConnectorPatch): Promise<Connector | undefined> {
      const row = await store.connectors.get(id);
      if (!row) return undefined;
      const sync = syncOf(row.provider);
      const settings = patch.settings
        ? (validate(sync.settings, mergeSettings(row.settings, patch.settings), 'settings') as object)
        : undefined;
      const credentials = patch.credentials ? validate(sync.credentials, patch.credentials, 'credentials') : undefined;
      const origin = allowedOrigin(row.provider, settings ?? row.settings);
      // Stored credentials go only where they were saved for: a new address needs them again, in the same request.
      if (!credentials && row.credentialsOrigin && origin !== row.credentialsOrigin)
        throw new RefusedError(
          `the base URL moves the connector from ${row.credentialsOrigin} to ${origin}: send the credentials for it in the same request`,
        );
      const sweep = patch.sweep ? (validate(SweepSettings, { ...row.sweep, ...patch.sweep }, 'sweep') as object) : undefined;
      await store.connectors.update(id, {
        name: patch.name,
        settings,
        credentials,
        credentialsOrigin: credentials ? origin : undefined,
        sweep,
      });
      return command(id, () => workflows.reconfigure(id));
    },

    syncNow: (id: string, stream?: string) => command(id, () => workflows.syncNow(id, stream)),
    sweepNow: (id: string, stream?: string) => command(id, () => workflows.sweepNow(id, stream)),
    /** Reads again from `since` (ISO date or date-time), writing every record in place; deletes nothing. */
    resync: (id: string, since: string, stream?: string) => command(id, () => workflows.resync(id, Date.parse(since), stream)),
    pause: (id: string) => command(id, () => workflows.pause(id)),
    resume: (id: string) => command(id, () => workflows.resume(id)),

    async test(id: string) {
      if (!(await store.connectors.get(id))) return undefined;
      return workflows.test(id);
    },
  };
}

export type ConnectorsService = ReturnType<typeof createConnectorsService>;

function syncOf(provider: string, path?: string): SyncProvider {
  const sync = providers[provider]?.sync;
  if (!sync) {
    const known = Object.values(providers)
      .filter((p) => p.sync)
      .map((p) => p.name);
    throw new InvalidError('invalid body', [
      { path: path ?? 'provider', message: `no connector for "${provider}" (known: ${known.join(', ')})`, code: 'invalid_value' },
    ]);
  }
  return sync;
}

/** Each setting given replaces the current one; `null` clears it (e.g. a start date set for a backfill), so its default applies. */
function mergeSettings(current: object, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current, ...patch };
  for (const [key, value] of Object.entries(patch)) if (value === null) delete merged[key];
  return merged;
}

/** The provider's zod schema, with its issues reported under `settings.…` / `credentials.…` (never echoing secrets). */
function validate<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } },
  value: unknown,
  where: string,
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidError(
    'invalid body',
    result.error.issues.map((i) => ({ path: [where, ...i.path].join('.'), message: i.message, code: i.code })),
  );
}
