/**
 * `resilient-sms setup`: registers the custom search attributes deliverMessage upserts
 * (src/domain/search-attributes.ts) on an existing Temporal server, through the operator service.
 * Idempotent: lists what the namespace has first, adds only what is missing, and fails clearly when an
 * attribute exists with another type (the workflow's upserts would fail on it).
 */
import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_KEYS } from '../domain/search-attributes';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
type IndexedValueType = temporal.api.enums.v1.IndexedValueType;

export const INDEXED_VALUE_TYPES: Record<SearchAttributeType, IndexedValueType> = {
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

export function indexedTypeName(t: IndexedValueType | undefined | null): string {
  const name = t === undefined || t === null ? undefined : IndexedValueType[t];
  return name ? name.replace('INDEXED_VALUE_TYPE_', '') : String(t);
}

export class SearchAttributeConflictError extends Error {}

export interface SetupResult {
  namespace: string;
  /** Added by this run. */
  added: string[];
  /** Already registered with the right type. */
  present: string[];
}

export interface SetupOptions {
  connection: Pick<Connection, 'operatorService'>;
  namespace: string;
  /** Default: every key of src/domain/search-attributes.ts. */
  keys?: readonly { name: string; type: SearchAttributeType }[];
}

export async function ensureSearchAttributes(opts: SetupOptions): Promise<SetupResult> {
  const keys = opts.keys ?? SEARCH_ATTRIBUTE_KEYS;
  const { namespace } = opts;
  const listed = await opts.connection.operatorService.listSearchAttributes({ namespace });
  const existing: Record<string, IndexedValueType> = {
    ...(listed.systemAttributes ?? {}),
    ...(listed.customAttributes ?? {}),
  };
  const missing: Record<string, IndexedValueType> = {};
  const present: string[] = [];
  const conflicts: string[] = [];
  for (const key of keys) {
    const want = INDEXED_VALUE_TYPES[key.type];
    const have = existing[key.name];
    if (have === undefined) missing[key.name] = want;
    else if (have !== want)
      conflicts.push(`${key.name} is ${indexedTypeName(have)}, deliverMessage needs ${indexedTypeName(want)}`);
    else present.push(key.name);
  }
  if (conflicts.length > 0) {
    throw new SearchAttributeConflictError(
      `search attributes with the wrong type in namespace "${namespace}": ${conflicts.join('; ')}. ` +
        'Remove them (temporal operator search-attribute remove) or use another namespace.',
    );
  }
  const added = Object.keys(missing);
  if (added.length > 0) {
    try {
      await opts.connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    } catch (err) {
      // Another `setup` (or a second replica) may have added them in the meantime: check again.
      const again = await opts.connection.operatorService.listSearchAttributes({ namespace });
      const now = again.customAttributes ?? {};
      if (!added.every((name) => now[name] === missing[name])) throw err;
    }
  }
  return { namespace, added, present };
}
