import type { OriginPolicy } from '../providers/origins';
import type { TokenBucket } from '../providers/rate-limit';

// A relay: a sourcing tool that sends candidates into a customer's ATS (inhire → eRecruiter), and the ATS's stage
// changes synced back to the tool once a day. The delivery workflow, the status-sync run, the mapping rules and
// their API are generic over this; a provider's `relay` entry says only what is its own. No Temporal imports here.

/** A stage of the ATS's recruitment pipeline: the ATS's defaults and the company's own. */
export interface AtsStage {
  id: string;
  name: string;
  isDefault: boolean;
}

/** One entry of an application's stage history: it entered `stageId` at `changedAt` (ISO 8601). */
export interface StageChange {
  stageId: string;
  changedAt: string;
}

export interface AtsApplication {
  id: string;
  createdAt: string;
  /** The tool's own id for the candidate, when the ATS keeps it (the delivery's `externalId`). */
  externalId?: string;
}

export interface Recruitment {
  id: string;
  name: string;
  /** The connector's access scope lets it read and write this recruitment. */
  inScope: boolean;
}

/** A publication place of the ATS ("source"): what every delivered candidate is tagged with. */
export interface Source {
  id: string;
  name: string;
}

/** The person as the tool describes them: staged in our store for the delivery, never carried by a workflow. */
export interface DeliveredPerson {
  firstName: string;
  lastName: string;
  email?: string;
  phone?: string;
}

/** A candidate the tool approved for one ATS recruitment, as its delivery stages it. */
export interface ReadyCandidate {
  candidateId: string;
  recruitmentId: string;
  person: DeliveredPerson;
  /** Where the tool serves the CV, when it said; the connection knows the default. */
  cvUrl?: string;
}

export type DeliveryResult =
  | { outcome: 'delivered'; applicationId: string; duplicate: boolean }
  /** The ATS (or a rule of ours) refused this candidate: `reason` in words safe for workflow history, `detail` the ATS's own. */
  | { outcome: 'refused'; reason: string; detail?: string };

/** One connector's two sides, credentials opened, for the length of one activity. Failures are ApplicationFailures. */
export interface RelayConnection {
  /** Requests sent so far, on both sides. */
  readonly requests: number;
  sources(): Promise<Source[]>;
  recruitments(): Promise<Recruitment[]>;
  /** Whether the scope lets the connector write into the recruitment; undefined when the scope check finds none. */
  recruitment(id: string): Promise<Recruitment | undefined>;
  /** Puts the candidate into its recruitment, tagged with the source; the same candidate again is the same application. */
  deliver(candidate: ReadyCandidate, sourceId: string): Promise<DeliveryResult>;
  /** Tells the tool what became of its candidate. */
  reportDelivery(candidateId: string, result: DeliveryResult): Promise<void>;
  stages(): Promise<AtsStage[]>;
  /** One page of a recruitment's applications (`page` from the previous page's `next`; unset: the first). */
  applications(recruitmentId: string, page: string | undefined): Promise<{ items: AtsApplication[]; next?: string }>;
  /** The application's stage history, oldest first. */
  stageHistory(applicationId: string): Promise<StageChange[]>;
  /** Sets the tool's status of its candidate; the same change twice changes nothing. */
  pushStatus(candidateId: string, status: string, changedAt: string): Promise<void>;
}

export interface RelayContext<Settings, Credentials> {
  settings: Settings;
  credentials: Credentials;
  /** Where the credentials may go (the clients bind to it). */
  origins: OriginPolicy;
  /** The token bucket of one side's credentials, shared by every activity of the connector in the process. */
  limiter(side: 'ats' | 'tool'): TokenBucket;
  /** Called while requests wait (rate limit, backoff), so a long activity keeps heartbeating. */
  heartbeat(): void;
}

/** A provider's relay part. Its settings carry the chosen source as `sourceId`. */
export interface RelayEntry<Settings extends { sourceId?: string } = { sourceId?: string }, Credentials = unknown> {
  /** How an operator names the two sides, e.g. `{ ats: 'eRecruiter', tool: 'inhire' }`. */
  names: { ats: string; tool: string };
  /** The tool's statuses a stage may map to. */
  statuses: readonly string[];
  /** The ATS's default stages by name, each pre-mapped to the status it is locked to. */
  lockedStages: Readonly<Record<string, string>>;
  connect(ctx: RelayContext<Settings, Credentials>): RelayConnection;
}
