/**
 * Minimal servers that speak the two Genesys APIs exactly as reference §2 (GMS chat v2) and §3
 * (guest chat v2 + event stream) describe them, for the transport unit tests. They record every
 * request so the tests can check what the client sends, and let a test play the agent.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';

(globalThis as any).WebSocket ??= WebSocket;

export interface Req {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  form: URLSearchParams;
  json?: any;
  at: number;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let b = '';
    req.setEncoding('latin1');
    req.on('data', (c) => (b += c));
    req.on('end', () => resolve(b));
  });
}

// ---------------------------------------------------------------- GMS chat v2

export interface GmsMessage {
  from: { nickname: string; participantId: number; type: 'Client' | 'Agent' | 'Supervisor' | 'External' };
  index: number;
  type: string;
  text?: string;
  utcTime: number;
  userData?: Record<string, string>;
}

export interface FakeGms {
  url: string;
  dataURL: string;
  requests: Req[];
  log: GmsMessage[];
  ended: boolean;
  userData: Record<string, string>;
  /** The next answer to a call of this operation is this error (status, body). */
  failNext(op: string, status: number, body: unknown): void;
  agent(type: string, text?: string, extra?: Partial<GmsMessage>): GmsMessage;
  close(): Promise<void>;
}

export async function fakeGms(service = 'Support', apikey = 'gms-key'): Promise<FakeGms> {
  const requests: Req[] = [];
  const fails = new Map<string, { status: number; body: unknown }>();
  const chatId = '0001AaBbCc';
  const creds = { alias: '117', userId: '00F05B9A2C330001', secureKey: 'a5b7c9d1e3f5' };
  const f: FakeGms = {
    url: '',
    dataURL: '',
    requests,
    log: [],
    ended: false,
    userData: {},
    failNext: (op, status, body) => void fails.set(op, { status, body }),
    agent(type, text, extra = {}) {
      const m: GmsMessage = { from: { nickname: 'Kate', participantId: 2, type: 'Agent' }, index: f.log.length + 1, type, text, utcTime: Date.now(), ...extra };
      f.log.push(m);
      return m;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  const add = (type: string, text?: string) => {
    const m: GmsMessage = { from: { nickname: 'Jonny', participantId: 1, type: 'Client' }, index: f.log.length + 1, type, text, utcTime: Date.now() };
    f.log.push(m);
  };
  const server = createServer(async (req, res) => {
    const body = await read(req);
    const url = new URL(req.url!, 'http://x');
    const r: Req = { method: req.method!, path: url.pathname, headers: req.headers, body, form: new URLSearchParams(body), at: Date.now() };
    requests.push(r);
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const prefix = `/genesys/2/chat/${service}`;
    if (req.method !== 'POST' || !url.pathname.startsWith(prefix)) return send(404, { statusCode: 2, errors: [{ code: 404, advice: 'not found' }] });
    if (req.headers.apikey !== apikey) return send(401, { statusCode: 2, errors: [{ code: 401, advice: 'bad apikey' }] });
    const rest = url.pathname.slice(prefix.length);
    const op = rest === '/' || rest === '' ? 'create' : rest.split('/').slice(2).join('/');
    const fail = fails.get(op);
    if (fail) {
      fails.delete(op);
      return send(fail.status, fail.body);
    }
    const envelope = (from: number) => ({ statusCode: 0, ...creds, chatId, chatEnded: f.ended, nextPosition: f.log.length + 1, messages: f.log.filter((m) => m.index >= from) });
    if (op === 'create') {
      add('ParticipantJoined');
      return send(200, envelope(1));
    }
    if (!rest.startsWith('/' + chatId + '/')) return send(404, { statusCode: 2, errors: [{ code: 102, advice: 'Chat not found' }] });
    const p = r.form;
    if (p.get('alias') !== creds.alias || p.get('userId') !== creds.userId || p.get('secureKey') !== creds.secureKey)
      return send(400, { statusCode: 2, errors: [{ code: 103, advice: 'bad secureKey' }] });
    const position = +(p.get('transcriptPosition') ?? 0) || f.log.length + 1;
    switch (op) {
      case 'refresh':
        return send(200, envelope(position));
      case 'send':
        add('Message', p.get('message') ?? '');
        return send(200, envelope(position || f.log.length));
      case 'startTyping':
      case 'stopTyping':
        add(op === 'startTyping' ? 'TypingStarted' : 'TypingStopped', p.get('message') ?? '');
        return send(200, envelope(position));
      case 'customNotice':
        add('CustomNotice', p.get('message') ?? '');
        return send(200, envelope(position));
      case 'updateData':
        for (const [k, v] of p) {
          const m = /^userData\[(.+)\]$/.exec(k);
          if (m) f.userData[m[1]!] = v;
        }
        return send(200, envelope(f.log.length + 1));
      case 'disconnect':
        add('ParticipantLeft');
        f.ended = true;
        return send(200, envelope(f.log.length + 1));
      default:
        return send(404, { statusCode: 2, errors: [{ code: 404, advice: 'no such operation' }] });
    }
  });
  f.url = await listen(server);
  f.dataURL = `${f.url}/genesys/2/chat/${service}`;
  return f;
}

// ---------------------------------------------------------------- guest chat v2

export interface GuestMember {
  id: string;
  displayName: string;
  role: 'CUSTOMER' | 'AGENT' | 'WORKFLOW' | 'ACD';
  state: 'CONNECTED' | 'DISCONNECTED' | 'ALERTING';
  joinDate?: string;
}

export interface GuestMessage {
  id: string;
  conversation: { id: string };
  sender: { id: string };
  body: string;
  bodyType: 'standard' | 'notice' | 'member-join' | 'member-leave';
  timestamp: string;
}

export interface FakeGuest {
  url: string;
  requests: Req[];
  conversationId: string;
  customerId: string;
  members: Map<string, GuestMember>;
  log: GuestMessage[];
  sockets: Set<WebSocket>;
  /** Frames sent to sockets, in order. */
  frames: any[];
  agentJoin(opts?: { alerting?: boolean; joinMessage?: boolean }): void;
  agentConnect(): void;
  agentSay(text: string, bodyType?: GuestMessage['bodyType']): GuestMessage;
  agentTyping(): void;
  agentLeave(): void;
  heartbeat(): void;
  /** Drops every socket; new ones are refused while `refuse` is set. */
  drop(): void;
  refuse: boolean;
  close(): Promise<void>;
}

let clock = Date.parse('2024-05-01T10:00:00.000Z');
const stamp = () => new Date((clock += 7)).toISOString();

export async function fakeGuest(): Promise<FakeGuest> {
  const requests: Req[] = [];
  const conversationId = 'c0ffee00-0000-4000-8000-000000000001';
  const customerId = 'cu570mer-0000-4000-8000-000000000002';
  const agentId = 'a6e47000-0000-4000-8000-000000000003';
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJjb252ZXJzYXRpb24iOiJjMCJ9.sig';
  let n = 0;
  const wss = new WebSocketServer({ noServer: true });
  const f: FakeGuest = {
    url: '',
    requests,
    conversationId,
    customerId,
    members: new Map(),
    log: [],
    sockets: new Set(),
    frames: [],
    refuse: false,
    agentJoin({ alerting = false, joinMessage = true } = {}) {
      f.members.set(agentId, { id: agentId, displayName: 'Kate', role: 'AGENT', state: alerting ? 'ALERTING' : 'CONNECTED', joinDate: stamp() });
      if (joinMessage) message(agentId, '', 'member-join');
      memberChange(agentId);
    },
    agentConnect() {
      f.members.get(agentId)!.state = 'CONNECTED';
      memberChange(agentId);
    },
    agentSay: (text, bodyType = 'standard') => message(agentId, text, bodyType),
    agentTyping() {
      broadcast({
        topicName: `v2.conversations.chats.${conversationId}.messages`,
        eventBody: { conversation: { id: conversationId }, sender: { id: agentId }, timestamp: stamp() },
        metadata: { type: 'typing-indicator' },
      });
    },
    agentLeave() {
      f.members.get(agentId)!.state = 'DISCONNECTED';
      message(agentId, '', 'member-leave');
      memberChange(agentId);
    },
    heartbeat: () => broadcast({ topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } }),
    drop() {
      for (const s of f.sockets) s.terminate();
    },
    close: () =>
      new Promise((r) => {
        f.drop();
        wss.close();
        server.close(() => r());
      }),
  };
  function broadcast(frame: any) {
    f.frames.push(frame);
    for (const s of f.sockets) if (s.readyState === WebSocket.OPEN) s.send(JSON.stringify(frame));
  }
  function message(sender: string, body: string, bodyType: GuestMessage['bodyType']): GuestMessage {
    const m: GuestMessage = { id: `m${++n}`, conversation: { id: conversationId }, sender: { id: sender }, body, bodyType, timestamp: stamp() };
    f.log.push(m);
    broadcast({ topicName: `v2.conversations.chats.${conversationId}.messages`, eventBody: m, metadata: { type: 'message' } });
    return m;
  }
  function memberChange(id: string) {
    const m = f.members.get(id)!;
    broadcast({
      topicName: `v2.conversations.chats.${conversationId}.members`,
      eventBody: { member: { id, state: m.state }, conversation: { id: conversationId }, timestamp: stamp() },
      metadata: { type: 'member-change' },
    });
  }
  const server = createServer(async (req, res) => {
    const body = await read(req);
    const url = new URL(req.url!, 'http://x');
    const r: Req = { method: req.method!, path: url.pathname + url.search, headers: req.headers, body, form: new URLSearchParams(), at: Date.now() };
    try {
      r.json = body ? JSON.parse(body) : undefined;
    } catch {
      // not JSON
    }
    requests.push(r);
    const send = (status: number, json?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(json === undefined ? '' : JSON.stringify(json));
    };
    const base = '/api/v2/webchat/guest/conversations';
    if (url.pathname === base && req.method === 'POST') {
      f.members.set(customerId, { id: customerId, displayName: r.json?.memberInfo?.displayName, role: 'CUSTOMER', state: 'CONNECTED', joinDate: stamp() });
      setTimeout(() => message(customerId, '', 'member-join'), 30);
      return send(200, { id: conversationId, jwt, eventStreamUri: f.url.replace('http', 'ws') + '/stream/' + conversationId, member: { id: customerId } });
    }
    if (!url.pathname.startsWith(`${base}/${conversationId}`)) return send(404, { message: 'conversation not found', code: 'not.found', status: 404 });
    if (req.headers.authorization !== 'Bearer ' + jwt) return send(401, { message: 'no jwt', code: 'bad.credentials', status: 401 });
    const rest = url.pathname.slice(`${base}/${conversationId}`.length);
    let m: RegExpExecArray | null;
    if (rest === '/messages' && req.method === 'GET') {
      const max = Math.min(100, +(url.searchParams.get('maxResults') ?? 100));
      let list = f.log.slice();
      const before = url.searchParams.get('before');
      const after = url.searchParams.get('after');
      if (before)
        list = list.slice(
          0,
          Math.max(
            0,
            list.findIndex((x) => x.id === before),
          ),
        );
      if (after) list = list.slice(list.findIndex((x) => x.id === after) + 1).slice(0, max);
      else list = list.slice(-max); // the newest page (before a message, or of all)
      const more = !after && f.log.indexOf(list[0]!) > 0;
      const entities = url.searchParams.get('sortOrder') === 'descending' ? list.slice().reverse() : list;
      return send(200, { entities, pageSize: max, next: more ? `${base}/${conversationId}/messages?before=${list[0]!.id}` : undefined });
    }
    if ((m = /^\/members\/([^/]+)$/.exec(rest)) && req.method === 'GET') {
      const mem = f.members.get(decodeURIComponent(m[1]!));
      return mem ? send(200, mem) : send(404, { message: 'member not found', code: 'not.found', status: 404 });
    }
    if ((m = /^\/members\/([^/]+)\/messages$/.exec(rest)) && req.method === 'POST') {
      return send(200, message(m[1]!, r.json?.body, r.json?.bodyType ?? 'standard'));
    }
    if ((m = /^\/members\/([^/]+)\/typing$/.exec(rest)) && req.method === 'POST') {
      broadcast({
        topicName: `v2.conversations.chats.${conversationId}.messages`,
        eventBody: { conversation: { id: conversationId }, sender: { id: m[1] }, timestamp: stamp() },
        metadata: { type: 'typing-indicator' },
      });
      return send(200, { id: 't' + ++n, conversation: { id: conversationId }, sender: { id: m[1] }, timestamp: stamp() });
    }
    if ((m = /^\/members\/([^/]+)$/.exec(rest)) && req.method === 'DELETE') {
      const id = decodeURIComponent(m[1]!);
      f.members.get(id)!.state = 'DISCONNECTED';
      message(id, '', 'member-leave');
      memberChange(id);
      return send(204);
    }
    return send(404, { message: 'no route', code: 'not.found', status: 404 });
  });
  server.on('upgrade', (req, socket, head) => {
    if (f.refuse || req.url !== '/stream/' + conversationId) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      f.sockets.add(ws);
      ws.on('close', () => f.sockets.delete(ws));
    });
  });
  f.url = await listen(server);
  return f;
}
