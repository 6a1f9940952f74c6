/**
 * Email through SES v2 `SendEmail` (simple content: subject, text and optional HTML), with the channel's
 * configuration set and the workflow id + attempt as message tags (SES copies tags into its sending events, the
 * email counterpart of SMS `Context`).
 *
 * SES copies the tags into its configuration-set events, which settle the attempt per the policy's `channelSuccess`
 * (src/domain/ses-event.ts, src/domain/channel-receipts.ts). Not idempotent (a second call
 * mails twice): every failure is a non-retryable `SendFailure` (see `channel-errors.ts` for the table). Never logs
 * the recipient, subject or body.
 */
import { createHash } from 'node:crypto';
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID, type SendEmailInput, type SendResult } from '../domain/sending';
import type { ChannelClientResolver } from '../aws/registries';
import { classifyEmailError } from './channel-errors';
import { runChannelSend } from './channel-send';

export interface EmailActivityDeps {
  emailClient?: ChannelClientResolver<SESv2Client>;
  now?: () => number;
}

const MAX_TAG_VALUE = 256;

/**
 * SES tag values may only hold ASCII letters, digits, `_` and `-` (at most 256). Reversible encoding: letters, digits
 * and `-` stay, every other UTF-8 byte (`_` included) becomes `_XX` (hex), so `msg-42` stays `msg-42` and
 * `otp:login.42` becomes `otp_3Alogin_2E42`. An encoding longer than 256 becomes `sha256-<hex>` (not reversible).
 */
export function encodeTagValue(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9-]/.test(ch) ? ch : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length > MAX_TAG_VALUE) return `sha256-${createHash('sha256').update(value, 'utf8').digest('hex')}`;
  return out;
}

/** Inverse of `encodeTagValue` (for whoever reads SES events); `sha256-` values cannot be decoded. */
export function decodeTagValue(encoded: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === '_' && /^[0-9A-F]{2}$/.test(encoded.slice(i + 1, i + 3))) {
      bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(encoded.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export function createEmailActivities(deps: EmailActivityDeps) {
  const now = deps.now ?? Date.now;

  async function sendEmail(input: SendEmailInput): Promise<SendResult> {
    return runChannelSend({
      target: input.target,
      workflowId: input.workflowId,
      attempt: input.attempt,
      resolver: deps.emailClient,
      label: 'Email',
      now,
      meta: { configurationSet: input.configurationSet },
      classify: classifyEmailError,
      secrets: { texts: [input.to, input.subject, input.text, input.html], keepEmails: [input.from] },
      send: async (client) => {
        const out = await client.send(
          new SendEmailCommand({
            FromEmailAddress: input.from,
            Destination: { ToAddresses: [input.to] },
            Content: {
              Simple: {
                Subject: { Data: input.subject, Charset: 'UTF-8' },
                Body: {
                  Text: { Data: input.text, Charset: 'UTF-8' },
                  ...(input.html !== undefined ? { Html: { Data: input.html, Charset: 'UTF-8' } } : {}),
                },
              },
            },
            ConfigurationSetName: input.configurationSet,
            EmailTags: [
              { Name: CONTEXT_WORKFLOW_ID, Value: encodeTagValue(input.workflowId) },
              { Name: CONTEXT_ATTEMPT, Value: String(input.attempt) },
            ],
          }),
        );
        return out.MessageId;
      },
    });
  }

  return { sendEmail };
}
