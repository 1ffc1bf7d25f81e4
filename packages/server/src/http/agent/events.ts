import { serial } from '../serial.js';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { agentClientFrame, type AgentServerFrame } from '@parley/protocol';
import type { AgentViews } from '../../core/agent-views.js';
import type { ChatService } from '../../core/chat-service.js';
import type { RoutingService } from '../../core/routing-service.js';
import type { PresenceWatch } from '../../core/presence-watch.js';
import type { SupervisionService } from '../../core/supervision.js';
import { isAllowed } from '../../core/authorize.js';
import { ChatError, StoreUnavailableError } from '../../core/errors.js';
import { asStaff, type Authenticator } from '../../core/request-context.js';
import type { Clock } from '../../ports/clock.js';
import { recheckEvery, topics, type Fanout } from '../../ports/fanout.js';
import type { Account } from '../../core/types.js';
import { describeZodError } from '../errors.js';
import { closeReason, FrameBudget, SOCKET_LIMITS, WS_CLOSE_POLICY_VIOLATION } from '../socket-limits.js';
import { toAgentAccount, toAgentMessage, toAgentProfile, toListedInteraction, toOverview } from './wire.js';

export interface AgentEventsDeps {
  chat: ChatService;
  routing: RoutingService;
  presence: PresenceWatch;
  supervision: SupervisionService;
  views: AgentViews;
  authn: Authenticator;
  fanout: Fanout;
  clock: Clock;
  pingMs?: number;
}

/** Close code for a refused identity (bad, expired or revoked token); the desktop asks to log in again. */
export const WS_CLOSE_UNAUTHORIZED = 4401;
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** WebSocket close codes (RFC 6455): the server cannot serve now / failed unexpectedly. Neither means "sign out". */
export const WS_CLOSE_TRY_AGAIN_LATER = 1013;
export const WS_CLOSE_INTERNAL_ERROR = 1011;

/**
 * Realtime events for agents and supervisors over a WebSocket at /agent/v1/events. The first frame
 * authenticates; `subscribe {sessionId, after}` streams a session's log from `after`, so a client
 * that reconnects and re-subscribes with its last index gets no gap and no duplicate.
 *
 * Access is not decided once: every read of a session re-checks it with the read, a change of the
 * account (role, password, disabled, logout; announced on every node) re-authenticates the token,
 * and the token's expiry closes the socket. Lost access ends a session's stream with an
 * `unsubscribed` frame and its reason; a refused token closes the socket with 4401.
 */
