/**
 * A status-webhook receiver as an application would write one: a node http server that verifies every request
 * with `verifyWebhookSignature` (401 when it does not verify) and drops duplicates by delivery id. Tests script
 * its answer per request and read what it received.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookEvent } from '../../src/domain/webhook-event';
import { verifyWebhookSignature, WebhookVerificationError } from '../../src/webhooks/verify';

export interface ReceivedRequest {
  deliveryIdHeader?: string;
  /** Set when the signature verified. */
  event?: WebhookEvent;
  keyId?: string;
  /** Why it did not verify. */
  refused?: string;
  status: number;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Verified notifications, one per delivery id (duplicates dropped), in arrival order. */
  deliveries: WebhookEvent[];
  /** The HTTP status for a verified request (default 200); `n` counts this delivery id's requests from 1. */
  answer: (event: WebhookEvent, n: number) => number;
  close: () => Promise<void>;
}

export async function startWebhookReceiver(secrets: Record<string, string>, port = 0): Promise<WebhookReceiver> {
  const receiver = { requests: [], deliveries: [], answer: () => 200 } as unknown as WebhookReceiver;
  const seen = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const record: ReceivedRequest = { status: 401 };
      const header = req.headers['resilient-sms-delivery-id'];
      if (typeof header === 'string') record.deliveryIdHeader = header;
      try {
        const verified = verifyWebhookSignature({
          body: Buffer.concat(chunks),
          signature: req.headers['resilient-sms-signature'],
          secrets,
        });
        record.event = verified.event;
        record.keyId = verified.keyId;
        const n = (seen.get(verified.event.id) ?? 0) + 1;
        seen.set(verified.event.id, n);
        if (n === 1) receiver.deliveries.push(verified.event);
        record.status = receiver.answer(verified.event, n);
      } catch (err) {
        if (!(err instanceof WebhookVerificationError)) throw err;
        record.refused = err.code;
      }
      receiver.requests.push(record);
      res.writeHead(record.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/sms-status`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return receiver;
}

/** A port nothing listens on (yet): connections to it are refused until a receiver is started on it. */
export { freePort } from '../../src/tools/free-ports';
