/**
 * Free ports for a stack's services: drawn outside the OS's ephemeral range (where outgoing connections take their
 * local ports), each checked by binding it, none handed out twice.
 */
import * as net from 'node:net';
import { ephemeralRange, freePort, freePorts, listeningRange, parseEphemeralRange } from '../../src/tools/free-ports';

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

const close = (srv: net.Server) => new Promise<void>((resolve) => srv.close(() => resolve()));

describe('the ephemeral range', () => {
  it("parses Linux's ip_local_port_range", () => {
    expect(parseEphemeralRange('32768\t60999\n')).toEqual([32768, 60999]);
    expect(parseEphemeralRange('1024 65535')).toEqual([1024, 65535]);
  });

  it('rejects text that is not a range', () => {
    expect(parseEphemeralRange('')).toBeUndefined();
    expect(parseEphemeralRange('60999 32768')).toBeUndefined();
    expect(parseEphemeralRange('0 70000')).toBeUndefined();
  });

  it("uses IANA's dynamic range when the setting cannot be read or parsed", () => {
    expect(
      ephemeralRange(() => {
        throw new Error('ENOENT');
      }),
    ).toEqual([49152, 65535]);
    expect(ephemeralRange(() => 'garbage')).toEqual([49152, 65535]);
    expect(ephemeralRange(() => '40000 50000')).toEqual([40000, 50000]);
  });
});

describe('listeningRange', () => {
  it("lies below Linux's default ephemeral range, from 10000", () => {
    expect(listeningRange([32768, 60999])).toEqual([10000, 32767]);
  });

  it('lies above it when that stretch is larger', () => {
    expect(listeningRange([1024, 20000])).toEqual([20001, 65535]);
  });

  it('is undefined when the ephemeral range leaves no useful stretch (the OS picks then)', () => {
    expect(listeningRange([1024, 65000])).toBeUndefined();
  });
});

describe('freePorts', () => {
  it('returns distinct ports outside the ephemeral range, each free to bind', async () => {
    const ephemeral = ephemeralRange();
    const ports = await freePorts(12);
    expect(new Set(ports).size).toBe(12);
    if (listeningRange(ephemeral)) {
      for (const port of ports) expect(port < ephemeral[0] || port > ephemeral[1]).toBe(true);
    }
    const servers = await Promise.all(ports.map(listen));
    await Promise.all(servers.map(close));
  });

  it('skips a port that is taken, and never hands out the same port twice', async () => {
    const taken = await listen(0);
    const takenPort = (taken.address() as net.AddressInfo).port;
    const [spare] = await freePorts(1);
    // The candidates: the taken port, then the spare one three times over.
    const draws = [takenPort, spare, spare, spare];
    let i = 0;
    try {
      const ports = await freePorts(2, { candidate: () => draws[Math.min(i++, draws.length - 1)] });
      expect(ports[0]).toBe(spare);
      expect(ports[1]).not.toBe(spare);
      expect(ports[1]).not.toBe(takenPort);
    } finally {
      await close(taken);
    }
  });

  it('a single port is free to bind', async () => {
    const srv = await listen(await freePort());
    await close(srv);
  });
});
