/**
 * AWS End User Messaging SMS's destination simulator phone numbers: per country, one number whose messages produce a
 * success event and one whose messages produce a failure event. Messages to them "stay within AWS End User Messaging
 * SMS, so that messages are not sent over the carrier network" (they reach no handset and no carrier filter).
 * Source, table copied as published: AWS End User Messaging SMS User Guide, "Simulator phone numbers in AWS End User
 * Messaging SMS", https://docs.aws.amazon.com/sms-voice/latest/userguide/test-phone-numbers.html#test-phone-numbers-destination
 *
 * What that page does not say, and what this project assumes (docs/route-health.md, "Canaries"):
 * - which event type a failure number produces: the local simulator (src/simulator/) answers TEXT_BLOCKED, a success
 *   number TEXT_DELIVERED;
 * - how they are billed: the same page in the Amazon Pinpoint User Guide
 *   (https://docs.aws.amazon.com/pinpoint/latest/userguide/channels-sms-simulator.html) said they cost the standard
 *   outbound rate of their country, count toward the monthly spending quota, and may be sent to from the SMS sandbox
 *   without verifying them.
 * A simulator *origination* number (RequestPhoneNumber with NumberType SIMULATOR, US only) may send only to the
 * destination simulator numbers of its own country (same page).
 */

export type SimulatorOutcome = 'success' | 'failure';

export interface SimulatorNumber {
  /** ISO 3166-1 alpha-2 code of the country (Jersey is JE: its numbers are +44, the UK's calling code). */
  country: string;
  outcome: SimulatorOutcome;
  number: string;
}

/** [country, success number, failure number], in the order of AWS's table. */
const TABLE: readonly (readonly [string, string, string])[] = [
  ['AU', '+61455944038', '+61455944039'],
  ['AT', '+43676800442031', '+43676800442032'],
  ['BE', '+32460213922', '+32460213923'],
  ['CL', '+56229140630', '+56229140631'],
  ['CZ', '+420790542286', '+420790542287'],
  ['DK', '+4525919410', '+4525919215'],
  ['EE', '+37282720792', '+37282720793'],
  ['FI', '+3584573979110', '+3584573979111'],
  ['FR', '+33755512501', '+33755512502'],
  ['HK', '+85257048426', '+85257048854'],
  ['HU', '+36707178770', '+36707178772'],
  ['IT', '+394390009172', '+394390009174'],
  ['JE', '+447937404990', '+447937404992'],
  ['LU', '+352691385880', '+352691385882'],
  ['NL', '+3197008100148', '+3197008100150'],
  ['NO', '+4759449384', '+4759449387'],
  ['PL', '+48732141440', '+48732141442'],
  ['PT', '+351927946948', '+351927946950'],
  ['RO', '+40783900330', '+40783900332'],
  ['ES', '+34683783440', '+34683783442'],
  ['SE', '+46790645100', '+46790645102'],
  ['CH', '+41798075872', '+41798075874'],
  ['TW', '+886903444630', '+886903444632'],
  ['GB', '+447860019066', '+447860019067'],
  ['US', '+14254147755', '+14254147167'],
];

export const SIMULATOR_NUMBERS: readonly SimulatorNumber[] = TABLE.flatMap(([country, success, failure]) => [
  { country, outcome: 'success' as const, number: success },
  { country, outcome: 'failure' as const, number: failure },
]);

const BY_NUMBER = new Map(SIMULATOR_NUMBERS.map((s) => [s.number, s]));

/** The simulator number `e164` is, if it is one. */
export function simulatorNumber(e164: string): SimulatorNumber | undefined {
  return BY_NUMBER.get(e164);
}

/** The success (or failure) simulator number of a country, if AWS has one there. */
export function simulatorNumberFor(country: string, outcome: SimulatorOutcome = 'success'): string | undefined {
  return SIMULATOR_NUMBERS.find((s) => s.country === country && s.outcome === outcome)?.number;
}
