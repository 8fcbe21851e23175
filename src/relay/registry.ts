import { providers } from '../providers';
import type { RelayEntry } from './types';

/** The relay part of a connector's provider; undefined for a provider without one. */
export function relayEntry(provider: string): RelayEntry | undefined {
  return Object.hasOwn(providers, provider) ? providers[provider].relay : undefined;
}
