/**
 * Baseline (a): the floor. A relay written directly on `ws`: customers connect to /c?s=<session>,
 * agents to /a and claim sessions; text frames are forwarded customer <-> agent. No persistence,
 * no auth, no history: what any chat server must at least do.
 *
 *   customer -> relay: {text}                 relay -> agent:    {s, text}
 *   agent    -> relay: {t: 'claim', s: [..]}  relay -> agent:    {t: 'claimed', n}
 *   agent    -> relay: {s, text}              relay -> customer: {text}
 */
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.env.PORT ?? 0);
const customers = new Map<string, WebSocket>();
const agents = new Map<string, WebSocket>();

const server = createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', customers: customers.size, agents: agents.size }));
    return;
  }
  res.writeHead(404).end();
});
const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 });

wss.on('connection', (ws, req) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/c') {
    const s = url.searchParams.get('s');
    if (!s) return ws.close(4400, 'session required');
    customers.set(s, ws);
    ws.on('message', (raw) => {
      const target = agents.get(s);
      if (!target) return;
      const { text } = JSON.parse(raw.toString()) as { text: string };
      target.send(JSON.stringify({ s, text }));
    });
    ws.on('close', () => {
      if (customers.get(s) === ws) customers.delete(s);
    });
    return;
  }
  if (url.pathname === '/a') {
    const mine: string[] = [];
    ws.on('message', (raw) => {
      const f = JSON.parse(raw.toString()) as { t?: string; s: string | string[]; text?: string };
      if (f.t === 'claim') {
        for (const s of f.s as string[]) {
          agents.set(s, ws);
          mine.push(s);
        }
        ws.send(JSON.stringify({ t: 'claimed', n: (f.s as string[]).length }));
        return;
      }
      customers.get(f.s as string)?.send(JSON.stringify({ text: f.text }));
    });
    ws.on('close', () => {
      for (const s of mine) if (agents.get(s) === ws) agents.delete(s);
    });
    return;
  }
  ws.close(4404, 'unknown path');
});

server.listen(port, '127.0.0.1', () => console.log(`ws relay on ${(server.address() as { port: number }).port}`));
const stop = () => {
  for (const c of wss.clients) c.terminate();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
