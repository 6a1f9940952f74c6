/**
 * Two-way SMS in the simulator:
 *
 * - `POST /_sim/inbound` `{from, to, account, region, body}`: a person (`from`) replies to one of the account's
 *   originators (`to`) in that Region. As End User Messaging does when self-managed opt-outs are off
 *   (https://docs.aws.amazon.com/sms-voice/latest/userguide/opt-out-list.html), a message whose first word is one of
 *   the required opt-out keywords (ARRET, CANCEL, END, OPT-OUT, OPTOUT, QUIT, REMOVE, STOP, TD, UNSUBSCRIBE;
 *   https://docs.aws.amazon.com/sms-voice/latest/userguide/keywords-required.html) puts `from` on the opt-out list
 *   linked to `to` (EndUserOptedOut true); START or UNSTOP, the keywords AWS documents for resubscribing (same page;
 *   set as OPT_IN keywords, KeywordAction
 *   https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_PutKeyword.html), takes it off; HELP and
 *   anything else change no list. Keywords are case insensitive
 *   (https://docs.aws.amazon.com/sms-voice/latest/userguide/keywords.html). Whatever the keyword, the message is
 *   then published to the account x Region's two-way SNS topic (`optOuts.inbound[].topicArn`) in the documented
 *   shape (https://docs.aws.amazon.com/sms-voice/latest/userguide/two-way-sms-payload.html): originationNumber,
 *   destinationNumber, messageKeyword, messageBody, inboundMessageId, previousPublishedMessageId (the last message
 *   `to` sent `from`, from the message log). Only emulator endpoints are published to.
 *   Answers `201 {keyword, action, list, published, topicArn?, error?, payload}`.
 * - `POST /_sim/opt-out-links` `{account, region, originator, list}`: links an originator to one of its account x
 *   Region's lists (what a pool's or phone number's OptOutListName does). `GET /_sim/opt-out-links` is not offered:
 *   DescribeOptOutLists / DescribeOptedOutNumbers through the SDK show the lists.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { z } from 'zod';
import type { Config } from '../domain/config';
import { parseOrThrow } from '../domain/errors';
import { keywordOf } from '../domain/inbound-sms';
import { maskPhone } from '../domain/privacy';
import { EMULATOR_CREDENTIALS } from '../tools/provision-emulator';
import { HttpError, sendJson, type Route } from './http';
import type { Emit } from './log';
import type { SimulatorState } from './state';

export const INBOUND_PATH = '/_sim/inbound';
export const OPT_OUT_LINKS_PATH = '/_sim/opt-out-links';

export { keywordOf } from '../domain/inbound-sms';

const e164 = z.string().regex(/^\+[1-9][0-9]{1,18}$/, 'an E.164 phone number such as +14255550123');
const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS Region such as us-east-1');

const inboundSchema = z
  .object({
    from: e164,
    to: z.string().min(1).max(256),
    account: z.string().min(1),
    region,
    body: z.string().min(1).max(1600),
  })
  .strict();

const linkSchema = z
  .object({
    account: z.string().min(1),
    region,
    originator: z.string().min(1).max(256),
    list: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an opt-out list name'),
  })
  .strict();

function jsonBody(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new HttpError(400, `body is not valid JSON: ${(err as Error).message}`);
  }
}

function knownAccount(config: Config, account: string): void {
  if (!Object.prototype.hasOwnProperty.call(config.accounts, account)) {
    throw new HttpError(
      400,
      `account: unknown account "${account}" (config accounts: ${Object.keys(config.accounts).join(', ')})`,
    );
  }
}

/** Publishes inbound messages to the account x Region's two-way SNS topic (emulator endpoints only). */
class InboundPublisher {
  private readonly clients = new Map<string, SNSClient>();

  constructor(private readonly config: Config) {}

