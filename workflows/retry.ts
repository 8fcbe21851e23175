/** Failure types that no retry can fix; mirrors ProviderErrorType in src/providers/errors.ts (kept here: workflow code imports no Node modules). */
export const NON_RETRYABLE_PROVIDER_ERRORS_LIST = ['ProviderAuthError', 'ProviderValidationError', 'PostingRejected'];
