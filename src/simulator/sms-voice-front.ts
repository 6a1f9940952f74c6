/**
 * The simulator's End User Messaging SMS and voice v2 front (AWS JSON 1.0, `X-Amz-Target:
 * PinpointSMSVoiceV2.<Operation>`): `SendTextMessage`, `SendVoiceMessage`, `PutMessageFeedback`. The Region comes from
 * the SigV4 credential scope, the account from the access key id; signatures are not verified. Accepted messages get
 * their delivery events scheduled (faults and DLR chaos applied). The wire format and validation are in ./protocol.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DlrChaos } from './chaos';
import type { EventScheduler } from './event-scheduler';
import { simulatorNumber } from '../domain/simulator-numbers';
import { eventSchedule, type FinalEventType } from './events';
import { apiFaultError, type Fault } from './faults';
import { parseJsonBody, sendAwsJson, type Route } from './http';
import type { MessageRecord } from './message-log';
import type { ProtectConfigurations } from './protect';
import { parseSendParameters } from './send-parameters';
import type { MpsLimits } from './mps-limits';
import {
  AwsError,
  CORAL_NAMESPACE,
  isoCountryOf,
  isSupportedOperation,
  OPT_OUT_OPERATIONS,
  parseFeedbackRequest,
  parseSendRequest,
  SIGNING_SERVICE,
  SUPPORTED_OPERATIONS,
  TARGET_PREFIX,
  validationError,
  type Caller,
  type JsonObject,
  type OptOutOperation,
  type SendOperation,
  type SendRequest,
} from './protocol';
import { optOutOperation } from './opt-out-api';
import type { OptOutLists } from './opt-out-lists';
import {
  applyConnectionFault,
  identifySend,
  recordSend,
  sendRecord,
  takeFault,
  type IncomingSend,
  type SendFrontDeps,
} from './send-request';

export interface SmsVoiceFrontDeps extends SendFrontDeps {
  chaos: DlrChaos;
  events: EventScheduler;
  /** Time from acceptance to the final delivery event, unless a fault says otherwise. */
  deliveryDelayMs: number;
  /** Which events the event destination publishes: all, or the final ones only. */
  eventTypes: 'all' | 'final';
  /** Opt-out lists per account x Region (./opt-out-lists.ts): their operations, and the check of every send. */
  optOuts: OptOutLists;
  /** Protect configurations (./protect.ts): what a send naming one meets. */
  protect?: ProtectConfigurations;
  /** Per-originator MPS, enforced on SendTextMessage (./mps-limits.ts); absent: unlimited. */
  mpsLimits?: MpsLimits;
}

const isOptOutOperation = (op: string): op is OptOutOperation => (OPT_OUT_OPERATIONS as readonly string[]).includes(op);

/** A signed, recognised caller: what every operation needs. */
interface KnownSend extends IncomingSend {
  caller: Caller;
  account: string;
}

function answer(res: ServerResponse, requestId: string, status: number, body: unknown): void {
  sendAwsJson(res, requestId, status, body, { 'Content-Type': 'application/x-amz-json-1.0' });
}

/** The front door's checks, in AWS's order: signed, for this service, by a known key. */
function knownSend(send: IncomingSend): KnownSend {
  const { caller, account } = send;
  if (!caller) {
    throw new AwsError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token', undefined, {}, '');
  }
  if (caller.signingService !== SIGNING_SERVICE) {
    const message = `Credential should be scoped to correct service: '${SIGNING_SERVICE}'.`;
    throw new AwsError(400, 'InvalidSignatureException', message, undefined, {}, '');
  }
  if (!account) {
    const message = 'The security token included in the request is invalid.';
    throw new AwsError(400, 'UnrecognizedClientException', message, undefined, {}, '');
  }
  return { ...send, caller, account };
}

/** What the log shows even when the request is refused (never the body itself). */
function noteRequestFields(record: MessageRecord, json: JsonObject): void {
  if (typeof json.OriginationIdentity === 'string') record.originator = json.OriginationIdentity;
  if (typeof json.DestinationPhoneNumber === 'string') record.destination = json.DestinationPhoneNumber;
  if (typeof json.MessageBody === 'string') record.bodyLength = json.MessageBody.length;
}

