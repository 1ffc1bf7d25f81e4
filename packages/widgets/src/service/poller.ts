import { TransportError, type ReadResult, type Transport } from '../transports/transport.js';

/**
 * Reads new messages while a session is active: polls again at once after messages (or when the
 * transport paces itself, a long poll or a socket), else every `pollTimeout`; backs off after
 * failures (1 s doubling to 10 s); publishes disconnected / chatServerWentOffline and their
 * recoveries; stops after `pollExceptionLimit` failures (a 503 backs off but is not counted).
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PollerDeps {
  transport(): Transport;
  /** The transport if one was created (stopping never creates one). */
  currentTransport(): Transport | undefined;
  transportConfig(): Record<string, any>;
  active(): boolean;
  cursor(): string | undefined;
  /** Takes a poll's answer (messages, chat ended). */
  received(r: ReadResult): void;
  /** True when the error means the session is gone. */
  lost(err: unknown): boolean;
  sessionLost(): void;
  publish(event: string, data?: unknown): void;
}

export class Poller {
  /** A poll is in flight. */
  busy = false;
  /** Failed polls counted towards pollExceptionLimit (resetPollExceptions clears it). */
  errors = 0;
  private running = false;
  private generation = 0;
  private offline: '' | 'network' | 'server' = '';

  constructor(private readonly deps: PollerDeps) {}

  reset(): void {
    this.errors = 0;
    this.offline = '';
  }

  /** One read; true when it brought messages. */
  async pollOnce(): Promise<boolean> {
    this.busy = true;
    try {
      const r = await this.deps.transport().poll(this.deps.cursor());
      if (this.offline) this.deps.publish(this.offline === 'network' ? 'reconnected' : 'chatServerBackOnline');
      this.offline = '';
      this.errors = 0;
      this.deps.received(r);
      return r.messages.length > 0;
    } finally {
      this.busy = false;
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.deps.transport().can.poll) this.deps.publish('pollingStarted');
    void this.loop(++this.generation);
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    const transport = this.deps.currentTransport();
    transport?.abort();
    if (transport?.can.poll) this.deps.publish('pollingStopped');
  }

  private async loop(generation: number): Promise<void> {
    const { deps } = this;
    let failures = 0; // in a row: the backoff
    while (generation === this.generation && deps.active()) {
      const startedAt = Date.now();
      let got = false;
      try {
        got = await this.pollOnce();
        failures = 0;
      } catch (err) {
        if (generation !== this.generation || !(err instanceof TransportError) || err.code === 'ABORTED') return;
        if (deps.lost(err)) return deps.sessionLost();
        failures++;
        if (err.httpStatus !== 503) this.errors++;
        if (err.httpStatus === 0) {
          if (this.offline !== 'network') deps.publish('disconnected');
          this.offline = 'network';
        } else if (err.httpStatus >= 500) {
          if (!this.offline) deps.publish('chatServerWentOffline');
          this.offline ||= 'server';
        }
        if (this.errors >= (+deps.transportConfig().pollExceptionLimit || 10)) {
          deps.publish('error', err.response);
          return this.stop();
        }
        await sleep(Math.min(1000 * 2 ** (failures - 1), 10_000));
        continue;
      }
      // A server that answers at once with nothing is polled every pollTimeout; a long poll is re-issued at once.
      const wait = got || deps.currentTransport()?.selfTimed ? 0 : Math.max(100, +deps.transportConfig().pollTimeout || 3000) - (Date.now() - startedAt);
      if (wait > 0) await sleep(wait);
    }
  }
}
