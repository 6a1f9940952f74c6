/**
 * Free TCP ports for the services a stack starts (Temporal, the emulator, the simulator, the API, metrics).
 *
 * A port is chosen now and bound later, by another process, seconds later. A port the OS hands out for
 * `listen(0)` comes from its ephemeral range, the same range every outgoing connection takes its local port
 * from: on a busy machine (tests, workers, gRPC clients) an outgoing socket could take the chosen port before the
 * service bound it, and the service failed with EADDRINUSE. So ports are drawn at random from outside that range,
 * where only programs that ask for a port by number get one, and each is checked by binding it.
 *
 * Linux's range is in /proc/sys/net/ipv4/ip_local_port_range (default 32768–60999; see ip(7), "ip_local_port_range");
 * elsewhere the IANA dynamic range 49152–65535 (RFC 6335, section 6) is assumed.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';

export type PortRange = readonly [low: number, high: number];

const LINUX_RANGE_FILE = '/proc/sys/net/ipv4/ip_local_port_range';
const IANA_DYNAMIC: PortRange = [49152, 65535];
/** Below this, ports are commonly fixed by well-known services. */
const LOWEST = 10000;
/** A range smaller than this is not worth drawing from: the OS picks instead. */
const SMALLEST_USEFUL = 2000;
const ATTEMPTS_PER_PORT = 50;

/** The ephemeral range from `ip_local_port_range`'s text ("32768\t60999"); undefined when it does not parse. */
export function parseEphemeralRange(text: string): PortRange | undefined {
  const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  if (!match) return undefined;
  const [low, high] = [Number(match[1]), Number(match[2])];
  return low >= 1 && low <= high && high <= 65535 ? [low, high] : undefined;
}

/** This machine's ephemeral range: Linux's setting, else the IANA dynamic range. */
export function ephemeralRange(readFile: (file: string) => string = (f) => fs.readFileSync(f, 'utf8')): PortRange {
  try {
    return parseEphemeralRange(readFile(LINUX_RANGE_FILE)) ?? IANA_DYNAMIC;
  } catch {
    return IANA_DYNAMIC;
  }
}

/** The larger stretch outside `ephemeral` (below it from 10000, or above it); undefined when neither is useful. */
export function listeningRange(ephemeral: PortRange): PortRange | undefined {
  const below: PortRange = [LOWEST, ephemeral[0] - 1];
  const above: PortRange = [ephemeral[1] + 1, 65535];
  const size = (r: PortRange) => r[1] - r[0] + 1;
  const best = size(below) >= size(above) ? below : above;
  return size(best) >= SMALLEST_USEFUL ? best : undefined;
}

/** A random port in the range (not for security: only to spread concurrent choosers apart). */
function randomIn(range: PortRange): number {
  return range[0] + Math.floor(Math.random() * (range[1] - range[0] + 1));
}

/** Binds `port` (0: the OS picks); resolves the server, or undefined when the port is taken. */
function tryListen(port: number, host: string): Promise<net.Server | undefined> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(undefined);
      else reject(err);
    });
    srv.listen(port, host, () => resolve(srv));
  });
}

export interface FreePortOptions {
  host?: string;
  /** Draws a candidate port; by default at random from {@link listeningRange} of this machine. */
  candidate?: () => number;
}

function defaultCandidate(): (() => number) | undefined {
  const range = listeningRange(ephemeralRange());
  return range ? () => randomIn(range) : undefined;
}

/**
 * `count` distinct ports, free when chosen: every listener stays open until all are chosen, so none is handed out
 * twice. A port is still only free until its program binds it. Falls back to the OS's choice when no range outside
 * the ephemeral one is usable, or when drawing keeps hitting taken ports.
 */
export async function freePorts(count: number, opts: FreePortOptions = {}): Promise<number[]> {
  const host = opts.host ?? '127.0.0.1';
  const candidate = opts.candidate ?? defaultCandidate();
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listenOnOne(host, candidate));
    return servers.map((srv) => (srv.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
  }
}

async function listenOnOne(host: string, candidate: (() => number) | undefined): Promise<net.Server> {
  for (let attempt = 0; candidate && attempt < ATTEMPTS_PER_PORT; attempt++) {
    const srv = await tryListen(candidate(), host);
    if (srv) return srv;
  }
  const srv = await tryListen(0, host);
  if (!srv) throw new Error(`no free TCP port on ${host}`);
  return srv;
}

/** One port that was free on `host` a moment ago (see {@link freePorts}). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await freePorts(1, { host });
  return port;
}
