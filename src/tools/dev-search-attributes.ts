/**
 * Custom search attributes registered on every dev server this project starts (jest global setup, local stack).
 * A workflow that upserts an attribute not registered here fails its workflow task, so keep this list in step
 * with the keys the workflows define. Never put phone numbers, bodies or codes in search attributes: they are
 * not encrypted by a payload codec.
 */
import type { SearchAttributeTypeName } from './temporal-cli';

export const DEV_SEARCH_ATTRIBUTES: Readonly<Record<string, SearchAttributeTypeName>> = {
  SmsUseCase: 'Keyword',
  SmsStatus: 'Keyword',
  SmsCountry: 'Keyword',
  SmsChannel: 'Keyword',
  SmsRung: 'Keyword',
  SmsAttempts: 'Int',
};
