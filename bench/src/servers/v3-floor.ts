/**
 * The floor of a v3 exchange: a bare `node:http` + `ws` server that makes exactly the network moves
 * one Parley exchange makes on the Genesys v3 long poll, and nothing else (no store, no auth, no
 * framework, messages in memory). What it costs per exchange is what the protocol's requests,
 * responses and frames cost on this machine; Parley's figure above it is Parley's own work.
 *
 *   customer: GET  /poll?s=<id>   held until something is for the session (or 30 s), answered {messages}
 *   customer: POST /send?s=<id>   {text}: to the held poll, and a frame to the session's agent; answered {ok}
 *   agent:    WS   /agent         {claim: [ids]}; receives {s, text} for every message of its sessions
 *   agent:    POST /reply?s=<id>  {text}: to the held poll, and the frame back to the agent (as Parley echoes it); answered {ok}
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.env.PORT ?? 0);
const HOLD_MS = 30_000;

interface Session {
  queued: { text: string; from: string; at: number }[];
  poll: { res: ServerResponse; timer: NodeJS.Timeout } | null;
  agent: WebSocket | null;
}
const sessions = new Map<string, Session>();
const sessionOf = (id: string): Session => {
  let s = sessions.get(id);
  if (!s) sessions.set(id, (s = { queued: [], poll: null, agent: null }));
  return s;
};

const json = (res: ServerResponse, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

function answerPoll(s: Session): void {
  if (!s.poll || !s.queued.length) return;
  clearTimeout(s.poll.timer);
  json(s.poll.res, { messages: s.queued });
  s.poll = null;
  s.queued = [];
}

function deliver(id: string, text: string, from: string): void {
  const s = sessionOf(id);
  s.queued.push({ text, from, at: Date.now() });
  answerPoll(s);
  s.agent?.send(JSON.stringify({ s: id, text, from }));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const id = url.searchParams.get('s') ?? '';
  if (url.pathname === '/health') return json(res, { status: 'ok', sessions: sessions.size });
  if (req.method === 'GET' && url.pathname === '/poll' && id) {
    const s = sessionOf(id);
    if (s.poll) json(s.poll.res, { messages: [] });
    if (s.poll) clearTimeout(s.poll.timer);
    s.poll = {
      res,
      timer: setTimeout(() => {
        if (s.poll?.res === res) s.poll = null;
        json(res, { messages: [] });
      }, HOLD_MS),
    };
    answerPoll(s);
    return;
  }
  if (req.method === 'POST' && (url.pathname === '/send' || url.pathname === '/reply') && id) {
    void readBody(req).then((body) => {
      deliver(id, (JSON.parse(body) as { text: string }).text, url.pathname === '/send' ? 'customer' : 'agent');
      json(res, { ok: true });
    });
    return;
  }
  res.writeHead(404).end();
});

const wss = new WebSocketServer({ server, path: '/agent', maxPayload: 64 * 1024 });
wss.on('connection', (ws) => {
  ws.on('message', (raw) => {
    const { claim } = JSON.parse(raw.toString()) as { claim?: string[] };
    for (const id of claim ?? []) sessionOf(id).agent = ws;
    ws.send(JSON.stringify({ claimed: claim?.length ?? 0 }));
  });
});

server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => console.log(`v3 floor on ${(server.address() as { port: number }).port}`));
const stop = () => {
  wss.close();
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
