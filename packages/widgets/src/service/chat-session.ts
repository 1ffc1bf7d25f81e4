import type { Plugin } from '../bus/cxbus.js';
import { createTransport, TransportError, type RawMessage, type SessionData, type Transport } from '../transports/transport.js';
import '../transports/index.js';
import type { ChatMessage } from './messages.js';
import { Participants } from './participants.js';
import { Poller } from './poller.js';
import { SessionTranscript, type IngestOptions } from './session-transcript.js';
import { createStoredSession, type StoredSession } from './stored-session.js';

type Options = Record<string, any>;

export const responseOf = (e: unknown) => (e instanceof TransportError ? e.response : e instanceof Error ? e.message : e);

/**
 * WebChatService's session state: idle -> starting | restoring -> active -> idle, the session's
 * keys and transport, its transcript, participants and poller, and the lifecycle steps the
 * commands share (begin, restore, finish). Publishes through the plugin.
 */
export class ChatSession {
  state: 'idle' | 'starting' | 'restoring' | 'active' = 'idle';
  session: SessionData | null = null;
  sessionAsync = false;
  userData: Options;
  startTime: number | undefined;
  endTime: number | undefined;
  readonly transcript: SessionTranscript;
  readonly participants: Participants;
  readonly poller: Poller;
  readonly stored: StoredSession;
  private currentTransport: Transport | undefined;

  constructor(
    readonly plugin: Plugin,
    readonly config: Options,
    windowOpen: () => boolean,
  ) {
    this.userData = { ...config.userData };
    this.transcript = new SessionTranscript((u) => this.transport().fileUrl(u));
    this.participants = new Participants({
      publish: (e, d) => this.publish(e, d),
      setData: (k, v) => plugin.data(k, v),
      sendTypingStopped: () => {
        if (this.active())
          this.transport()
            .typing(false)
            .catch(() => undefined);
      },
    });
    this.poller = new Poller({
      transport: () => this.transport(),
      currentTransport: () => this.currentTransport,
      transportConfig: () => this.transportConfig(),
      active: () => this.active(),
      cursor: () => this.transcript.cursor,
      received: (r) => {
        this.stored.touch();
        this.ingest(r.messages, { polled: true });
        if (r.chatEnded) this.finish('ended');
      },
      lost: (err) => this.lost(err),
      sessionLost: () => this.finish('sessionLost'),
      publish: (e, d) => this.publish(e, d),
    });
    this.stored = createStoredSession(
      () => this.asyncConfig(),
      () => this.isAsync(),
      windowOpen,
    );
  }

  transportConfig = (): Options => this.config.transport ?? {};
  asyncConfig = (): Options => this.transportConfig().async ?? {};
  pageSize = (): number => Math.max(16, +this.transportConfig().maxMessagePageSize || 20);
  transport = (): Transport => (this.currentTransport ??= createTransport(this.transportConfig(), this.config));
  /** The next transport() follows the configuration anew. */
  dropTransport(): void {
    this.currentTransport = undefined;
  }
  active = (): boolean => this.state === 'active';
  isAsync = (): boolean => !!this.asyncConfig().enabled || this.sessionAsync;
  publish(event: string, data?: unknown): void {
    this.plugin.publish(event, data);
  }
  /** The error means the session is gone (a stale token during a restore included). */
  lost = (e: unknown): boolean => e instanceof TransportError && (e.code === 'INVALID_SESSION' || e.httpStatus === 404 || (this.state === 'restoring' && e.httpStatus === 401));

  /** Takes messages read from the server and publishes them (messageReceived, participant and UI events). */
  ingest(raws: RawMessage[], how: IngestOptions = {}): void {
    const got = this.transcript.ingest(raws, how);
    if (!got) return;
    this.publish('messageReceived', {
      originalMessages: got.fresh,
      messages: got.messages,
      restoring: !!how.restoring,
      sessionData: this.session && { ...this.session },
      oldMessages: !!how.old,
    });
    if (!how.old)
      for (const m of got.messages) {
        this.participants.observe(m, !how.restoring);
        this.uiEvent(m, !!how.restoring);
      }
  }

