/**
 * Custom search attributes of deliverMessage: how operators find messages in the Temporal Web UI
 * (`SmsStatus = "IN_PROGRESS" AND SmsLevel = "region"`). Never personal data: search attributes are
 * not encrypted by a payload codec. Safe to import from workflow code.
 */
import { defineSearchAttributeKey, type SearchAttributePair, type SearchAttributeType } from '@temporalio/common';

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

/**
 * The attributes of a message while its attempt `attempts` is under way. The client sets attempt 1's when it
 * starts the workflow, so the first attempt needs no UpsertWorkflowSearchAttributes (one history event and one
 * visibility write less per message); the workflow upserts them for every later attempt.
 */
export function progressAttributes(p: {
  country: string;
  useCase: string;
  channel: string;
  /** `account/Region`. */
  route: string;
  level: string;
  attempts: number;
}): SearchAttributePair[] {
  return [
    { key: SMS_STATUS, value: 'IN_PROGRESS' },
    { key: SMS_COUNTRY, value: p.country },
    { key: SMS_USE_CASE, value: p.useCase },
    { key: SMS_CHANNEL, value: p.channel },
    { key: SMS_ROUTE, value: p.route },
    { key: SMS_LEVEL, value: p.level },
    { key: SMS_ATTEMPTS, value: p.attempts },
  ];
}
