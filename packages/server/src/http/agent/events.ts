import { serial } from '../serial.js';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { toV3Message, visibleTo } from '@parley/protocol';
import { z } from 'zod';
import type { ChatService } from '../../core/chat-service.js';
import type { RoutingService } from '../../core/routing-service.js';
import type { SupervisionService } from '../../core/supervision.js';
import type { TokenService } from '../../core/tokens.js';
import { recheckEvery, topics, type Fanout } from '../../ports/fanout.js';
import type { Account, Store } from '../../ports/store.js';
import { describeZodError } from '../errors.js';
import { accountFromToken } from './staff-auth.js';
import { FrameBudget, SOCKET_LIMITS, WS_CLOSE_POLICY_VIOLATION } from '../socket-limits.js';

export interface AgentEventsDeps {
  chat: ChatService;
  routing: RoutingService;
  supervision: SupervisionService;
  store: Store;
  tokens: TokenService;
  fanout: Fanout;
  pingMs?: number;
}

const frame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(4096) }),
  z.object({ type: z.literal('subscribe'), sessionId: z.string().uuid(), after: z.string().regex(/^\d+-\d$/).optional() }),
  z.object({ type: z.literal('unsubscribe'), sessionId: z.string().uuid() }),
  z.object({ type: z.literal('pong') }),
]);


/**
 * Realtime events for agents and supervisors over a WebSocket at /agent/v1/events. The first frame
 * authenticates; `subscribe {sessionId, after}` streams a session's log from `after`, so a client
 * that reconnects and re-subscribes with its last index gets no gap and no duplicate.
 */
export function registerAgentEvents(app: FastifyInstance, deps: AgentEventsDeps): void {
  const { chat, store, tokens, fanout } = deps;
  app.get('/agent/v1/events', { websocket: true }, (socket: WebSocket) => {
    let account: Account | null = null;
    const cleanups: (() => void)[] = [];
    const sessions = new Map<string, { stop: () => void }>();
    const send = (payload: unknown) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload));
    };
    const authTimer = setTimeout(() => socket.close(4401, 'authenticate first'), 10_000);
    const ping = setInterval(() => send({ type: 'ping' }), deps.pingMs ?? 20_000);

    const pushInteractions = serial(async () => {
      if (!account) return;
      const list = await chat.listInteractions({ states: ['Offered', 'Handling', 'Finalizing'], agentAccountId: account.id });
      const withCustomers = await store.tx(async (tx) => {
        const out = [];
        for (const i of list) {
          const s = await tx.getSession(i.sessionId);
          const c = s ? await tx.getParticipant(s.customerParticipantId) : null;
          out.push({ ...i, customer: { nickname: c?.nickname ?? '' } });
        }
        return out;
      });
      send({ type: 'interactions', interactions: withCustomers });
      send({ type: 'profile', profile: await deps.routing.profile(account.id) });
    });
    let overviewTimer: NodeJS.Timeout | null = null;
    const pushOverview = serial(async () => {
      if (account && account.role !== 'agent') send({ type: 'overview', overview: await deps.supervision.overview() });
    });
    const scheduleOverview = () => {
      if (overviewTimer) return;
      overviewTimer = setTimeout(() => {
        overviewTimer = null;
        pushOverview();
      }, 250);
    };

    const subscribe = async (sessionId: string, after: string | undefined) => {
      if (!account) return;
      await chat.getSessionForStaff(sessionId, account);
      // Subscribed already: the stream runs; replaying the log again would only multiply frames.
      if (sessions.has(sessionId)) return send({ type: 'subscribed', sessionId });
      if (sessions.size >= SOCKET_LIMITS.maxSubscriptions) throw new Error(`at most ${SOCKET_LIMITS.maxSubscriptions} sessions per socket; unsubscribe one first`);
      let cursor = after;
      const me = account;
      const visibilities = visibleTo(me.role === 'agent' ? 'Agent' : 'Supervisor');
      const pump = serial(async () => {
        for (;;) {
          const r = await chat.readAfter(sessionId, visibilities, cursor, 200, me.id);
          for (const m of r.messages) send({ type: 'message', sessionId, message: toV3Message(m) });
          if (r.messages.length) cursor = r.messages[r.messages.length - 1]!.index;
          if (r.messages.length < 200) return;
        }
      });
      const stop = fanout.listen(topics.session(sessionId), pump);
      // Re-check now and then: a lost notification costs latency, never a message.
      const stopRecheck = recheckEvery(fanout, pump);
      sessions.set(sessionId, {
        stop: () => {
          stop();
          stopRecheck();
        },
      });
      pump();
      send({ type: 'subscribed', sessionId });
    };

    const budget = new FrameBudget();
    socket.on('message', async (raw: Buffer) => {
      if (raw.length > 16 * 1024) return socket.close(1009, 'frame too large');
      if (!budget.take()) return socket.close(WS_CLOSE_POLICY_VIOLATION, 'too many frames; slow down');
      let parsed;
      try {
        parsed = frame.safeParse(JSON.parse(raw.toString()));
      } catch {
        return send({ type: 'error', message: 'frames must be JSON' });
      }
      if (!parsed.success) return send({ type: 'error', message: describeZodError(parsed.error) });
      const f = parsed.data;
      try {
        if (f.type === 'auth') {
          if (account) return send({ type: 'error', message: 'already authenticated' });
          try {
            account = await accountFromToken(f.token, tokens, store);
          } catch {
            return socket.close(4401, 'the token is not valid or has expired');
          }
          clearTimeout(authTimer);
          send({ type: 'ready', account: { id: account.id, username: account.username, displayName: account.displayName, role: account.role } });
          cleanups.push(fanout.listen(topics.agent(account.id), pushInteractions));
          if (account.role !== 'agent') {
            cleanups.push(fanout.listen(topics.supervisors, scheduleOverview));
            pushOverview();
          }
          pushInteractions();
          return;
        }
        if (!account) return socket.close(4401, 'authenticate first');
        if (f.type === 'subscribe') await subscribe(f.sessionId, f.after);
        else if (f.type === 'unsubscribe') {
          sessions.get(f.sessionId)?.stop();
          sessions.delete(f.sessionId);
        }
      } catch (err) {
        send({ type: 'error', message: err instanceof Error ? err.message : 'failed', ...('sessionId' in f ? { sessionId: f.sessionId } : {}) });
      }
    });

    socket.on('close', () => {
      clearTimeout(authTimer);
      clearInterval(ping);
      if (overviewTimer) clearTimeout(overviewTimer);
      for (const c of cleanups) c();
      for (const s of sessions.values()) s.stop();
      sessions.clear();
    });
  });
}
