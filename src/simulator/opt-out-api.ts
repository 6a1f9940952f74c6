/**
 * The opt-out list operations of the SMS v2 JSON protocol, with the request, response and error shapes of
 * `@aws-sdk/client-pinpoint-sms-voice-v2` (API reference:
 * https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_Operations.html):
 *
 * - CreateOptOutList `{OptOutListName}` (`[A-Za-z0-9_-]+`, 1-64) -> `{OptOutListArn, OptOutListName, Tags,
 *   CreatedTimestamp}`; a name in use -> ConflictException `RESOURCE_ALREADY_EXISTS`.
 * - DescribeOptOutLists `{OptOutListNames?, NextToken?, MaxResults?, Owner?}` -> `{OptOutLists, NextToken?}`; a name
 *   that does not exist -> ResourceNotFoundException (ResourceType `opt-out-list`).
 * - PutOptedOutNumber `{OptOutListName, OptedOutNumber}` -> `{OptOutListArn, OptOutListName, OptedOutNumber,
 *   OptedOutTimestamp, EndUserOptedOut}`.
 * - DescribeOptedOutNumbers `{OptOutListName, OptedOutNumbers?, Filters?, NextToken?, MaxResults?}` ->
 *   `{OptOutListArn, OptOutListName, OptedOutNumbers, NextToken?}`; the filter `end-user-opted-out` (`true`/`false`).
 * - DeleteOptedOutNumber `{OptOutListName, OptedOutNumber}` -> as Put; "If the specified destination phone number
 *   doesn't exist or if the opt-out list doesn't exist, an error is returned"
 *   (https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_DeleteOptedOutNumber.html):
 *   ResourceNotFoundException with ResourceType `opted-out-number` or `opt-out-list`.
 *
 * A list is named by its name or its ARN (a shared list: by ARN only). A phone number outside the model's pattern
 * `\+?[1-9][0-9]{1,18}` -> ValidationException. Timestamps are epoch seconds, as AWS JSON 1.0 writes them.
 */
import {
  AwsError,
  optionalEnum,
  optionalString,
  PHONE_PATTERN,
  requiredString,
  validationError,
  type JsonObject,
  type OptOutOperation,
} from './protocol';
import type { OptedOutEntry, OptOutListState, OptOutLists } from './opt-out-lists';

const seconds = (ms: number) => ms / 1000;

function notFound(type: 'opt-out-list' | 'opted-out-number', id: string): AwsError {
  const what = type === 'opt-out-list' ? 'Opt-out list' : 'Opted-out number';
  return new AwsError(400, 'ResourceNotFoundException', `${what} ${id} was not found`, undefined, {
    ResourceType: type,
    ResourceId: id,
  });
}

function phoneNumber(body: JsonObject, field: string): string {
  const v = requiredString(body, field, 20);
  if (!PHONE_PATTERN.test(v))
    throw validationError('INVALID_PARAMETER', field, 'is not a phone number in E.164 format');
  return v.startsWith('+') ? v : `+${v}`;
}

function maxResults(body: JsonObject): number {
  const v = body.MaxResults;
  if (v === undefined || v === null) return 100;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 100) {
    throw validationError('INVALID_PARAMETER', 'MaxResults', 'must be an integer from 1 to 100');
  }
  return v;
}

/** NextToken: the offset, base64; anything else is a ValidationException, as a foreign token is. */
function offset(body: JsonObject): number {
  const token = optionalString(body, 'NextToken', 1024);
  if (token === undefined) return 0;
  const n = Number(Buffer.from(token, 'base64').toString('utf8'));
  if (!Number.isInteger(n) || n < 0) throw validationError('INVALID_PARAMETER', 'NextToken', 'is not a valid token');
  return n;
}

function page<T>(items: T[], body: JsonObject): { items: T[]; NextToken?: string } {
  const from = offset(body);
  const to = from + maxResults(body);
  return {
    items: items.slice(from, to),
    ...(to < items.length ? { NextToken: Buffer.from(String(to)).toString('base64') } : {}),
  };
}

function stringList(body: JsonObject, field: string, max: number): string[] | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
    throw validationError('INVALID_PARAMETER', field, 'must be a list of strings');
  }
  if (v.length > max) throw validationError('MAXIMUM_SIZE_EXCEEDED', field, `at most ${max} values`);
  return v as string[];
}

const numberInfo = (e: OptedOutEntry) => ({
  OptedOutNumber: e.number,
  OptedOutTimestamp: seconds(e.at),
  EndUserOptedOut: e.endUser,
});

const listInfo = (l: OptOutListState) => ({
  OptOutListArn: l.arn,
  OptOutListName: l.name,
  CreatedTimestamp: seconds(l.createdAt),
});

