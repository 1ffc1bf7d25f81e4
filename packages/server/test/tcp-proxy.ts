import net from 'node:net';

/**
 * A TCP proxy in front of a service (Redis, PostgreSQL) that a test can take down (connections
 * cut, the port refusing) and bring back on the same port.
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private readonly upstreams = new Set<net.Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** A proxy for the host and port of `url`; `url()` gives the same URL through the proxy. */
  static async for(url: string, defaultPort: number): Promise<{ proxy: TcpProxy; url: string }> {
    const target = new URL(url);
    const proxy = new TcpProxy(target.hostname, Number(target.port || defaultPort));
    await proxy.start();
    const through = new URL(url);
    through.host = `127.0.0.1:${proxy.port}`;
    return { proxy, url: through.toString() };
  }

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      this.upstreams.add(upstream);
      upstream.on('close', () => this.upstreams.delete(upstream));
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      const armed = this.interception;
      if (armed) {
        // Client to target by hand, so that the armed chunk can be cut off or held back.
        client.on('data', (chunk: Buffer) => {
          if (this.interception === armed && chunk.includes(armed.text)) {
            this.interception = null;
            this.intercepted++;
            if (armed.action === 'hold') return;
            client.destroy();
            upstream.destroy();
            return;
          }
          upstream.write(chunk);
        });
        client.on('end', () => upstream.end());
        upstream.pipe(client);
      } else {
        client.pipe(upstream).pipe(client);
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  private interception: { text: string; action: 'cut' | 'hold' } | null = null;
  /** Chunks cut off or held back by `interceptOnce`. */
  intercepted = 0;

  /**
   * On the next connection whose client sends `text` (in one read), that chunk never reaches the
   * target: `cut` closes the connection both ways (lost in the middle of a command), `hold` keeps
   * it open with the command unanswered. Applies to connections made after the call.
   */
  interceptOnce(text: string, action: 'cut' | 'hold'): void {
    this.interception = { text, action };
  }

  /** Local ports of the open connections to the target: how the target (e.g. pg_stat_activity) sees them. */
  upstreamPorts(): number[] {
    return [...this.upstreams].map((s) => s.localPort).filter((p): p is number => typeof p === 'number');
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
