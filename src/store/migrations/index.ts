import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001_jobs';
import * as m002 from './002_postings';
import * as m003 from './003_candidates';
import * as m004 from './004_connectors';
import * as m005 from './005_intake';
import * as m006 from './006_application_documents';
import * as m010 from './010_careers';
import * as m020 from './020_postings_by_job';
import * as m030 from './030_credentials_origin';
import * as m031 from './031_api_tokens';
import * as m040 from './040_privacy';
import * as m050 from './050_reconciliation';
import * as m051 from './051_links_and_levels';
import * as m060 from './060_relay';
import * as m061 from './061_relay_privacy';
import * as m070 from './070_events';
import * as m071 from './071_events_by_candidate';
import * as m080 from './080_intake_cv_verdict';
import * as m090 from './090_erased_check_per_statement';
import * as m110 from './110_cv_staged_as_document';
import * as m120 from './120_cv_bytes_uncompressed';
import * as m130 from './130_newest_first_index';
import * as m140 from './140_erasure_by_identity';
import * as m160 from './160_document_kinds';

/** Every migration, in order. Bundled in code so PGlite and PostgreSQL run exactly the same ones. */
const migrations: Record<string, Migration> = {
  '001_jobs': m001,
  '002_postings': m002,
  '003_candidates': m003,
  '004_connectors': m004,
  '005_intake': m005,
  '006_application_documents': m006,
  '010_careers': m010,
  '020_postings_by_job': m020,
  '030_credentials_origin': m030,
  '031_api_tokens': m031,
  '040_privacy': m040,
  '050_reconciliation': m050,
  '051_links_and_levels': m051,
  '060_relay': m060,
  '061_relay_privacy': m061,
  '070_events': m070,
  '071_events_by_candidate': m071,
  '080_intake_cv_verdict': m080,
  '090_erased_check_per_statement': m090,
  '110_cv_staged_as_document': m110,
  '120_cv_bytes_uncompressed': m120,
  '130_newest_first_index': m130,
  '140_erasure_by_identity': m140,
  '160_document_kinds': m160,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
