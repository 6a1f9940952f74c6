/**
 * The simulator's in-memory state: the message log, the faults, DLR chaos and the delivery events still to come,
 * and which account each static access key belongs to.
 */
import type { Config } from '../domain/config';
import { DlrChaos } from './chaos';
import type { EventScheduler } from './event-scheduler';
import { FaultStore } from './faults';
import { MessageLog } from './message-log';
import { accountIdsOf, OptOutLists } from './opt-out-lists';

/** The simulator's in-memory state, also reachable in-process (tests, the local stack launcher). */
export interface SimulatorState {
  readonly messages: MessageLog;
  readonly faults: FaultStore;
  /** DLR chaos (`/_sim/chaos`): duplicated, reordered, late and dropped delivery events. */
  readonly chaos: DlrChaos;
  /** Account names by the static access key ids of the config. */
  readonly accountsByAccessKey: ReadonlyMap<string, string>;
  /** Opt-out lists per account x Region and the originators' links to them. */
  readonly optOuts: OptOutLists;
  /** Event timers not yet fired. */
  pendingTimers(): number;
  /** Clears messages, faults, DLR chaos and opt-out lists and cancels events still to come. */
  reset(): void;
}

/** Static access key id -> account name. Two accounts with one key could not be told apart: that is an error. */
export function accountsByAccessKey(config: Config): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, account] of Object.entries(config.accounts)) {
    if (account.credentials.type !== 'static') continue;
    const key = account.credentials.accessKeyId;
    const other = map.get(key);
    if (other !== undefined) {
      throw new Error(
        `accounts.${name}.credentials.accessKeyId: same access key id as account "${other}"; ` +
          'the simulator tells accounts apart by their access key id',
      );
    }
    map.set(key, name);
  }
  return map;
}

export interface StateOptions {
  config: Config;
  /** Message log bound. */
  maxMessages: number;
  /** Dice of fault probabilities; default the DLR chaos's (seeded by `/_sim/chaos`). */
  random?: () => number;
}

/** Empty state for this config; `events` holds the delivery events that `reset` cancels. */
export function createSimulatorState(opts: StateOptions, events: EventScheduler): SimulatorState {
  const messages = new MessageLog(opts.maxMessages);
  const chaos = new DlrChaos();
  const faults = new FaultStore(Object.keys(opts.config.accounts), opts.random ?? (() => chaos.faultRandom()));
  const optOuts = new OptOutLists(accountIdsOf(opts.config.accounts));
  return {
    messages,
    faults,
    chaos,
    optOuts,
    accountsByAccessKey: accountsByAccessKey(opts.config),
    pendingTimers: () => events.pending,
    reset() {
      events.cancel();
      messages.clear();
      faults.clear();
      chaos.clear();
      optOuts.clear();
    },
  };
}