function noteSendRequest(record: MessageRecord, send: SendRequest, isoCountryCode: string | undefined): void {
  Object.assign(record, {
    originator: send.originator,
    destination: send.destination,
    ...(isoCountryCode ? { isoCountryCode } : {}),
    bodyLength: send.bodyLength,
    ...(send.messageType ? { messageType: send.messageType } : {}),
    ...(send.configurationSet ? { configurationSet: send.configurationSet } : {}),
    context: send.context,
    ...(send.dryRun ? { dryRun: true } : {}),
    messageFeedbackEnabled: send.feedbackEnabled,
  });
}

/** An `UnknownOperationException` from the front door: the target is not one the simulator implements. */
function unknownOperation(target: string): AwsError {
  const message = `The simulator implements ${SUPPORTED_OPERATIONS.join(', ')}; got X-Amz-Target "${target}"`;
  return new AwsError(400, 'UnknownOperationException', message, undefined, {}, CORAL_NAMESPACE);
}

/**
 * The final event of a text to one of AWS's destination simulator numbers (src/domain/simulator-numbers.ts): its
 * success number is delivered, its failure number fails. AWS's page names no failure event type; TEXT_BLOCKED here.
 */
export function simulatorFinal(operation: SendOperation, destination: string): FinalEventType | undefined {
  if (operation !== 'SendTextMessage') return undefined;
  const sim = simulatorNumber(destination);
  return sim === undefined ? undefined : sim.outcome === 'success' ? 'TEXT_DELIVERED' : 'TEXT_BLOCKED';
}

/** Handles every `POST` that is not for another front: the SMS v2 JSON protocol. */
export class SmsVoiceFront implements Route {
  constructor(private readonly deps: SmsVoiceFrontDeps) {}

  matches(req: IncomingMessage): boolean {
    return req.method === 'POST';
  }