  /** Seed 004: a message whose `event` is `ui-event-*` is published as `uiEvent` and as the event's own name. */
  private uiEvent(m: ChatMessage, restoring: boolean): void {
    if (typeof m.event !== 'string' || !m.event.startsWith('ui-event-')) return;
    const data = m.data && typeof m.data === 'object' ? m.data : {};
    this.publish('uiEvent', { name: m.event, data, restoring, message: m });
    this.publish(m.event, data);
  }

  /** A new session starts from nothing. */
  reset(): void {
    this.transcript.reset();
    this.participants.reset();
    this.poller.reset();
    this.startTime = this.endTime = undefined;
  }

  begin(s: SessionData, async: boolean): void {
    this.session = s;
    this.sessionAsync = async;
    this.state = 'active';
    this.startTime ??= Date.now();
    this.stored.save(s, async);
    this.plugin.data('sessionActive', true);
  }

  /** The session is over (ended, lost or left): stop everything and forget it. */
  finish(event: 'ended' | 'sessionLost'): void {
    if (this.state === 'idle' && !this.session) return;
    this.poller.stop();
    this.participants.stopAgentTyping();
    this.participants.stopClientTyping(false);
    this.state = 'idle';
    this.session = null;
    this.sessionAsync = false;
    this.endTime = Date.now();
    this.stored.forget();
    this.plugin.data('sessionActive', false);
    if (event === 'sessionLost') this.publish('sessionLost');
    this.publish('ended');
  }

  async restore(saved: SessionData): Promise<void> {
    this.state = 'restoring';
    const transport = this.transport();
    try {
      const s = await transport.resume(saved);
      this.session = s;
      let raws: RawMessage[] = [];
      let ended = false;
      if (this.isAsync() || saved.async) {
        const r = await transport.history(this.pageSize());
        raws = r.messages;
        ended = r.chatEnded;
        this.transcript.historyDone = raws.length < this.pageSize();
      } else {
        // the whole transcript, from the start
        for (let before: string | undefined; ;) {
          const r = await transport.history(500, before);
          raws = [...r.messages, ...raws];
          ended = ended || r.chatEnded;
          if (r.messages.length < 500) break;
          before = String(r.messages[0]!.index);
        }
      }
      this.begin(s, this.isAsync() || !!saved.async);
      this.startTime = raws[0]?.utcTime ? Date.parse(String(raws[0].utcTime)) || Date.now() : Date.now();
      this.publish('restored');
      this.ingest(raws, { restoring: true });
      if (ended) this.finish('ended');
      else this.poller.start();
    } catch (err) {
      const wasLost = this.lost(err);
      this.state = 'idle';
      this.session = null;
      this.stored.forget();
      this.plugin.data('sessionActive', false);
      if (wasLost) this.publish('sessionLost');
      this.publish('restoreFailed', responseOf(err));
      throw err;
    }
  }

  /** At page load: resume a stored session unless the visitor was away longer than restoreTimeout. */
  async autoRestore(): Promise<void> {
    let saved: SessionData | null = null;
    try {
      saved = await this.stored.load();
    } catch (err) {
      console.error('[WebChatService] setSessionData failed', err);
    }
    if (!saved || this.state !== 'idle') return;
    const last = this.stored.lastTouched();
    const limit = +this.config.restoreTimeout || 60_000;
    if (!this.isAsync() && !saved.async && last && Date.now() - last > limit) {
      const transport = this.transport();
      transport
        .resume(saved)
        .then(() => transport.leave())
        .catch(() => undefined);
      this.stored.forget();
      this.publish('restoreTimeout');
      return;
    }
    await this.restore(saved).catch(() => undefined);
  }

  /** Awaits a transport call; a lost session ends the chat. Rejects with the response object. */
  async call<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      if (this.lost(err)) this.finish('sessionLost');
      throw responseOf(err);
    }
  }

  async send(text: string): Promise<unknown> {
    const { message, response } = await this.call(this.transport().send(text));
    if (message) this.ingest([message]);
    return response;
  }
}
