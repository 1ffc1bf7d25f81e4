import WebSocket from 'ws';

/** An agent WebSocket (/agent/v1/events) that keeps every frame and its close code. */
export class AgentSocket {
  frames: any[] = [];
  closed: { code: number; reason: string; at: number } | null = null;
  readonly ws: WebSocket;
  private readonly opened: Promise<void>;

  constructor(base: string) {
    this.ws = new WebSocket(base.replace('http', 'ws') + '/agent/v1/events');
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (d) => this.frames.push(JSON.parse(d.toString())));
    this.ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString(), at: Date.now() }));
  }

  /** Opens, authenticates and waits for `ready`. */
  static async connect(base: string, token: string): Promise<AgentSocket> {
    const s = new AgentSocket(base);
    await s.opened;
    s.send({ type: 'auth', token });
    await s.until((f) => f.find((x) => x.type === 'ready'), 'ready');
    return s;
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  async until<T>(pred: (frames: any[]) => T | undefined | false | null, what: string, ms = 5_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = pred(this.frames);
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames.map((f) => f.type))}; closed: ${JSON.stringify(this.closed)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async closedWithin(ms: number): Promise<{ code: number; reason: string; at: number }> {
    return this.until(() => this.closed, 'the socket to close', ms);
  }

  close(): void {
    this.ws.close();
  }
}
