/**
 * Clients built on first use and reused: one per key (account x Region x endpoint, or a queue), destroyed together
 * when the process closes. Each client keeps its own keep-alive connections, so building one per call would not.
 */
export interface Destroyable {
  destroy(): void;
}

export class ClientCache<C extends Destroyable> {
  private readonly clients = new Map<string, C>();

  get(key: string, build: () => C): C {
    let client = this.clients.get(key);
    if (!client) {
      client = build();
      this.clients.set(key, client);
    }
    return client;
  }

  destroyAll(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}
