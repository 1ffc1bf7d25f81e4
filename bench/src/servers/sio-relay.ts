/**
 * Baseline (b): the same relay on Socket.IO (rooms, acknowledgements off, WebSocket transport).
 * Customers connect with auth {role: 'customer', s}; agents with {role: 'agent'} and emit
 * `claim` [sessions]; `msg` events are forwarded customer <-> agent. No persistence.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.env.PORT ?? 0);
const server = createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', sockets: io.engine.clientsCount }));
    return;
  }
  // Socket.IO answers its own paths; anything else is not found.
  if (!req.url?.startsWith('/socket.io/')) res.writeHead(404).end();
});
const io = new Server(server, { transports: ['websocket'], maxHttpBufferSize: 64 * 1024, serveClient: false, pingInterval: 25_000 });

io.on('connection', (socket) => {
  const auth = socket.handshake.auth as { role?: string; s?: string };
  if (auth.role === 'customer' && auth.s) {
    const s = auth.s;
    void socket.join(`c:${s}`);
    socket.on('msg', (text: string) => {
      io.to(`a:${s}`).emit('msg', s, text);
    });
    return;
  }
  if (auth.role === 'agent') {
    socket.on('claim', (sessions: string[], ack?: (n: number) => void) => {
      void socket.join(sessions.map((s) => `a:${s}`));
      ack?.(sessions.length);
    });
    socket.on('msg', (s: string, text: string) => {
      io.to(`c:${s}`).emit('msg', text);
    });
    return;
  }
  socket.disconnect(true);
});

server.listen(port, '127.0.0.1', () => console.log(`socket.io relay on ${(server.address() as { port: number }).port}`));
const stop = () => {
  io.close();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
