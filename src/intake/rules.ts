// The intake's rules, shared by the webhook (to refuse at once what it can) and the applicationIntake workflow.
// Pure: no Node modules, no I/O — the workflow bundle imports this file.

/** The workflow's input: ids only. The application itself is staged in the store (no CV bytes or PII in history). */
export interface IntakeRef {
  provider: string;
  applicationId: string;
}

/** What a board's CV turned out to be once its bytes were looked at. */
export type CvVerdict = { kind: 'none' } | { kind: 'acceptable'; contentType: string } | { kind: 'refused'; reason: string };

/** What the intake workflow learns about a staged application: facts, never personal data. */
export interface IntakeFacts {
  postingId: string;
  jobId: string;
  /** The posting was unposted or expired when the application arrived. */
  late: boolean;
  /** Quick apply was off: the posting requires a CV. */
  cvRequired: boolean;
  cv: CvVerdict;
}

export type IntakeDecision = { action: 'reject'; reason: string } | { action: 'record'; storeCv: boolean; cvNote?: string };

export interface IntakeOutcome {
  /** `skipped`: the applicant's data was erased earlier and is not taken in again (reason `erased`). */
  outcome: 'recorded' | 'rejected' | 'skipped';
  reason?: string;
  candidateId?: string;
  applicationId?: string;
  documentId?: string;
  late?: boolean;
  /** Why a CV that came with the application was not kept (the application is still recorded). */
  cvNote?: string;
}

/** The status every new application starts in. */
export const NEW_APPLICATION_STATUS = 'new';

/** A business key: a second delivery of the same application joins the first one's workflow. */
export const intakeWorkflowId = (provider: string, applicationId: string) => `application:${provider}:${applicationId}`;

/** Posting states in which an application arrives after the job has left the board. */
export const isLateFor = (postingState: string) => postingState === 'expired' || postingState === 'unposted' || postingState === 'failed';

/**
 * A posting without quick apply requires a usable CV: without one the application is rejected.
 * Otherwise it is recorded; a CV of a type we do not take is left out, with the reason.
 */
export function decideIntake({ cvRequired, cv }: Pick<IntakeFacts, 'cvRequired' | 'cv'>): IntakeDecision {
  if (cv.kind === 'acceptable') return { action: 'record', storeCv: true };
  if (cvRequired) {
    const why = cv.kind === 'none' ? 'no CV was attached' : cv.reason;
    return { action: 'reject', reason: `the posting requires a CV (quick apply is off): ${why}` };
  }
  return cv.kind === 'refused' ? { action: 'record', storeCv: false, cvNote: cv.reason } : { action: 'record', storeCv: false };
}