export function registerAgentEvents(app: FastifyInstance, deps: AgentEventsDeps): void {
  const { chat, views, authn, fanout, clock } = deps;
  app.get('/agent/v1/events', { websocket: true }, (socket: WebSocket) => {
    let account: Account | null = null;
    let token = '';
    let expiryTimer: NodeJS.Timeout | null = null;
    let stopOverviewFeed: (() => void) | null = null;
    const cleanups: (() => void)[] = [];
    const sessions = new Map<string, { stop: () => void }>();
    const send = (payload: AgentServerFrame) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload));
    };
    /** The server cannot serve this socket now: 1013 "try again later" (1011 for an unexpected failure); the client reconnects. */
    const closeUnavailable = (err: unknown) => {
      if (err instanceof StoreUnavailableError) socket.close(WS_CLOSE_TRY_AGAIN_LATER, 'service briefly unavailable; reconnect');
      else socket.close(WS_CLOSE_INTERNAL_ERROR, 'internal error; reconnect');
    };
    const authTimer = setTimeout(() => socket.close(4401, 'authenticate first'), 10_000);
    // A socket whose peer went away without closing (a laptop lid, a lost network) is half-open: the
    // protocol-level ping browsers answer by themselves tells, and an unanswered one ends the socket,
    // so the agent's presence follows (core/presence-watch.ts).
    let answered = true;
    socket.on('pong', () => (answered = true));
    const ping = setInterval(() => {
      if (!answered) return socket.terminate();
      answered = false;
      socket.ping();
      send({ type: 'ping' });
    }, deps.pingMs ?? 20_000);

    const pushInteractions = serial(async () => {
      if (!account) return;
      send({ type: 'interactions', interactions: (await views.openWorkOf(account)).map(toListedInteraction) });
      send({ type: 'profile', profile: toAgentProfile(await deps.routing.profile(account.id)) });
    });
    let overviewTimer: NodeJS.Timeout | null = null;
    const pushOverview = serial(async () => {
      if (account && isAllowed(asStaff(account), 'supervise.overview')) send({ type: 'overview', overview: toOverview(await deps.supervision.overview()) });
    });
    const scheduleOverview = () => {
      if (overviewTimer) return;
      overviewTimer = setTimeout(() => {
        overviewTimer = null;
        pushOverview();
      }, 250);
    };

    const refuse = (reason: string) => socket.close(WS_CLOSE_UNAUTHORIZED, closeReason(reason));
    const dropSession = (sessionId: string, reason: string) => {
      const s = sessions.get(sessionId);
      if (!s) return;
      s.stop();
      sessions.delete(sessionId);
      send({ type: 'unsubscribed', sessionId, reason });
    };

    const subscribe = async (sessionId: string, after: string | undefined) => {
      if (!account) return;
      await chat.getSessionForStaff(sessionId, account);
      // Subscribed already: the stream runs; replaying the log again would only multiply frames.
      if (sessions.has(sessionId)) return send({ type: 'subscribed', sessionId });
      if (sessions.size >= SOCKET_LIMITS.maxSubscriptions) throw new Error(`at most ${SOCKET_LIMITS.maxSubscriptions} sessions per socket; unsubscribe one first`);
      let cursor = after;
      const readLog = chat.staffLogReader(sessionId);
      const pump = serial(async () => {
        for (;;) {
          if (!account || !sessions.has(sessionId)) return;
          let r;
          try {
            r = await readLog(account, cursor, 200);
          } catch (err) {
            if (err instanceof ChatError && (err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND')) return dropSession(sessionId, err.message);
            throw err;
          }
          for (const m of r.messages) send({ type: 'message', sessionId, message: toAgentMessage(m) });
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

    const startOverviewFeed = () => {
      if (stopOverviewFeed) return;
      stopOverviewFeed = fanout.listen(topics.supervisors, scheduleOverview);
      pushOverview();
    };
    const endOverviewFeed = () => {
      stopOverviewFeed?.();
      stopOverviewFeed = null;
      if (overviewTimer) clearTimeout(overviewTimer);
      overviewTimer = null;
    };
    const armExpiry = (expiresAtMs: number) => {
      if (expiryTimer) clearTimeout(expiryTimer);
      const left = expiresAtMs - clock.now();
      if (left <= 0) return refuse('the token expired; log in again');
      expiryTimer = setTimeout(() => armExpiry(expiresAtMs), Math.min(left, MAX_TIMER_MS));
    };
    /** Applies the account as stored now; a refused token closes the socket. */
    const applyAccess = (next: Account, expiresAtMs: number) => {
      // Closed while the store was read: nothing may be started for a socket that is gone.
      if (socket.readyState !== socket.OPEN) return;
      account = next;
      armExpiry(expiresAtMs);
      if (isAllowed(asStaff(next), 'supervise.overview')) startOverviewFeed();
      else endOverviewFeed();
    };
    const reauthorize = serial(async () => {
      if (!account) return;
      let r;
      try {
        // Past the DirectoryCache: the change that woke this check may not have reached it yet.
        r = await authn.staff(token, { fresh: true });
      } catch (err) {
        if (err instanceof ChatError && err.code === 'UNAUTHORIZED') return refuse(err.message);
        // The store is briefly unreachable: access stays as it was until the next check answers.
        if (err instanceof StoreUnavailableError) return;
        throw err;
      }
      applyAccess(r.account, r.expiresAtMs);
    });

    const budget = new FrameBudget();
    socket.on('message', async (raw: Buffer) => {
      answered = true;
      if (raw.length > 16 * 1024) return socket.close(1009, 'frame too large');
      if (!budget.take()) return socket.close(WS_CLOSE_POLICY_VIOLATION, 'too many frames; slow down');
      let parsed;
      try {
        parsed = agentClientFrame.safeParse(JSON.parse(raw.toString()));
      } catch {
        return send({ type: 'error', message: 'frames must be JSON' });
      }
      if (!parsed.success) return send({ type: 'error', message: describeZodError(parsed.error) });
      const f = parsed.data;
      try {
        if (f.type === 'auth') {
          if (account) return send({ type: 'error', message: 'already authenticated' });
          let r;
          try {
            // Past the DirectoryCache, like every re-check: a socket is opened rarely and lives long, and one
            // opened while the store is away is told to come back (1013) rather than left without its work.
            r = await authn.staff(f.token, { fresh: true });
          } catch (err) {
            // Only a refused token is 4401 (the desktop signs out); anything else is the server's fault.
            if (err instanceof ChatError && err.code === 'UNAUTHORIZED') return refuse(err.message);
            return closeUnavailable(err);
          }
          if (socket.readyState !== socket.OPEN) return;
          token = f.token;
          clearTimeout(authTimer);
          send({ type: 'ready', account: toAgentAccount(r.account) });
          applyAccess(r.account, r.expiresAtMs);
          if (socket.readyState !== socket.OPEN) return;
          // Presence follows this connection (core/presence-watch); it ends with the socket.
          cleanups.push(deps.presence.track(r.account.id));
          cleanups.push(fanout.listen(topics.agent(r.account.id), pushInteractions));
          cleanups.push(fanout.listen(topics.account(r.account.id), reauthorize));
          cleanups.push(recheckEvery(fanout, reauthorize));
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
        if (err instanceof StoreUnavailableError) return closeUnavailable(err);
        send({ type: 'error', message: err instanceof Error ? err.message : 'failed', ...('sessionId' in f ? { sessionId: f.sessionId } : {}) });
      }
    });

    socket.on('close', () => {
      clearTimeout(authTimer);
      clearInterval(ping);
      if (expiryTimer) clearTimeout(expiryTimer);
      endOverviewFeed();
      for (const c of cleanups) c();
      for (const s of sessions.values()) s.stop();
      sessions.clear();
    });
  });
}
