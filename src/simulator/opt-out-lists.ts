/**
 * The simulator's opt-out lists, per account x Region, as End User Messaging SMS keeps them:
 *
 * - An opt-out list belongs to one account in one Region, and every account x Region has the list `Default`
 *   (https://docs.aws.amazon.com/sms-voice/latest/userguide/phone-numbers-opt-out-list.html: "By default, when a
 *   phone number is created it is assigned to the Default opt-out list"). Here `Default` exists from the start.
 * - Each originator (pool, phone number, sender ID) is linked to one list of its account x Region, `Default` unless
 *   linked otherwise (a pool's `OptOutListName`, PoolInformation:
 *   https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_PoolInformation.html); the admin API's
 *   `POST /_sim/opt-out-links` sets a link.
 * - A send is refused when its destination is on the list linked to the originator used
 *   (https://docs.aws.amazon.com/sms-voice/latest/userguide/opt-out-list.html: "If you attempt to send a message to a
 *   destination number that is on an opt-out list, and the opt-out list is associated with the phone number used to
 *   send the message, AWS End User Messaging SMS doesn't attempt to send the message").
 * - A RAM-shared pool, used by its ARN from another account, keeps its owner's list: the list is a property of the
 *   pool (PoolInformation.OptOutListName), which only the owner can change (UpdatePool needs the pool's ARN when the
 *   caller is not the owner, https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_UpdatePool.html),
 *   and opt-out lists themselves are shared within the Region only
 *   (https://docs.aws.amazon.com/sms-voice/latest/userguide/opt-out-list-shared.html). So a send through a shared
 *   pool is checked against the owner account's list, never the sender's own.
 */

/** One number on a list. */
export interface OptedOutEntry {
  number: string;
  /** Epoch ms. */
  at: number;
  /** True when the person opted out by keyword (an inbound STOP), false when PutOptedOutNumber added it. */
  endUser: boolean;
}

export interface OptOutListState {
  name: string;
  arn: string;
  createdAt: number;
  numbers: Map<string, OptedOutEntry>;
}

export const DEFAULT_LIST = 'Default';

const ARN = /^arn:aws[a-z-]*:sms-voice:([a-z0-9-]+):(\d{12}):([a-z-]+)\/(.+)$/;

/** The owner account id, Region, resource type and id of an End User Messaging ARN; undefined for a plain id. */
export function parseSmsVoiceArn(
  value: string,
): { region: string; accountId: string; type: string; id: string } | undefined {
  const m = ARN.exec(value);
  return m ? { region: m[1], accountId: m[2], type: m[3], id: m[4] } : undefined;
}

const key = (...parts: string[]) => parts.join('\u0000');

export class OptOutLists {
  private readonly scopes = new Map<string, Map<string, OptOutListState>>();
  private readonly links = new Map<string, string>();

  constructor(
    /** Account name -> 12-digit account id (the config's `accountId`, else a made-up stable one). */
    private readonly accountIds: ReadonlyMap<string, string>,
    private readonly now: () => number = Date.now,
  ) {}

  accountIdOf(account: string): string {
    return this.accountIds.get(account) ?? '000000000000';
  }

  /** The account name of a 12-digit account id, if it is one of the config's. */
  accountNamed(accountId: string): string | undefined {
    for (const [name, id] of this.accountIds) if (id === accountId) return name;
    return undefined;
  }

  /** The lists of an account x Region, `Default` included. */
  lists(account: string, region: string): Map<string, OptOutListState> {
    const k = key(account, region);
    let scope = this.scopes.get(k);
    if (!scope) {
      scope = new Map();
      scope.set(DEFAULT_LIST, this.newList(account, region, DEFAULT_LIST, 0));
      this.scopes.set(k, scope);
    }
    return scope;
  }

  private newList(account: string, region: string, name: string, createdAt: number): OptOutListState {
    const arn = `arn:aws:sms-voice:${region}:${this.accountIdOf(account)}:opt-out-list/${name}`;
    return { name, arn, createdAt, numbers: new Map() };
  }

  /**
   * The list named `nameOrArn` as the caller (account, Region) sees it: its own by name, or by ARN its own or one in
   * another config account of the same Region (a shared list).
   */
  find(account: string, region: string, nameOrArn: string): OptOutListState | undefined {
    const arn = parseSmsVoiceArn(nameOrArn);
    if (!arn) return this.lists(account, region).get(nameOrArn);
    if (arn.type !== 'opt-out-list' || arn.region !== region) return undefined;
    const owner = this.accountNamed(arn.accountId);
    return owner === undefined ? undefined : this.lists(owner, region).get(arn.id);
  }

  /** Creates a list; false when one of that name exists. */
  create(account: string, region: string, name: string): OptOutListState | undefined {
    const scope = this.lists(account, region);
    if (scope.has(name)) return undefined;
    const list = this.newList(account, region, name, this.now());
    scope.set(name, list);
    return list;
  }

  /** Links an originator of (account, Region) to one of its lists. */
  link(account: string, region: string, originator: string, list: string): void {
    this.links.set(key(account, region, originator), list);
  }

  /**
   * The list a send from `originator` by (account, Region) is checked against: for an ARN of another config
   * account (a RAM-shared pool or number), the owner's link of that resource; otherwise the caller's own link.
   * `Default` unless linked.
   */
  linkedList(account: string, region: string, originator: string): { account: string; list: OptOutListState } {
    const arn = parseSmsVoiceArn(originator);
    let owner = account;
    let id = originator;
    if (arn) {
      owner = this.accountNamed(arn.accountId) ?? account;
      id = arn.id;
    }
    const name = this.links.get(key(owner, region, id)) ?? this.links.get(key(owner, region, originator));
    const scope = this.lists(owner, region);
    return { account: owner, list: scope.get(name ?? DEFAULT_LIST) ?? scope.get(DEFAULT_LIST)! };
  }

  /** The list entry that refuses a send to `destination` from `originator`, if any. */
  refusal(account: string, region: string, originator: string, destination: string) {
    const { list } = this.linkedList(account, region, originator);
    const entry = list.numbers.get(destination);
    return entry ? { list, entry } : undefined;
  }

  /** Adds (or re-adds, with a new time) a number. */
  put(list: OptOutListState, number: string, endUser: boolean): OptedOutEntry {
    const entry = { number, at: this.now(), endUser };
    list.numbers.set(number, entry);
    return entry;
  }

  remove(list: OptOutListState, number: string): OptedOutEntry | undefined {
    const entry = list.numbers.get(number);
    list.numbers.delete(number);
    return entry;
  }

  /** Forgets every list, number and link. */
  clear(): void {
    this.scopes.clear();
    this.links.clear();
  }
}

/** Account name -> account id, from the config (accounts without an `accountId` get 1000000000NN, stable by order). */
export function accountIdsOf(accounts: Record<string, { accountId?: string }>): Map<string, string> {
  const map = new Map<string, string>();
  Object.entries(accounts).forEach(([name, a], i) =>
    map.set(name, a.accountId ?? String(100000000000 + i).padStart(12, '0')),
  );
  return map;
}
