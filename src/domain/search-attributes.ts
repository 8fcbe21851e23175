import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Custom search attributes the workflows keep current. Workflow-safe: the workflows, the Temporal clients and the
// dev-server tooling (which registers them) all import this file.

export const Board = defineSearchAttributeKey('Board', SearchAttributeType.KEYWORD);
export const JobId = defineSearchAttributeKey('JobId', SearchAttributeType.KEYWORD);
export const PostingState = defineSearchAttributeKey('PostingState', SearchAttributeType.KEYWORD);
export const ExpiresAt = defineSearchAttributeKey('ExpiresAt', SearchAttributeType.DATETIME);
export const ConnectorId = defineSearchAttributeKey('ConnectorId', SearchAttributeType.KEYWORD);
export const Provider = defineSearchAttributeKey('Provider', SearchAttributeType.KEYWORD);

/** A relay's candidate delivery: pending, delivered, refused or failed. */
export const DeliveryState = defineSearchAttributeKey('DeliveryState', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [Board, JobId, PostingState, ExpiresAt, ConnectorId, Provider, DeliveryState];
