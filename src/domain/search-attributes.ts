/**
 * Custom search attributes of deliverMessage: how operators find messages in the Temporal Web UI
 * (`SmsStatus = "IN_PROGRESS" AND SmsLevel = "region"`). Never personal data: search attributes are
 * not encrypted by a payload codec. Safe to import from workflow code.
 */
import { defineSearchAttributeKey, type SearchAttributeType } from '@temporalio/common';

export const SMS_STATUS = defineSearchAttributeKey('SmsStatus', 'KEYWORD');
export const SMS_CHANNEL = defineSearchAttributeKey('SmsChannel', 'KEYWORD');
/** `account/Region` of the current attempt, e.g. `secondary/us-east-1`. */
export const SMS_ROUTE = defineSearchAttributeKey('SmsRoute', 'KEYWORD');
/** How far the message climbed: initial, originator, account, region, channel. */
export const SMS_LEVEL = defineSearchAttributeKey('SmsLevel', 'KEYWORD');
export const SMS_ATTEMPTS = defineSearchAttributeKey('SmsAttempts', 'INT');
export const SMS_COUNTRY = defineSearchAttributeKey('SmsCountry', 'KEYWORD');
export const SMS_USE_CASE = defineSearchAttributeKey('SmsUseCase', 'KEYWORD');

export const SEARCH_ATTRIBUTE_KEYS = [
  SMS_STATUS,
  SMS_CHANNEL,
  SMS_ROUTE,
  SMS_LEVEL,
  SMS_ATTEMPTS,
  SMS_COUNTRY,
  SMS_USE_CASE,
] as const;

/** The CLI's spelling of each type (`temporal operator search-attribute create --type`). */
export const CLI_TYPE_NAMES: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};
