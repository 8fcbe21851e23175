import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes the workflows keep current; registered on the dev server at start. */
export const Board = defineSearchAttributeKey('Board', SearchAttributeType.KEYWORD);
export const JobId = defineSearchAttributeKey('JobId', SearchAttributeType.KEYWORD);
export const PostingState = defineSearchAttributeKey('PostingState', SearchAttributeType.KEYWORD);
export const ExpiresAt = defineSearchAttributeKey('ExpiresAt', SearchAttributeType.DATETIME);
export const ConnectorId = defineSearchAttributeKey('ConnectorId', SearchAttributeType.KEYWORD);
export const Provider = defineSearchAttributeKey('Provider', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [Board, JobId, PostingState, ExpiresAt, ConnectorId, Provider];

const CLI_TYPE: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.DATETIME]: 'Datetime',
};

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function searchAttributeArgs(): string[] {
  return ALL_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${CLI_TYPE[k.type]}`]);
}
