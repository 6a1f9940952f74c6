/** Copy to /work/main/test/unit/ to run. Fails today: the schema's own message for a bad record key is dropped. */
import { parseConfigText } from '../../src/config/load';

it('BUG 3: a bad country key reports the schema message, not only "Invalid key in record"', () => {
  const text = `
accounts: { a: {} }
routes: [{ id: r, account: a, region: eu-west-1 }]
originators:
  usa: [{ route: r, identity: ACME, kind: sender-id, type: sender-id }]
policies: { otp: {} }
`;
  expect(() => parseConfigText(text, 'sms.yaml')).toThrow(
    /originators\.usa: .*country keys are ISO 3166-1 alpha-2 codes or "\*"/,
  );
});
