/**
 * The visibility query of wakeMessagesOnRoute (src/activities/route-health.ts) for each kind of key; the activity
 * itself runs against the dev server in test/workflows/route-health.test.ts.
 */
import { wakeQuery } from '../../src/activities/route-health';

const routes = ['primary/us-east-1', 'secondary/us-east-1', 'primary/us-west-2'];

describe('wakeQuery', () => {
  it('selects the in-flight messages of the key, on the deployment task queue', () => {
    expect(wakeQuery({ key: 'route:primary/us-east-1', taskQueue: 'rsms' })).toBe(
      'SmsStatus = "IN_PROGRESS" AND SmsRoute = "primary/us-east-1" AND TaskQueue = "rsms"',
    );
    expect(wakeQuery({ key: 'region:us-east-1', routes })).toBe(
      'SmsStatus = "IN_PROGRESS" AND SmsRoute IN ("primary/us-east-1", "secondary/us-east-1")',
    );
    expect(wakeQuery({ key: 'originator:primary/us-west-2/+12065550100@US', routes })).toBe(
      'SmsStatus = "IN_PROGRESS" AND SmsRoute = "primary/us-west-2" AND SmsCountry = "US"',
    );
    expect(wakeQuery({ key: 'originator:primary/us-west-2/pool-a@*' })).toBe(
      'SmsStatus = "IN_PROGRESS" AND SmsRoute = "primary/us-west-2"',
    );
  });

  it('says why there is no query instead of building an unsafe or empty one', () => {
    expect(wakeQuery({ key: 'region:eu-west-1', routes })).toEqual({ note: 'no configured route in eu-west-1' });
    expect(wakeQuery({ key: 'route:a"b/us-east-1' })).toEqual({
      note: 'unsafe value in a visibility query: "a\\"b/us-east-1"',
    });
    expect(wakeQuery({ key: 'nope' })).toEqual({ note: 'nope is not a route-health key' });
  });
});
