import type http from 'node:http';
import WebSocket from 'ws';
import { io, type Socket } from 'socket.io-client';
import { formEncode, request } from '../lib/http.js';
import { sleep } from '../lib/util.js';

/** One customer: a chat session seen from the website's side. */
export interface Customer {
  readonly id: string;
  readonly node: number;
  /** Resolves when the server acknowledged the message (HTTP answer), or at once on a socket. */
  send(text: string): Promise<void>;
  close(): void;
}

export interface CustomerEvents {
  /** Text from the agent. */
  onText(text: string): void;
  onError(where: string, err: unknown): void;
}

let op = 0;
const opId = () => `b${process.pid}-${++op}`;

/**
 * Parley's consumer API (Chat API v3) as the Genesys client speaks it: form bodies, a start, a
 * long poll loop that follows the server-side cursor, and sends.
 */
export class ParleyV3Customer implements Customer {
  id = '';
  private token = '';
  private participantId = '';
  private polling = false;

  constructor(
    private readonly agent: http.Agent,
    private readonly base: string,
    readonly node: number,
    private readonly apiKey: string,
    private readonly prefix: string,
    private readonly ev: CustomerEvents,
    private readonly extraHeaders: Record<string, string> = {},
  ) {}

  private headers(): Record<string, string> {
    const h: Record<string, string> = { 'x-api-key': this.apiKey, ...this.extraHeaders };
    if (this.token) h['x-nexus-client-key'] = this.token;
    return h;
  }

  async start(n: number): Promise<void> {
    const form = formEncode({ operationId: opId(), data: { firstName: 'Bench', lastName: `Customer ${n}`, nickname: `bench-${n}`, userData: { source: 'bench' } } });
    const r = await request(this.agent, 'POST', `${this.base}${this.prefix}`, { headers: this.headers(), form, timeoutMs: 60_000 });
    if (r.status !== 200) throw new Error(`start: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    this.token = r.body.data.clientToken;
    this.id = r.body.data.sessionId;
    this.participantId = r.body.data.participantId;
    this.polling = true;
    void this.pollLoop();
  }

  private async pollLoop(): Promise<void> {
    while (this.polling) {
      try {
        const r = await request(this.agent, 'GET', `${this.base}${this.prefix}/${this.id}/messages`, { headers: this.headers(), timeoutMs: 40_000 });
        if (!this.polling) return;
        if (r.status !== 200) {
          this.ev.onError('poll', new Error(`${r.status} ${JSON.stringify(r.body).slice(0, 200)}`));
          if (r.status === 404) return;
          await sleep(500);
          continue;
        }
        for (const m of r.body.data.messages as { type: string; text?: string; from?: { type?: string } }[]) {
          if (m.type === 'Text' && m.from?.type === 'Agent' && m.text) this.ev.onText(m.text);
        }
        if (r.body.data.chatEnded) return;
      } catch (err) {
        if (!this.polling) return;
        this.ev.onError('poll', err);
        await sleep(500);
      }
    }
  }

  async send(text: string): Promise<void> {
    const form = formEncode({ operationId: opId(), data: { type: 'Text', text } });
    const r = await request(this.agent, 'POST', `${this.base}${this.prefix}/${this.id}/messages`, { headers: this.headers(), form });
    if (r.status !== 200) throw new Error(`send: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  }

  async leave(): Promise<void> {
    this.polling = false;
    await request(this.agent, 'DELETE', `${this.base}${this.prefix}/${this.id}/participants/${this.participantId}?operationId=${opId()}`, { headers: this.headers() }).catch(() => undefined);
  }

  close(): void {
    this.polling = false;
  }
}

/** Baseline (a): a customer on the bare `ws` relay. */
export class WsCustomer implements Customer {
  private ws!: WebSocket;
  constructor(
    readonly id: string,
    private readonly base: string,
    readonly node: number,
    private readonly ev: CustomerEvents,
  ) {}

  start(): Promise<void> {
    this.ws = new WebSocket(`${this.base.replace(/^http/, 'ws')}/c?s=${encodeURIComponent(this.id)}`, { perMessageDeflate: false });
    this.ws.on('message', (raw) => {
      const f = JSON.parse(raw.toString()) as { text: string };
      this.ev.onText(f.text);
    });
    this.ws.on('error', (err) => this.ev.onError('socket', err));
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  async send(text: string): Promise<void> {
    this.ws.send(JSON.stringify({ text }));
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Baseline (b): a customer on the Socket.IO relay (WebSocket transport, one connection each). */
export class SioCustomer implements Customer {
  private socket!: Socket;
  constructor(
    readonly id: string,
    private readonly base: string,
    readonly node: number,
    private readonly ev: CustomerEvents,
  ) {}

  start(): Promise<void> {
    this.socket = io(this.base, { transports: ['websocket'], auth: { role: 'customer', s: this.id }, forceNew: true, reconnection: false, timeout: 30_000 });
    this.socket.on('msg', (text: string) => this.ev.onText(text));
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  async send(text: string): Promise<void> {
    this.socket.emit('msg', text);
  }

  close(): void {
    this.socket.disconnect();
  }
}

/**
 * Parley's guest chat API v2 (`purecloud-v2-sockets`, seed 003): create over REST, the event
 * stream on a WebSocket (eventStreamUri), sends over REST with the conversation's JWT.
 */
export class GuestV2Customer implements Customer {
  id = '';
  private jwt = '';
  private memberId = '';
  private ws: WebSocket | null = null;
  static readonly PREFIX = '/api/v2/webchat/guest/conversations';

  constructor(
    private readonly agent: http.Agent,
    private readonly base: string,
    readonly node: number,
    private readonly deploymentId: string,
    private readonly ev: CustomerEvents,
  ) {}

  async start(n: number): Promise<void> {
    const r = await request(this.agent, 'POST', `${this.base}${GuestV2Customer.PREFIX}`, {
      json: {
        organizationId: 'bench',
        deploymentId: this.deploymentId,
        routingTarget: { targetType: 'QUEUE', targetAddress: 'Support' },
        memberInfo: { displayName: `bench-${n}`, customFields: { source: 'bench' } },
      },
      timeoutMs: 60_000,
    });
    if (r.status !== 200) throw new Error(`create: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    this.id = r.body.id;
    this.jwt = r.body.jwt;
    this.memberId = r.body.member.id;
    const ws = new WebSocket(r.body.eventStreamUri, { perMessageDeflate: false });
    this.ws = ws;
    ws.on('message', (raw) => {
      const f = JSON.parse(raw.toString()) as { metadata?: { type?: string }; eventBody?: { body?: string; sender?: { id?: string } } };
      if (f.metadata?.type === 'message' && f.eventBody?.sender?.id !== this.memberId && f.eventBody?.body) this.ev.onText(f.eventBody.body);
    });
    ws.on('error', (err) => this.ev.onError('stream', err));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
  }

  async send(text: string): Promise<void> {
    const r = await request(this.agent, 'POST', `${this.base}${GuestV2Customer.PREFIX}/${this.id}/members/${this.memberId}/messages`, {
      headers: { authorization: `Bearer ${this.jwt}` },
      json: { body: text, bodyType: 'standard' },
    });
    if (r.status !== 200) throw new Error(`send: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  }

  close(): void {
    this.ws?.terminate();
  }
}
