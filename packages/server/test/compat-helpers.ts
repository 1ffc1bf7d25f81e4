import WebSocket from 'ws';
import { API_KEY, http } from './helpers.js';

export const GMS = '/genesys/2/chat';
export const GUEST = '/api/v2/webchat/guest/conversations';

/** The reference client's start body (§2), form-encoded with bracket userData. */
export function gmsStartForm(extra: Record<string, unknown> = {}) {
  return {
    alias: '',
    secureKey: '',
    userId: '',
    nickname: '',
    firstName: 'Jonny',
    lastName: 'Smith',
    emailAddress: 'j@x.io',
    subject: 'product questions',
    text: '',
    userData: {
      GCTI_LanguageCode: 'en',
      customerId: '59606',
      _genesys_source: 'web',
      _genesys_referrer: '',
      _genesys_url: 'http://shop.example/page',
      _genesys_pageTitle: 'Shop',
      _genesys_browser: 'Chrome',
      _genesys_OS: 'Linux',
      _genesys_widgets: '9.0.018.07',
    },
    ...extra,
  };
}

/** A customer talking GMS chat v2 the way the Genesys Widgets client does (form bodies, `apikey` header). */
export class GmsCustomer {
  alias = '';
  userId = '';
  secureKey = '';
  chatId = '';
  /** Highest index seen so far; the client asks for transcriptPosition = this + 1. */
  seenIndex = 0;
  seen: any[] = [];

  constructor(
    readonly base: string,
    readonly serviceName = 'customer-support',
    readonly apiKey = API_KEY,
  ) {}

  get dataURL() {
    return `${this.base}${GMS}/${this.serviceName}`;
  }

  headers(): Record<string, string> {
    return { apikey: this.apiKey };
  }

  creds() {
    return { alias: this.alias, userId: this.userId, secureKey: this.secureKey };
  }

  async start(form: Record<string, unknown> = gmsStartForm(), trailingSlash = true) {
    const r = await http(`${this.dataURL}${trailingSlash ? '/' : ''}`, { method: 'POST', headers: this.headers(), form });
    if (r.status !== 200 || r.body.statusCode !== 0) throw new Error(`start failed: ${r.status} ${JSON.stringify(r.body)}`);
    Object.assign(this, { alias: r.body.alias, userId: r.body.userId, secureKey: r.body.secureKey, chatId: r.body.chatId });
    return r;
  }

  call(action: string, form: Record<string, unknown> = {}, creds: Record<string, unknown> = this.creds()) {
    return http(`${this.dataURL}/${this.chatId}/${action}`, { method: 'POST', headers: this.headers(), form: { ...creds, ...form } });
  }

  async refresh() {
    const r = await this.call('refresh', { transcriptPosition: this.seenIndex + 1, message: '' });
    if (r.status === 200 && r.body.statusCode === 0) {
      for (const m of r.body.messages) {
        this.seen.push(m);
        this.seenIndex = Math.max(this.seenIndex, m.index);
      }
    }
    return r;
  }

  /** Refreshes until `pred` holds over everything seen so far. */
  async refreshUntil(pred: (seen: any[], last: any) => boolean, tries = 40) {
    let last: any = null;
    for (let i = 0; i < tries; i++) {
      const r = await this.refresh();
      if (r.status !== 200) throw new Error(`refresh failed: ${r.status} ${JSON.stringify(r.body)}`);
      last = r.body;
      if (pred(this.seen, last)) return this.seen;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`condition not met; seen: ${JSON.stringify(this.seen.map((m) => [m.index, m.type, m.text]))}`);
  }
}

/** The reference client's create body (§3) with seed 003's configuration. */
export function guestCreateBody(deploymentId: string, extra: Record<string, unknown> = {}) {
  return {
    deploymentId,
    organizationId: 'b9b7a8f0-0000-4000-8000-0000000000aa',
    routingTarget: { targetAddress: 'Support', targetType: 'QUEUE', skills: ['Computers'], priority: 2, language: 'English - Written' },
    memberInfo: {
      displayName: 'Jonny Smith',
      role: 'CUSTOMER',
      customFields: {
        firstName: 'Jonny',
        lastName: 'Smith',
        customerId: '59606',
        phoneNumber: '1-916',
        _genesys_source: 'web',
        _genesys_referrer: '',
        _genesys_url: 'http://shop.example/page',
        _genesys_pageTitle: 'Shop',
        _genesys_browser: 'Chrome',
        _genesys_OS: 'Linux',
        email: 'j@x.io',
        subject: 'product questions',
      },
    },
    ...extra,
  };
}

/** A customer talking guest chat v2 (JSON bodies, Bearer jwt after the create call). */
export class GuestCustomer {
  id = '';
  jwt = '';
  memberId = '';
  eventStreamUri = '';

  constructor(readonly base: string) {}

  async create(body: Record<string, unknown>) {
    const r = await http(`${this.base}${GUEST}`, { method: 'POST', json: body });
    if (r.status !== 200) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`);
    Object.assign(this, { id: r.body.id, jwt: r.body.jwt, memberId: r.body.member.id, eventStreamUri: r.body.eventStreamUri });
    return r;
  }

  call(method: string, path: string, json?: unknown, jwt = this.jwt) {
    return http(`${this.base}${GUEST}/${this.id}${path}`, { method, headers: { authorization: `Bearer ${jwt}` }, ...(json !== undefined ? { json } : {}) });
  }

  send(body: string) {
    return this.call('POST', `/members/${this.memberId}/messages`, { body, bodyType: 'standard' });
  }

  typing() {
    return http(`${this.base}${GUEST}/${this.id}/members/${this.memberId}/typing`, { method: 'POST', headers: { authorization: `Bearer ${this.jwt}` } });
  }

  member(id: string) {
    return this.call('GET', `/members/${id}`);
  }

  leave() {
    return this.call('DELETE', `/members/${this.memberId}`);
  }

  stream(uri = this.eventStreamUri) {
    return new StreamClient(uri);
  }
}

/** A WebSocket client that keeps every frame and lets the test wait for one. */
export class StreamClient {
  frames: any[] = [];
  private waiters: (() => void)[] = [];
  readonly ws: WebSocket;
  closed: { code: number } | null = null;
  error: Error | null = null;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (d) => {
      this.frames.push(JSON.parse(d.toString()));
      this.wake();
    });
    this.ws.on('close', (code) => {
      this.closed = { code };
      this.wake();
    });
    this.ws.on('error', (err) => {
      this.error = err;
      this.wake();
    });
  }

  private wake() {
    this.waiters.splice(0).forEach((w) => w());
  }

  opened() {
    return new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  /** Frames other than heartbeats. */
  events() {
    return this.frames.filter((f) => f.topicName !== 'channel.metadata');
  }

  async until<T>(pred: (frames: any[]) => T | undefined | false, ms = 5000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = pred(this.frames);
      if (v) return v;
      if (Date.now() > end || this.closed)
        throw new Error(`timed out; frames: ${JSON.stringify(this.frames.map((f) => [f.metadata?.type ?? f.topicName, f.eventBody?.body ?? f.eventBody?.member?.state ?? f.eventBody?.message]))}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  close() {
    return new Promise<void>((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
