/** What the parts of a chaos run share: the options, the stack and its Temporal client, the start progress. */
import type { Client } from '@temporalio/client';
import type { StackHandle } from '../stack/handle';
import type { ChaosOptions } from './options';

export interface ChaosContext {
  o: ChaosOptions;
  /** A progress line, stamped with the time since the run started. */
  log: (line: string) => void;
  stack: StackHandle;
  temporal: Client;
  /** Visibility query for this run's running workflows. */
  runningQuery: string;
}

/** How far the starts are: the director fires each disruption when `started` passes its mark. */
export interface StartProgress {
  started: number;
  firstStartAt?: number;
}

/** A DLR queue (queues live in their Region on the emulator). */
export interface QueueRef {
  queueUrl: string;
  region: string;
}

export const fmtS = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
