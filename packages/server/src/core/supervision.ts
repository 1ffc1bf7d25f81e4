import type { InteractionState } from '@parley/protocol';
import type { Clock } from '../ports/clock.js';
import type { Account, Presence, Role, Session, Store } from '../ports/store.js';
import { authorize } from './authorize.js';
import { ChatError } from './errors.js';
import { asStaff } from './request-context.js';
import { newId } from './ids.js';
import type { LogWriter } from './log-writer.js';
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
    private readonly writer: LogWriter,
    private readonly clock: Clock,
  ) {}

  async overview(): Promise<Overview> {
    return this.store.tx(async (tx) => {
      const now = this.clock.now();
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
    await this.writer.write(async (w) => {
      const session = await w.liveSession(sessionId);
      const existing = (await w.tx.listParticipants(sessionId)).find((p) => p.accountId === account.id && p.state !== 'Left');
      if (existing) return;
      await w.addParticipant(session, {
        id: newId(),
        sessionId,
        type: 'Supervisor',
        nickname: account.displayName,
        accountId: account.id,
        state: 'Monitoring',
        joinedAt: w.nowIso(),
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
    return this.writer.write(async (w) => {
      const session = await w.liveSession(sessionId);
      const target = agentId ?? (await w.tx.latestInteraction(sessionId))?.agentAccountId;
      if (!target) throw new ChatError('CONFLICT', 'no agent handles this session; name one with agentId');
      const me = (await w.tx.listParticipants(sessionId)).find((p) => p.accountId === account.id && p.state !== 'Left')!;
      return w.append(session, {
        type: 'Text',
        from: { participantId: me.id, type: 'Supervisor', nickname: me.nickname },
        visibility: 'Vip',
        text,
        audienceAccountId: target,
        subtype: 'Whisper',
      });
    });
  }

  /** The supervisor becomes a visible participant. */
  async barge(sessionId: string, account: Account): Promise<void> {
    authorize(asStaff(account), 'supervise.barge');
    await this.writer.write(async (w) => {
      const session = await w.liveSession(sessionId);
      const monitoring = (await w.tx.listParticipants(sessionId)).find((p) => p.accountId === account.id && p.state === 'Monitoring');
      if (monitoring) await w.leave(session, monitoring);
      await w.joinStaff(session, account);
    });
  }
}
