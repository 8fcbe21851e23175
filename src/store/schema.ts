import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Job } from '../domain/job';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface JobsTable {
  id: string;
  reference: string | null;
  title: string;
  description: string;
  location: JSONColumnType<Job['location']>;
  workplace: string;
  salary: JSONColumnType<NonNullable<Job['salary']> | null>;
  employment_status: string;
  category: string | null;
  recruiter: JSONColumnType<Job['recruiter']>;
  state: string;
  source: string;
  external_id: string | null;
  hidden: boolean;
  published: boolean;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface Database {
  jobs: JobsTable;
  kysely_migration: { name: string; timestamp: string };
  _generated?: Generated<never>;
}
