import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Candidate } from '../domain/candidate';
import type { Job } from '../domain/job';
import type { StreamCursor } from '../sync/types';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T extends object> = JSONColumnType<T, string, string>;

export interface JobsTable {
  id: string;
  reference: string | null;
  title: string;
  description: string;
  location: Json<Job['location']>;
  workplace: string;
  salary: JSONColumnType<NonNullable<Job['salary']> | null, string | null, string | null>;
  employment_status: string;
  category: string | null;
  recruiter: Json<Job['recruiter']>;
  state: string;
  source: string;
  external_id: string | null;
  hidden: ColumnType<boolean, boolean | undefined, boolean>;
  published: ColumnType<boolean, boolean | undefined, boolean>;
  apply_url: ColumnType<string | null, string | null | undefined, string | null>;
  department: ColumnType<string | null, string | null | undefined, string | null>;
  sections: JSONColumnType<NonNullable<Job['sections']> | null, string | null | undefined, string | null>;
  posted_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** The careers site's branding (migration 010): one row. */
export interface CareersSettingsTable {
  id: string;
  settings: Json<Record<string, unknown>>;
  updated_at: UpdatedAt;
}

export interface BoardSettingsTable {
  board: string;
  settings: Json<Record<string, unknown>>;
  /** Sealed with SecretBox. */
  credentials: string;
  updated_at: UpdatedAt;
}

export interface BoardAccountsTable {
  board: string;
  /** The recruiter's email, lower-cased. */
  account: string;
  settings: Json<Record<string, unknown>>;
  credentials: string;
  updated_at: UpdatedAt;
}

export interface PostingsTable {
  id: string;
  job_id: string;
  board: string;
  account: string;
  workflow_id: string;
  state: string;
  options: Json<Record<string, unknown>>;
  external_id: string | null;
  public_url: string | null;
  posted_at: NullableTimestamp;
  expires_at: NullableTimestamp;
  repost_count: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface PostingEventsTable {
  id: Generated<number>;
  posting_id: string;
  kind: string;
  /** Idempotency key: the same event recorded twice (an activity retry) is stored once. */
  key: string;
  details: Json<Record<string, unknown>>;
  at: CreatedAt;
}

export interface CandidatesTable {
  id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  location: Json<Candidate['location']>;
  education: Json<Array<Record<string, unknown>>>;
  experience: Json<Array<Record<string, unknown>>>;
  deleted_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface CandidateSourcesTable {
  candidate_id: string;
  provider: string;
  external_id: string;
  referrer: string | null;
  first_seen_at: CreatedAt;
}

export interface ApplicationsTable {
  id: string;
  candidate_id: string;
  job_id: string | null;
  posting_id: string | null;
  provider: string;
  external_id: string;
  status: string;
  provider_status: string | null;
  referrer: string | null;
  applied_at: Timestamp;
  late: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface DocumentsTable {
  id: string;
  candidate_id: string | null;
  application_id: string | null;
  kind: ColumnType<string, string | undefined, string>;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  content: Uint8Array;
  created_at: CreatedAt;
}

export interface ApplicationDocumentsTable {
  application_id: string;
  document_id: string;
}

export interface Database {
  application_documents: ApplicationDocumentsTable;
  jobs: JobsTable;
  careers_settings: CareersSettingsTable;
  board_settings: BoardSettingsTable;
  board_accounts: BoardAccountsTable;
  postings: PostingsTable;
  posting_events: PostingEventsTable;
  candidates: CandidatesTable;
  candidate_sources: CandidateSourcesTable;
  applications: ApplicationsTable;
  documents: DocumentsTable;
  connectors: ConnectorsTable;
  connector_records: ConnectorRecordsTable;
  intake_deliveries: IntakeDeliveriesTable;
}

export interface ConnectorsTable {
  id: string;
  provider: string;
  name: string;
  settings: JSONColumnType<Record<string, unknown>>;
  credentials: string;
  state: ColumnType<string, string | undefined, string>;
  last_error: string | null;
  streams: ColumnType<Record<string, StreamCursor>, string | undefined, string>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ConnectorRecordsTable {
  connector_id: string;
  stream: string;
  external_id: string;
  source_updated_at: ColumnType<number, number, number>;
  fingerprint: string;
  seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** An application as a board delivered it, staged for its intake workflow (migration 005). */
export interface IntakeDeliveriesTable {
  provider: string;
  external_id: string;
  posting_id: string;
  job_id: string;
  payload: Json<Record<string, unknown>>;
  cv_required: boolean;
  late: boolean;
  cv_filename: string | null;
  cv_content_type: string | null;
  cv_sha256: string | null;
  cv_content: Uint8Array | null;
  state: ColumnType<string, string | undefined, string>;
  reason: string | null;
  candidate_id: string | null;
  application_id: string | null;
  document_id: string | null;
  received_at: CreatedAt;
  processed_at: NullableTimestamp;
}