/** `Filters` of DescribeOptedOutNumbers: only `end-user-opted-out` exists (OptedOutFilterName). */
function endUserFilter(body: JsonObject): ((e: OptedOutEntry) => boolean) | undefined {
  const filters = body.Filters;
  if (filters === undefined || filters === null) return undefined;
  if (!Array.isArray(filters)) throw validationError('INVALID_PARAMETER', 'Filters', 'must be a list');
  const wanted: boolean[] = [];
  filters.forEach((f: unknown, i) => {
    const field = `Filters.${i}`;
    if (typeof f !== 'object' || f === null) throw validationError('INVALID_PARAMETER', field, 'must be an object');
    optionalEnum(f as JsonObject, 'Name', ['end-user-opted-out']);
    if ((f as JsonObject).Name === undefined)
      throw validationError('MISSING_PARAMETER', `${field}.Name`, 'is required');
    const values = stringList(f as JsonObject, 'Values', 20) ?? [];
    for (const v of values) {
      if (v !== 'true' && v !== 'false') throw validationError('INVALID_PARAMETER', `${field}.Values`, 'true or false');
      wanted.push(v === 'true');
    }
  });
  return wanted.length === 0 ? undefined : (e) => wanted.includes(e.endUser);
}

/** Runs one opt-out list operation for the caller (account, Region); returns the response body. */
export function optOutOperation(
  lists: OptOutLists,
  operation: OptOutOperation,
  caller: { account: string; region: string },
  body: JsonObject,
): Record<string, unknown> {
  const { account, region } = caller;
  const listNamed = (field = 'OptOutListName') => {
    const name = requiredString(body, field, 256);
    const list = lists.find(account, region, name);
    if (!list) throw notFound('opt-out-list', name);
    return list;
  };
  switch (operation) {
    case 'CreateOptOutList': {
      const name = requiredString(body, 'OptOutListName', 64);
      if (!/^[A-Za-z0-9_-]+$/.test(name)) {
        throw validationError('INVALID_PARAMETER', 'OptOutListName', 'must match [A-Za-z0-9_-]+');
      }
      const list = lists.create(account, region, name);
      if (!list) {
        throw new AwsError(400, 'ConflictException', `Opt-out list ${name} already exists`, 'RESOURCE_ALREADY_EXISTS', {
          ResourceType: 'opt-out-list',
          ResourceId: name,
        });
      }
      return { ...listInfo(list), Tags: [] };
    }
    case 'DescribeOptOutLists': {
      const owner = optionalEnum(body, 'Owner', ['SELF', 'SHARED']) ?? 'SELF';
      const names = stringList(body, 'OptOutListNames', 5);
      const own = [...lists.lists(account, region).values()];
      const found = names ? names.map((n) => lists.find(account, region, n) ?? notFoundThrow(n)) : own;
      const shown = owner === 'SHARED' && !names ? [] : found;
      const { items, NextToken } = page(shown, body);
      return { OptOutLists: items.map(listInfo), ...(NextToken ? { NextToken } : {}) };
    }
    case 'PutOptedOutNumber': {
      const list = listNamed();
      const entry = lists.put(list, phoneNumber(body, 'OptedOutNumber'), false);
      return { OptOutListArn: list.arn, OptOutListName: list.name, ...numberInfo(entry) };
    }
    case 'DescribeOptedOutNumbers': {
      const list = listNamed();
      const numbers = stringList(body, 'OptedOutNumbers', 5);
      numbers?.forEach((n, i) => {
        if (!PHONE_PATTERN.test(n)) {
          throw validationError('INVALID_PARAMETER', `OptedOutNumbers.${i}`, 'is not a phone number in E.164 format');
        }
      });
      const filter = endUserFilter(body);
      const wanted = numbers?.map((n) => (n.startsWith('+') ? n : `+${n}`));
      const entries = [...list.numbers.values()]
        .filter((e) => !wanted || wanted.includes(e.number))
        .filter((e) => !filter || filter(e))
        .sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
      const { items, NextToken } = page(entries, body);
      return {
        OptOutListArn: list.arn,
        OptOutListName: list.name,
        OptedOutNumbers: items.map(numberInfo),
        ...(NextToken ? { NextToken } : {}),
      };
    }
    case 'DeleteOptedOutNumber': {
      const list = listNamed();
      const number = phoneNumber(body, 'OptedOutNumber');
      const entry = lists.remove(list, number);
      if (!entry) throw notFound('opted-out-number', number);
      return { OptOutListArn: list.arn, OptOutListName: list.name, ...numberInfo(entry) };
    }
  }
}

function notFoundThrow(name: string): never {
  throw notFound('opt-out-list', name);
}
