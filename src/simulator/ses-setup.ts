/**
 * The simulator's SES v2 set-up operations, what the local stack's provisioning (src/tools/provision-channels.ts)
 * calls before mail is sent through ./ses-front.ts:
 * - `CreateEmailIdentity`, `POST /v2/email/identities` with `{ EmailIdentity }`; answers `{ IdentityType,
 *   VerifiedForSendingStatus }` (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_CreateEmailIdentity.html).
 *   The simulator treats the identity as verified at once (in AWS an email address is verified by a link sent to it).
 * - `CreateConfigurationSet`, `POST /v2/email/configuration-sets` with `{ ConfigurationSetName }`; answers `{}`
 *   (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_CreateConfigurationSet.html).
 * Both are per account × Region, answer `AlreadyExistsException` (400) for an existing name and
 * `BadRequestException` (400) for a missing one, as the API reference lists. The events of a configuration set go
 * to the DLR topic of the sending account × Region (./publisher.ts), where the runbook's event destination points.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJsonBody, sendAwsJson, type Route } from './http';
import type { Emit } from './log';
import { identifySend } from './send-request';

export const SES_IDENTITIES_PATH = '/v2/email/identities';
export const SES_CONFIGURATION_SETS_PATH = '/v2/email/configuration-sets';
export const SES_SETUP_OPERATIONS = ['CreateEmailIdentity', 'CreateConfigurationSet'] as const;

class SetupError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SesSetupDeps {
  keys: ReadonlyMap<string, string>;
  emit: Emit;
}

function nameIn(body: unknown, field: string): string {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw new SetupError(400, 'BadRequestException', `${field}: required, a non-empty string`);
  }
  return value;
}

export function sesSetup(deps: SesSetupDeps): Route {
  const identities = new Map<string, Set<string>>();
  const configurationSets = new Map<string, Set<string>>();
  const set = (m: Map<string, Set<string>>, key: string) => {
    let s = m.get(key);
    if (!s) m.set(key, (s = new Set()));
    return s;
  };

  function create(req: IncomingMessage, res: ServerResponse, path: string, raw: string, requestId: string): void {
    const incoming = identifySend(req, deps.keys);
    const region = incoming.caller?.region;
    if (incoming.caller?.signingService !== 'ses') {
      throw new SetupError(403, 'InvalidSignatureException', "Credential should be scoped to correct service: 'ses'.");
    }
    if (!incoming.account || !region) throw new SetupError(403, 'UnrecognizedClientException', 'Unknown key');
    const scope = `${incoming.account}\u0000${region}`;
    const body = parseJsonBody(raw);
    const isIdentity = path === SES_IDENTITIES_PATH;
    const name = nameIn(body, isIdentity ? 'EmailIdentity' : 'ConfigurationSetName');
    const names = set(isIdentity ? identities : configurationSets, scope);
    if (names.has(name)) throw new SetupError(400, 'AlreadyExistsException', `${name} already exists`);
    names.add(name);
    deps.emit('info', isIdentity ? 'email identity created' : 'configuration set created', {
      account: incoming.account,
      region,
      name,
    });
    const answer = isIdentity
      ? { IdentityType: name.includes('@') ? 'EMAIL_ADDRESS' : 'DOMAIN', VerifiedForSendingStatus: true }
      : {};
    sendAwsJson(res, requestId, 200, answer);
  }

  return {
    matches: (req, url) =>
      req.method === 'POST' && (url.pathname === SES_IDENTITIES_PATH || url.pathname === SES_CONFIGURATION_SETS_PATH),
    handle(req, res, url, raw) {
      const requestId = identifySend(req, deps.keys).requestId;
      try {
        create(req, res, url.pathname, raw, requestId);
      } catch (err) {
        const e = err instanceof SetupError ? err : new SetupError(400, 'BadRequestException', String(err));
        sendAwsJson(res, requestId, e.status, { message: e.message }, { 'x-amzn-ErrorType': e.type });
      }
    },
  };
}
