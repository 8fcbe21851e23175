// The failure types (an ApplicationFailure's `type`) that activities raise and workflows tell apart: one list,
// free of Node and axios, so workflow code imports it.

/** How a provider call failed, as `toProviderFailure` (src/providers/errors.ts) translates it. */
export const ProviderErrorType = {
  /** 401/403: wrong or revoked credentials, missing permission. Not retried. */
  Auth: 'ProviderAuthError',
  /** 400/404/409/422: the provider refused what we sent. Not retried. */
  Validation: 'ProviderValidationError',
  /** 429: retried after the provider's Retry-After. */
  RateLimited: 'ProviderRateLimited',
  /** 5xx, timeouts, dropped connections, an answer that does not fit its schema: retried with backoff. */
  Unavailable: 'ProviderUnavailable',
} as const;

/** A posting that cannot go ahead as it stands (unpostable job, board not set up, posting or job gone). */
export const POSTING_REJECTED = 'PostingRejected';

/** A connector whose row is gone, or whose stored settings or credentials no longer validate. */
export const CONNECTOR_CONFIG_ERROR = 'ConnectorConfigError';

/** An application intake whose staged delivery is missing or cannot be read back: no retry brings it. */
export const INTAKE_NOT_STAGED = 'IntakeNotStaged';

/** The store refused an application's own values (NUL, an index row over 8 KiB): retrying the same values cannot help. */
export const INTAKE_REFUSED = 'IntakeRefusedByStore';
/** An application whose applicant's data was erased while it was being taken in: nothing more is written. */
export const INTAKE_ERASED = 'IntakeErased';

/** Provider failures no retry fixes: a person must act (a new key, a permission, a refused field). */
export const PROVIDER_NEEDS_PERSON: string[] = [ProviderErrorType.Auth, ProviderErrorType.Validation];

/** A connector's failures no retry fixes: its provider's refusals, and its own settings or credentials. */
export const CONNECTOR_NEEDS_PERSON: string[] = [...PROVIDER_NEEDS_PERSON, CONNECTOR_CONFIG_ERROR];
