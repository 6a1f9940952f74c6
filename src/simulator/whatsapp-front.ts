/**
 * The simulator's End User Messaging Social (WhatsApp) front: every request under `/v1/whatsapp/`, answered as the
 * service would (`POST /v1/whatsapp/send` is `SendWhatsAppMessage`). The wire format, validation and the errors
 * faults answer with are in ./whatsapp-protocol. Only API faults apply; every accepted message gets Meta's statuses
 * (./whatsapp-statuses).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJsonBody, sendAwsJson, type Route } from './http';
import type { MessageRecord } from './message-log';
import { isoCountryOf } from './protocol';
import {
  applyConnectionFault,
  identifySend,
  recordSend,
  sendRecord,
  takeFault,
  type IncomingSend,
  type SendFrontDeps,
} from './send-request';
import {
  isObject,
  META_REFUSALS,
  parseWhatsAppSend,
  WHATSAPP_OPERATION,
  WHATSAPP_PATH_PREFIX,
  WHATSAPP_SEND_PATH,
  WHATSAPP_SIGNING_SERVICE,
  whatsAppFaultError,
  WhatsAppError,
  type WhatsAppSend,
} from './whatsapp-protocol';
import { statusSchedule, type MetaRefusal, type WhatsAppStatusPublisher } from './whatsapp-statuses';

export interface WhatsAppFrontDeps extends SendFrontDeps {
  /** Publishes the statuses of accepted messages; absent: none are published. */
  statuses?: WhatsAppStatusPublisher;
  /** Time from acceptance to `delivered` (`read` follows after as long again). */
  deliveryDelayMs?: number;
  /** Config account name -> its 12-digit AWS account id (the events' header). */
  accountIds?: ReadonlyMap<string, string>;
}

/** Meta's statuses for an accepted message (or its refusal), when a publisher is set. */
function scheduleStatuses(
  deps: WhatsAppFrontDeps,
  record: MessageRecord,
  message: WhatsAppSend,
  refusal?: MetaRefusal,
) {
  if (!deps.statuses) return;
  deps.statuses.schedule(
    {
      record,
      wamid: `wamid.${randomBytes(24).toString('base64')}`,
      ...(message.callbackData !== undefined ? { callbackData: message.callbackData } : {}),
      awsAccountId: deps.accountIds?.get(record.account ?? '') ?? '000000000000',
    },
    statusSchedule(deps.deliveryDelayMs ?? 0, refusal),
  );
}

function answer(res: ServerResponse, requestId: string, status: number, body: unknown, errorType?: string): void {
  sendAwsJson(res, requestId, status, body, errorType ? { 'x-amzn-ErrorType': errorType } : {});
}

/** The front door's checks: signed, for this service, by a known key. Returns the caller's account and Region. */
function knownCaller(incoming: IncomingSend): { account: string; region: string } {
  const { caller, account } = incoming;
  if (!caller) throw new WhatsAppError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  if (caller.signingService !== WHATSAPP_SIGNING_SERVICE) {
    const message = `Credential should be scoped to correct service: '${WHATSAPP_SIGNING_SERVICE}'.`;
    throw new WhatsAppError(403, 'InvalidSignatureException', message);
  }
  if (!account) {
    throw new WhatsAppError(
      403,
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
  }
  return { account, region: caller.region };
}

/** `SendWhatsAppMessage`: sends the message, or does what its fault says. */
function sendMessage(
  req: IncomingMessage,
  res: ServerResponse,
  deps: WhatsAppFrontDeps,
  caller: { account: string; region: string },
  body: unknown,
  record: MessageRecord,
): void {
  const message = parseWhatsAppSend(body, caller.region);
  const isoCountryCode = isoCountryOf(message.destination);
  Object.assign(record, {
    originator: message.originationPhoneNumberId,
    destination: message.destination,
    ...(isoCountryCode ? { isoCountryCode } : {}),
    messageType: message.type,
    context: message.context,
  });
  const fault = takeFault(deps.faults, record, {
    operation: WHATSAPP_OPERATION,
    account: caller.account,
    region: caller.region,
    originator: message.originationPhoneNumberId,
    destination: message.destination,
  });
  const accept = (): string => {
    const messageId = randomUUID();
    record.messageId = messageId;
    record.outcome = 'accepted';
    return messageId;
  };
  let refusal: MetaRefusal | undefined;
  if (fault && 'api' in fault.effect) {
    const effect = fault.effect.api;
    if (applyConnectionFault(req, record, effect, accept)) {
      if (record.outcome === 'ambiguous') scheduleStatuses(deps, record, message);
      return;
    }
    const error = whatsAppFaultError(effect);
    if (error) throw error;
    refusal = META_REFUSALS[effect as keyof typeof META_REFUSALS];
  }
  answer(res, record.requestId, 200, { messageId: accept() });
  scheduleStatuses(deps, record, message, refusal);
}

/** Handles every request under `/v1/whatsapp/`. */
export function whatsAppFront(deps: WhatsAppFrontDeps): Route {
  function handle(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): void {
    const path = url.pathname;
    const incoming = identifySend(req, deps.keys);
    const record = sendRecord(incoming, WHATSAPP_OPERATION);
    const body = parseJsonBody(raw);
    if (isObject(body) && typeof body.originationPhoneNumberId === 'string') {
      record.originator = body.originationPhoneNumberId;
    }
    let logIt = true;
    try {
      if (req.method !== 'POST' || path !== WHATSAPP_SEND_PATH) {
        logIt = false;
        const message = `The simulator implements POST ${WHATSAPP_SEND_PATH} (SendWhatsAppMessage); got ${req.method} ${path}`;
        throw new WhatsAppError(404, 'UnknownOperationException', message);
      }
      sendMessage(req, res, deps, knownCaller(incoming), body, record);
    } catch (err) {
      const error =
        err instanceof WhatsAppError
          ? err
          : new WhatsAppError(500, 'InternalServiceException', `simulator error: ${(err as Error).message}`);
      if (!(err instanceof WhatsAppError))
        deps.emit('error', 'internal error', { operation: WHATSAPP_OPERATION, error: String(err) });
      record.outcome = 'rejected';
      record.error = { type: error.type, message: error.message };
      answer(res, incoming.requestId, error.status, { message: error.message }, error.type);
    } finally {
      if (logIt) recordSend(deps.emit, deps.messages, record);
    }
  }

  return { matches: (_req, url) => url.pathname.startsWith(WHATSAPP_PATH_PREFIX), handle };
}