  handle(req: IncomingMessage, res: ServerResponse, _url: URL, raw: string): void {
    const { messages, emit } = this.deps;
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const incoming = identifySend(req, this.deps.keys);
    if (!isSupportedOperation(operation)) {
      const err = unknownOperation(target);
      emit('warn', 'unknown operation', { target });
      answer(res, incoming.requestId, err.status, err.body());
      return;
    }
    const isSend = operation === 'SendTextMessage' || operation === 'SendVoiceMessage';
    const record = isSend ? sendRecord(incoming, operation) : undefined;
    const body = parseJsonBody(raw);
    const json = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as JsonObject) : undefined;
    if (record && json) noteRequestFields(record, json);
    try {
      const known = knownSend(incoming);
      if (!json) throw validationError('CANNOT_PARSE', 'body', 'the request body is not a JSON object');
      if (record) this.send(req, res, known, json, record);
      else if (isOptOutOperation(operation)) {
        const outage = this.deps.faults.serviceFault(known.account, known.caller.region);
        if (outage && 'api' in outage.effect) throw apiFaultError(outage.effect.api, 'SendTextMessage')!;
        const out = optOutOperation(
          this.deps.optOuts,
          operation,
          { account: known.account, region: known.caller.region },
          json,
        );
        if (operation === 'PutOptedOutNumber' || operation === 'DeleteOptedOutNumber') {
          emit('info', 'opt-out list changed', {
            operation,
            account: known.account,
            region: known.caller.region,
            list: out.OptOutListName,
          });
        }
        answer(res, incoming.requestId, 200, out);
      } else this.feedback(res, known, json);
    } catch (err) {
      const error =
        err instanceof AwsError
          ? err
          : new AwsError(500, 'InternalServerException', `simulator error: ${(err as Error).message}`);
      if (!(err instanceof AwsError)) emit('error', 'internal error', { operation, error: String(err) });
      if (record) {
        record.outcome = 'rejected';
        record.error = error.summary();
      }
      answer(res, incoming.requestId, error.status, error.body());
    } finally {
      if (record) recordSend(emit, messages, record);
    }
  }

  /** `SendTextMessage` / `SendVoiceMessage`: accepts the message, or does what its fault says. */
  private send(
    req: IncomingMessage,
    res: ServerResponse,
    incoming: KnownSend,
    json: JsonObject,
    record: MessageRecord,
  ) {
    const operation = record.operation as SendOperation;
    const send = parseSendRequest(operation, json);
    const parameters = parseSendParameters(operation, json);
    noteSendRequest(record, send, isoCountryOf(send.destination));
    if (Object.keys(parameters).length > 0) record.parameters = parameters;
    const fault = takeFault(this.deps.faults, record, {
      operation,
      account: incoming.account,
      region: incoming.caller.region,
      originator: send.originator,
      destination: send.destination,
      simulatorDestination: simulatorFinal(operation, send.destination) !== undefined,
    });
    if (fault && 'api' in fault.effect) {
      const effect = fault.effect.api;
      if (applyConnectionFault(req, record, effect, () => this.accept(operation, send, record, fault))) return;
      throw apiFaultError(effect, operation)!;
    }
    if (operation === 'SendTextMessage') {
      this.deps.mpsLimits?.take(incoming.account, incoming.caller.region, send.originator, send.parts);
    }
    this.refuseOptedOut(incoming, send);
    const protect = this.deps.protect?.verdict(
      parameters.protectConfigurationId,
      send.destination,
      record.isoCountryCode,
    );
    if (protect?.kind === 'refuse') {
      throw new AwsError(400, 'ConflictException', protect.message, protect.reason, {
        ResourceType: 'protect-configuration',
        ResourceId: parameters.protectConfigurationId,
      });
    }
    if (protect?.kind === 'monitor') record.protect = 'MONITOR: would block';
    const filtered = protect?.kind === 'filter' && operation === 'SendTextMessage';
    answer(res, record.requestId, 200, { MessageId: this.accept(operation, send, record, fault, filtered) });
  }

  /**
   * A destination on the list linked to the originator (./opt-out-lists.ts) is refused as AWS refuses it: the
   * ConflictException the API reference lists for SendTextMessage and SendVoiceMessage, Reason
   * DESTINATION_PHONE_NUMBER_OPTED_OUT, about the resource `opted-out-number`
   * (https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_ConflictException.html).
   */
  private refuseOptedOut(incoming: KnownSend, send: SendRequest): void {
    const refusal = this.deps.optOuts.refusal(
      incoming.account,
      incoming.caller.region,
      send.originator,
      send.destination,
    );
    if (!refusal) return;
    throw new AwsError(
      400,
      'ConflictException',
      `The destination phone number is opted out on opt-out list ${refusal.list.name}`,
      'DESTINATION_PHONE_NUMBER_OPTED_OUT',
      { ResourceType: 'opted-out-number', ResourceId: send.destination },
    );
  }

  /** Accepts the message: a message id, and its delivery events unless it is a dry run. */
  private accept(
    operation: SendOperation,
    send: SendRequest,
    record: MessageRecord,
    fault: Fault | undefined,
    protectFiltered = false,
  ) {
    const { deliveryDelayMs, eventTypes } = this.deps;
    const messageId = randomUUID();
    const acceptedAt = Date.now();
    record.messageId = messageId;
    record.outcome = 'accepted';
    if (!send.dryRun) {
      const dlr = fault && 'dlr' in fault.effect ? fault.effect : undefined;
      const final = protectFiltered
        ? 'TEXT_PROTECT_BLOCKED'
        : (dlr?.dlr ?? simulatorFinal(operation, send.destination));
      const schedule = eventSchedule(operation, final, dlr?.delayMs ?? deliveryDelayMs).filter(
        (e) => e.isFinal || eventTypes === 'all',
      );
      const subject = { messageId, request: send, isoCountryCode: record.isoCountryCode, acceptedAt };
      this.deps.events.schedule(record, subject, this.deps.chaos.apply(messageId, schedule));
    }
    return messageId;
  }

  /** `PutMessageFeedback`: notes the feedback on a message this caller sent. */
  private feedback(res: ServerResponse, incoming: KnownSend, json: JsonObject): void {
    const { account, caller, requestId } = incoming;
    const fb = parseFeedbackRequest(json);
    const record = this.deps.messages.byId(fb.messageId);
    if (!record || record.account !== account || record.region !== caller.region) {
      throw new AwsError(400, 'ResourceNotFoundException', `Message ${fb.messageId} was not found`, undefined, {
        ResourceType: 'message',
        ResourceId: fb.messageId,
      });
    }
    record.feedback = { status: fb.status, at: new Date().toISOString() };
    this.deps.emit('info', 'feedback', { messageId: fb.messageId, account, region: caller.region, status: fb.status });
    answer(res, requestId, 200, { MessageId: fb.messageId, MessageFeedbackStatus: fb.status });
  }
}
