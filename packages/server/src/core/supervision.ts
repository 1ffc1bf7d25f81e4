import { topics, type Fanout } from '../ports/fanout.js';
import type { InteractionState } from '@parley/protocol';
import type { Account, Presence, Role, Session, Store } from '../ports/store.js';
import type { ChatService } from './chat-service.js';
import { authorize } from './authorize.js';
import { ChatError } from './errors.js';
import { asStaff } from './request-context.js';
import { newId } from './ids.js';
import { defaultProfile } from './routing-service.js';

export interface Overview {
  queues: { name: string; deploymentId: string; waiting: number; offered: number; longestWaitSeconds: number }[];
  agents: { id: string; displayName: string; role: Role; presence: Presence; reason: string | null; active: number; capacity: number }[];
  sessions: {
    id: string;
    deploymentId: string;
    state: Session['state'];
    interactionId: string | null;
    interactionState: InteractionState | null;
    agentName: string | null;
    customerName: string;
    queue: string | null;
    createdAt: string;
  }[];
}

/** What supervisors do: watch queues, agents and sessions; monitor, whisper, barge in. */
export class SupervisionService {
  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly chat: ChatService,
    private readonly now: () => number,
  ) {}

  async overview(): Promise<Overview> {
    return this.store.tx(async (tx) => {
      const now = this.now();
      const open = await tx.listInteractions({ states: ['Queued', 'Offered', 'Handling', 'Finalizing', 'Workflow'] });
      const queues = new Map<string, Overview['queues'][number]>();
      for (const q of await tx.listQueues()) queues.set(`${q.deploymentId}/${q.name}`, { name: q.name, deploymentId: q.deploymentId, waiting: 0, offered: 0, longestWaitSeconds: 0 });
      for (const i of open) {
        if (i.state !== 'Queued' && i.state !== 'Offered') continue;
        const key = `${i.deploymentId}/${i.queue}`;
        const entry = queues.get(key) ?? { name: i.queue, deploymentId: i.deploymentId, waiting: 0, offered: 0, longestWaitSeconds: 0 };
        if (i.state === 'Queued') entry.waiting++;
        else entry.offered++;
        entry.longestWaitSeconds = Math.max(entry.longestWaitSeconds, Math.round((now - Date.parse(i.queuedAt || i.createdAt)) / 1000));
        queues.set(key, entry);
      }
      const loads = await tx.agentLoads();
      const profiles = new Map((await tx.listProfiles()).map((p) => [p.accountId, p]));
      const accounts = await tx.listAccounts();
      const names = new Map(accounts.map((a) => [a.id, a.displayName]));
      const agents = accounts
        .filter((a) => a.role !== 'admin')
        .map((a) => {
          const p = profiles.get(a.id) ?? defaultProfile(a.id, new Date(now).toISOString());
          return { id: a.id, displayName: a.displayName, role: a.role, presence: p.presence, reason: p.reason, active: loads[a.id] ?? 0, capacity: p.capacity };
        });
      const sessions: Overview['sessions'] = [];
      for (const s of await tx.listActiveSessions(200)) {
        const latest = await tx.latestInteraction(s.id);
        const customer = await tx.getParticipant(s.customerParticipantId);
        sessions.push({
          id: s.id,
          deploymentId: s.deploymentId,
          state: s.state,
          interactionId: latest?.id ?? null,
          interactionState: latest?.state ?? null,
          agentName: latest?.agentAccountId ? (names.get(latest.agentAccountId) ?? null) : null,
          customerName: customer?.nickname ?? '',
          queue: latest?.queue ?? null,
          createdAt: s.createdAt,
        });
      }
      return { queues: [...queues.values()], agents, sessions };
    });
  }

  /** Joins without the customer knowing: no ParticipantJoined, reads All, Int and Vip. */
  async monitor(sessionId: string, account: Account): Promise<void> {
    authorize(asStaff(account), 'supervise.monitor');
    await this.store.tx(async (tx) => {
      await this.chat.liveSession(tx, sessionId);
      const existing = (await tx.listParticipants(sessionId)).find((p) => p.accountId === account.id && p.state !== 'Left');
      if (existing) return;
      const now = new Date(this.now()).toISOString();
      const session = (await tx.getSession(sessionId))!;
      await tx.insertParticipant({
        id: newId(),
        sessionId,
        type: 'Supervisor',
        nickname: account.displayName,
        accountId: account.id,
        state: 'Monitoring',
        joinedAt: now,
        leftAt: null,
        cursorNum: session.lastIndexNum,
      });
    });
  }

  /** A Vip message the handling agent sees and the customer never does. */
  async whisper(sessionId: string, account: Account, text: string, agentId?: string) {
    authorize(asStaff(account), 'supervise.whisper');
    if (!text.trim()) throw new ChatError('INVALID_REQUEST', 'text is required');
    await this.monitor(sessionId, account);
    const message = await this.store.tx(async (tx) => {
      const session = await this.chat.liveSession(tx, sessionId);
      const target = agentId ?? (await tx.latestInteraction(sessionId))?.agentAccountId;
      if (!target) throw new ChatError('CONFLICT', 'no agent handles this session; name one with agentId');
      const me = (await tx.listParticipants(sessionId)).find((p) => p.accountId === account.id && p.state !== 'Left')!;
      return this.chat.log.append(tx, session, {
        type: 'Text',
        from: { participantId: me.id, type: 'Supervisor', nickname: me.nickname },
        visibility: 'Vip',
        text,
        audienceAccountId: target,
        subtype: 'Whisper',
      });
    });
    await this.fanout.notify(topics.session(sessionId));
    return message;
  }

  /** The supervisor becomes a visible participant. */
  async barge(sessionId: string, account: Account): Promise<void> {
    authorize(asStaff(account), 'supervise.barge');
    await this.store.tx(async (tx) => {
      const session = await this.chat.liveSession(tx, sessionId);
      const monitoring = (await tx.listParticipants(sessionId)).find((p) => p.accountId === account.id && p.state === 'Monitoring');
      if (monitoring) await tx.updateParticipant(monitoring.id, { state: 'Left', leftAt: new Date(this.now()).toISOString() });
      await this.chat.joinStaff(tx, session, account);
    });
    await this.fanout.notify(topics.session(sessionId));
    await this.fanout.notify(topics.supervisors);
  }
}
