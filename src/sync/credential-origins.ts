import { originOf } from '../providers/origins';
import type { SyncProvider } from './provider';

// Where a connector's credentials go. Most connectors send them to one base URL (`settings.baseUrl`); a pair of
// providers sends each side's to its own (`SyncProvider.baseUrls`). The origins are stored with the credentials,
// and opened credentials go nowhere else.

/** The connector's base URLs by setting name (default: `baseUrl`). */
export function baseUrlsOf(sync: Pick<SyncProvider, 'baseUrls'>, settings: unknown): Record<string, string | undefined> {
  return sync.baseUrls ? sync.baseUrls(settings) : { baseUrl: (settings as { baseUrl?: string }).baseUrl };
}

/** The origins the credentials are used at, as stored with them: one origin, or several separated by spaces. */
export function credentialsOriginOf(sync: Pick<SyncProvider, 'baseUrls'>, settings: unknown, known: readonly string[]): string {
  return [...new Set(Object.values(baseUrlsOf(sync, settings)).map((url) => originOf(url, known)))].sort().join(' ');
}
