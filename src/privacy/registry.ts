import { providers } from '../providers';
import { relayDeliveries } from '../relay/personal-data';
import { candidateEvents } from './events-holder';
import {
  candidateApplications,
  candidateDocuments,
  candidateRecord,
  candidateSources,
  type PersonalDataHolder,
  stagedDeliveries,
} from './holders';

/**
 * THE list of places that hold candidates' personal data: the subject-access export reads each, erasure erases
 * each (retention too). A table added later that holds candidate data registers its holder here — or, when a
 * provider owns it, in that provider's entry (`personalData` in `src/providers/<name>/index.ts`), collected below.
 * `test/unit/privacy-registry.test.ts` fails for any table neither covered here nor listed in WITHOUT_CANDIDATE_DATA.
 */
export const personalData: PersonalDataHolder[] = [
  candidateRecord,
  candidateSources,
  candidateApplications,
  candidateDocuments,
  stagedDeliveries,
  candidateEvents,
  relayDeliveries,
  ...Object.values(providers).flatMap((p) => p.personalData ?? []),
];

/** Every other table, and why it holds no candidate's personal data. */
export const WITHOUT_CANDIDATE_DATA: Record<string, string> = {
  jobs: 'requisitions (their recruiter is staff, not a candidate)',
  careers_settings: 'the careers site’s branding',
  board_settings: 'board settings and sealed credentials',
  board_accounts: 'recruiters’ own board accounts',
  postings: 'jobs on boards',
  posting_events: 'a posting’s history (board ids, reasons)',
  connectors: 'connector settings and sealed credentials',
  connector_records: 'provider record ids a sync has seen, what their writes produced (provider ids) and settings fingerprints',
  erased_identities: 'keyed hashes of erased people’s identifiers: the tombstone that makes erasure stick',
  privacy_audit: 'who erased or exported whom, when, with counts only',
  webhook_subscriptions: 'webhook subscriptions: URL, event types, sealed signing secrets',
  webhook_deliveries: 'each event’s delivery to a subscription: ids, state, attempts, the subscriber’s answer code and our error text',
  api_tokens: 'API tokens: name, scope and the token’s SHA-256',
  relay_status_sync: 'a relay connector’s status-sync settings and the ATS’s stage names',
  relay_status_mappings: 'saved stage → status mappings',
  relay_status_runs: 'status-sync runs: windows, counts and reasons, never whom',
  kysely_migration: 'applied migrations',
  kysely_migration_lock: 'the migration lock',
};
