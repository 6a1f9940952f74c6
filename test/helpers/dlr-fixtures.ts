/** DLR bodies as End User Messaging publishes them (through SNS, enveloped or raw). */
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from '../../src/domain/sending';

export const ORIGIN = '+12065550152';
export const DEST = '+14255550156';

export function dlrEvent(
  workflowId: string,
  attempt: number | string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    eventType: 'TEXT_DELIVERED',
    eventVersion: '1.0',
    eventTimestamp: 1686975103470,
    isFinal: true,
    originationPhoneNumber: ORIGIN,
    destinationPhoneNumber: DEST,
    isoCountryCode: 'US',
    mcc: '310',
    mnc: '800',
    messageId: `m-${attempt}`,
    messageRequestTimestamp: 1686975103170,
    messageEncoding: 'GSM',
    messageType: 'TRANSACTIONAL',
    messageStatus: 'DELIVERED',
    messageStatusDescription: 'Message has been accepted by phone',
    context: { [CONTEXT_WORKFLOW_ID]: workflowId, [CONTEXT_ATTEMPT]: String(attempt), app: 'demo' },
    totalMessageParts: 1,
    totalMessagePrice: 0.00581,
    totalCarrierFee: 0.0,
    ...overrides,
  };
}

/** The SQS body when the subscription does not use raw message delivery. */
export function snsEnvelope(message: string): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: '0b7a0a8e-7a36-5c1f-a2b4-3b1c2e6f9d10',
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:dlr',
    Message: message,
    Timestamp: '2023-06-17T04:11:43.470Z',
    SignatureVersion: '1',
    Signature: 'c2lnbmF0dXJl',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/cert.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
  });
}
