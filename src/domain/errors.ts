// Errors of the domain, raised by services, repositories and the Temporal clients; the API maps each to its HTTP
// status in one place (src/api/errors.ts). `details` is shown to the caller: never put secrets in it.

export class DomainError extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** What was asked for does not exist. */
export class NotFoundError extends DomainError {}

/** The input is malformed: a field, a cursor, a provider's settings. */
export class InvalidError extends DomainError {}

/** The current state does not allow it (a paused connector, a posting that is not live): nothing was changed. */
export class ConflictError extends DomainError {}

/** Well-formed, but a rule refuses it (a job the board cannot take, a board not set up, a CV that is required). */
export class RefusedError extends DomainError {}

/** It existed but is gone for good: a candidate whose data was erased. */
export class GoneError extends DomainError {}

/** It could not be done now, and may be asked again later (Temporal unreachable). */
export class UnavailableError extends DomainError {}

/** A provider it depends on could not be reached or did not answer, so nothing was changed. */
export class ProviderUnreachableError extends DomainError {}

export const notFound = (what: string) => new NotFoundError(`${what} not found`);
