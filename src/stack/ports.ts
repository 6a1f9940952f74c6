/** The local stack's ports: the fixed defaults (`npm start`), or free ones (`--ports auto`: tests, chaos, bench). */
import { tcpProbe } from '../tools/service-process';
import { freePorts } from '../tools/free-ports';

export const DEFAULT_PORTS = {
  temporal: 7233,
  ui: 8233,
  sqs: 4566,
  simulator: 4599,
  api: 8090,
  codec: 8091,
  workerMetrics: 9464,
  ingesterMetrics: 9465,
  temporalHttp: 7243,
  temporalMetrics: 7244,
} as const;

export type PortMode = 'fixed' | 'auto';

export interface StackPorts {
  temporal: number;
  ui?: number;
  sqs: number;
  simulator: number;
  api: number;
  codec: number;
  workerMetrics: number;
  ingesterMetrics: number;
  /** The Temporal dev server's HTTP API and /metrics: chosen here, with the rest, so that nothing else takes them. */
  temporalHttp: number;
  temporalMetrics: number;
}

/** A port of the stack's is taken by another program, or another stack runs in the same data folder. */
export class StackAlreadyRunningError extends Error {}

async function portFor(fixed: number, name: string): Promise<number> {
  if (await tcpProbe('127.0.0.1', fixed)) {
    throw new StackAlreadyRunningError(
      `port ${fixed} (${name}) is already in use by another program: stop it, or start with --ports auto`,
    );
  }
  return fixed;
}

const NAMES: Record<keyof typeof DEFAULT_PORTS, string> = {
  temporal: 'Temporal',
  ui: 'Temporal Web UI',
  sqs: 'SQS/SNS emulator',
  simulator: 'simulator',
  api: 'HTTP API',
  codec: 'codec server',
  workerMetrics: 'worker metrics',
  ingesterMetrics: 'ingester metrics',
  temporalHttp: 'Temporal HTTP API',
  temporalMetrics: 'Temporal metrics',
};

/** `auto`: distinct free ports, all chosen at once (freePorts); `fixed`: the defaults, each checked to be free. */
export async function choosePorts(mode: PortMode, ui: boolean): Promise<StackPorts> {
  const names = Object.keys(DEFAULT_PORTS) as (keyof typeof DEFAULT_PORTS)[];
  const chosen = {} as Record<keyof typeof DEFAULT_PORTS, number>;
  if (mode === 'auto') {
    const free = await freePorts(names.length);
    names.forEach((name, i) => (chosen[name] = free[i]));
  } else {
    for (const name of names) {
      if (name !== 'ui' || ui) chosen[name] = await portFor(DEFAULT_PORTS[name], NAMES[name]);
    }
  }
  return { ...chosen, ui: ui ? chosen.ui : undefined };
}
