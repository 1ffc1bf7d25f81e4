import type http from 'node:http';
import WebSocket from 'ws';
import { io, type Socket } from 'socket.io-client';
import { request } from '../lib/http.js';
import { mapLimit, withTimeout } from '../lib/util.js';
import type { SessionRef } from './types.js';

/** One agent connection holding several chats. */
export interface AgentConn {
  setup(): Promise<void>;
  reply(sessionId: string, text: string): Promise<void>;
  teardown(): Promise<void>;
  close(): void;
}

export interface AgentEvents {
  /** Customer text arriving on this agent connection. */
  onText(sessionId: string, text: string): void;
  onError(where: string, err: unknown): void;
}

/**
 * A Parley agent: accepts its sessions' queued interactions over REST, streams them over the agent
 * WebSocket (/agent/v1/events: auth, subscribe), and replies over REST.
 */
export class ParleyAgent implements AgentConn {
  private ws: WebSocket | null = null;
  private interactions: string[] = [];
  private closed = false;

  constructor(
    private readonly agent: http.Agent,
    private readonly base: string,
    private readonly token: string,
    private readonly sessions: SessionRef[],
    private readonly ev: AgentEvents,
    /** false: only watch (subscribe to queued sessions), as in the idle-connection memory figure. */
    private readonly accept = true,
  ) {}

  private call(method: string, path: string, json?: unknown, timeoutMs = 30_000) {
    return request(this.agent, method, `${this.base}/agent/v1${path}`, { headers: { authorization: `Bearer ${this.token}` }, ...(json !== undefined ? { json } : {}), timeoutMs });
  }

  async setup(): Promise<void> {
    for (const s of this.accept ? this.sessions : []) {
      const info = await this.call('GET', `/sessions/${s.id}`);
      if (info.status !== 200) throw new Error(`session ${s.id}: ${info.status} ${JSON.stringify(info.body).slice(0, 200)}`);
      const open = (info.body.interactions as { id: string; state: string }[]).find((i) => i.state === 'Queued' || i.state === 'Offered');
      if (!open) throw new Error(`session ${s.id}: no queued interaction (${JSON.stringify(info.body.interactions.map((i: any) => i.state))})`);
      const r = await this.call('POST', `/interactions/${open.id}/accept`);
      if (r.status !== 200) throw new Error(`accept ${open.id}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      this.interactions.push(open.id);
    }
    const ws = new WebSocket(`${this.base.replace(/^http/, 'ws')}/agent/v1/events`, { perMessageDeflate: false });
    this.ws = ws;
    const subscribed = new Set<string>();
    let onSubscribed: () => void = () => {};
    let onReady: () => void = () => {};
    ws.on('message', (raw) => {
      const f = JSON.parse(raw.toString());
      if (f.type === 'message') {
        const m = f.message;
        if (m.type === 'Text' && m.from?.type === 'Customer' && m.text) this.ev.onText(f.sessionId, m.text);
      } else if (f.type === 'ping') {
        ws.send('{"type":"pong"}');
      } else if (f.type === 'ready') {
        onReady();
      } else if (f.type === 'subscribed') {
        subscribed.add(f.sessionId);
        onSubscribed();
      } else if (f.type === 'error') {
        this.ev.onError('ws', new Error(`${f.message} ${f.sessionId ?? ''}`));
      }
    });
    ws.on('error', (err) => this.ev.onError('ws', err));
    ws.on('close', (code) => {
      if (!this.closed) this.ev.onError('ws', new Error(`closed ${code}`));
    });
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      }),
      30_000,
      'agent ws open',
    );
    const ready = new Promise<void>((r) => (onReady = r));
    ws.send(JSON.stringify({ type: 'auth', token: this.token }));
    await withTimeout(ready, 30_000, 'agent ws ready');
    const all = new Promise<void>((r) => {
      onSubscribed = () => subscribed.size >= this.sessions.length && r();
    });
    for (const s of this.sessions) ws.send(JSON.stringify({ type: 'subscribe', sessionId: s.id }));
    await withTimeout(all, 60_000, 'agent ws subscribe');
  }

  async reply(sessionId: string, text: string): Promise<void> {
    const r = await this.call('POST', `/sessions/${sessionId}/messages`, { type: 'Text', text });
    if (r.status !== 200) throw new Error(`reply: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  }

  /** Ends the chats the way an agent does: done (wrap-up), then complete; a synchronous session ends. */
  async teardown(): Promise<void> {
    this.closed = true;
    this.ws?.close();
    await mapLimit(this.interactions, 2, async (id) => {
      await this.call('POST', `/interactions/${id}/done`).catch(() => undefined);
      await this.call('POST', `/interactions/${id}/complete`, { wrapUpCode: 'resolved' }).catch(() => undefined);
    });
  }

  close(): void {
    this.closed = true;
    this.ws?.terminate();
  }
}

/** Baseline (a): an agent on the bare `ws` relay. */
export class WsAgent implements AgentConn {
  private ws!: WebSocket;
  constructor(
    private readonly base: string,
    private readonly sessions: SessionRef[],
    private readonly ev: AgentEvents,
  ) {}

  async setup(): Promise<void> {
    this.ws = new WebSocket(`${this.base.replace(/^http/, 'ws')}/a`, { perMessageDeflate: false });
    const claimed = new Promise<void>((resolve) => {
      this.ws.on('message', (raw) => {
        const f = JSON.parse(raw.toString()) as { t?: string; s: string; text: string };
        if (f.t === 'claimed') return resolve();
        this.ev.onText(f.s, f.text);
      });
    });
    this.ws.on('error', (err) => this.ev.onError('ws', err));
    await new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.send(JSON.stringify({ t: 'claim', s: this.sessions.map((s) => s.id) }));
    await withTimeout(claimed, 30_000, 'claim');
  }

  async reply(sessionId: string, text: string): Promise<void> {
    this.ws.send(JSON.stringify({ s: sessionId, text }));
  }

  async teardown(): Promise<void> {
    this.ws.close();
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Baseline (b): an agent on the Socket.IO relay. */
export class SioAgent implements AgentConn {
  private socket!: Socket;
  constructor(
    private readonly base: string,
    private readonly sessions: SessionRef[],
    private readonly ev: AgentEvents,
  ) {}

  async setup(): Promise<void> {
    this.socket = io(this.base, { transports: ['websocket'], auth: { role: 'agent' }, forceNew: true, reconnection: false, timeout: 30_000 });
    this.socket.on('msg', (s: string, text: string) => this.ev.onText(s, text));
    await new Promise<void>((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
    await withTimeout(
      this.socket.emitWithAck(
        'claim',
        this.sessions.map((s) => s.id),
      ),
      30_000,
      'claim',
    );
  }

  async reply(sessionId: string, text: string): Promise<void> {
    this.socket.emit('msg', sessionId, text);
  }

  async teardown(): Promise<void> {
    this.socket.disconnect();
  }

  close(): void {
    this.socket.disconnect();
  }
}
