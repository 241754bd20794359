import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SEARCH_ATTRIBUTES = {
  EntityType: defineSearchAttributeKey('EntityType', SearchAttributeType.KEYWORD),
  ExternalId: defineSearchAttributeKey('ExternalId', SearchAttributeType.KEYWORD),
  ProcessingState: defineSearchAttributeKey('ProcessingState', SearchAttributeType.KEYWORD),
  AwaitingOn: defineSearchAttributeKey('AwaitingOn', SearchAttributeType.KEYWORD_LIST),
  IsStub: defineSearchAttributeKey('IsStub', SearchAttributeType.BOOL),
  SyncState: defineSearchAttributeKey('SyncState', SearchAttributeType.KEYWORD),
  StaleStub: defineSearchAttributeKey('StaleStub', SearchAttributeType.BOOL),
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;

/** Name → indexed value type of every custom search attribute the project uses. */
export const SEARCH_ATTRIBUTE_TYPES = Object.fromEntries(
  Object.values(SEARCH_ATTRIBUTES).map((key) => [key.name, key.type]),
) as Readonly<Record<SearchAttributeName, SearchAttributeType>>;
