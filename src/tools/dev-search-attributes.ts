/**
 * Custom search attributes registered on every dev server this project starts (jest global setup, local stack),
 * derived from the keys the workflow upserts (src/domain/search-attributes.ts): one list, never out of step.
 */
import { CLI_TYPE_NAMES, SEARCH_ATTRIBUTE_KEYS } from '../domain/search-attributes';
import type { SearchAttributeTypeName } from './temporal-cli';

export const DEV_SEARCH_ATTRIBUTES: Readonly<Record<string, SearchAttributeTypeName>> = Object.fromEntries(
  SEARCH_ATTRIBUTE_KEYS.map((key) => [key.name, CLI_TYPE_NAMES[key.type] as SearchAttributeTypeName]),
);