  private client(endpoint: string, topicRegion: string): SNSClient {
    const k = `${endpoint}\u0000${topicRegion}`;
    let c = this.clients.get(k);
    if (!c) {
      c = new SNSClient({
        region: topicRegion,
        endpoint,
        credentials: EMULATOR_CREDENTIALS,
        maxAttempts: 2,
        requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 5_000 }),
      });
      this.clients.set(k, c);
    }
    return c;
  }

  async publish(account: string, inRegion: string, payload: object) {
    const entry = this.config.optOuts?.inbound.find((q) => q.account === account && q.region === inRegion);
    const where = `${account}/${inRegion}`;
    if (!entry?.topicArn) return { published: false, error: `no optOuts.inbound entry with a topicArn for ${where}` };
    if (!entry.endpoint) {
      return {
        published: false,
        error: `optOuts.inbound ${where} has no endpoint: the simulator only publishes to an emulator`,
      };
    }
    const topicRegion = entry.topicArn.split(':')[3] || inRegion;
    try {
      const command = new PublishCommand({ TopicArn: entry.topicArn, Message: JSON.stringify(payload) });
      await this.client(entry.endpoint, topicRegion).send(command);
      return { published: true, topicArn: entry.topicArn };
    } catch (err) {
      const e = err as Error;
      return { published: false, topicArn: entry.topicArn, error: `SNS Publish failed: ${e.name}: ${e.message}` };
    }
  }

  destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}

/** The routes of `POST /_sim/inbound` and `POST /_sim/opt-out-links`. */
export function inboundRoute(config: Config, state: SimulatorState, emit: Emit): Route & { destroy(): void } {
  const publisher = new InboundPublisher(config);

  async function inbound(raw: string, res: ServerResponse): Promise<void> {
    const r = parseOrThrow(inboundSchema, jsonBody(raw), 'inbound message');
    knownAccount(config, r.account);
    const { keyword, action } = keywordOf(r.body);
    const { list } = state.optOuts.linkedList(r.account, r.region, r.to);
    if (action === 'opt-out') state.optOuts.put(list, r.from, true);
    if (action === 'opt-in') state.optOuts.remove(list, r.from);
    const previous = state.messages
      .list({ destination: r.from, originator: r.to })
      .filter((m) => m.messageId)
      .at(-1);
    const payload = {
      originationNumber: r.from,
      destinationNumber: r.to,
      messageKeyword: keyword,
      messageBody: r.body,
      inboundMessageId: randomUUID(),
      previousPublishedMessageId: previous?.messageId ?? '',
    };
    const result = await publisher.publish(r.account, r.region, payload);
    emit(result.published ? 'info' : 'warn', 'inbound message', {
      account: r.account,
      region: r.region,
      from: maskPhone(r.from),
      keyword: action === 'none' ? undefined : keyword,
      action,
      list: list.name,
      ...result,
    });
    sendJson(res, 201, { keyword, action, list: list.name, ...result, payload });
  }

  function link(raw: string, res: ServerResponse): void {
    const r = parseOrThrow(linkSchema, jsonBody(raw), 'opt-out link');
    knownAccount(config, r.account);
    if (!state.optOuts.lists(r.account, r.region).has(r.list)) {
      throw new HttpError(
        404,
        `list: no opt-out list "${r.list}" in ${r.account}/${r.region} (CreateOptOutList first)`,
      );
    }
    state.optOuts.link(r.account, r.region, r.originator, r.list);
    emit('info', 'opt-out list linked', r);
    sendJson(res, 201, r);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): Promise<void> {
    if (req.method !== 'POST') throw new HttpError(405, `${req.method} not allowed on ${url.pathname} (allowed: POST)`);
    if (url.pathname === INBOUND_PATH) await inbound(raw, res);
    else link(raw, res);
  }

  return {
    matches: (_req, url) => url.pathname === INBOUND_PATH || url.pathname === OPT_OUT_LINKS_PATH,
    handle,
    destroy: () => publisher.destroy(),
  };
}
