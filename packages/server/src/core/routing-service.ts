import type { Leadership } from './leadership.js';
import type { Clock } from '../ports/clock.js';
import { topics, type Fanout } from '../ports/fanout.js';
import type { Account, AgentProfile, Interaction, InteractionPatch, Presence, Store } from '../ports/store.js';
import type { LogTx, LogWriter } from './log-writer.js';
import type { PresenceWatch } from './presence-watch.js';
import { authorize } from './authorize.js';
import { ChatError } from './errors.js';
import { asStaff } from './request-context.js';
import { decideOffers, isEligible, routingOrder } from './router.js';
import { enqueueWebhookEvents } from './webhooks/outbox.js';

export const DEFAULT_OFFER_TIMEOUT_SECONDS = 20;
export const DEFAULT_CAPACITY = 3;

export function defaultProfile(accountId: string, nowIso: string): AgentProfile {
  return { accountId, presence: 'NotReady', reason: null, capacity: DEFAULT_CAPACITY, skills: {}, languages: [], queues: [], idleSince: nowIso, updatedAt: nowIso };
}

/**
 * Routing: offers queued interactions to agents (decided in the store, so several nodes never
 * offer one interaction twice), expires offers, and the agent operations that move work around.
 */
export class RoutingService {
  private timer: NodeJS.Timeout | null = null;
  /** Offers that expired unanswered, after the routing pass that requeued them committed. */
  onOffersExpired: (count: number) => void = () => {};
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly clock: Clock,
    private readonly writer: LogWriter,
    /** Presence following the desktop's connection; swept at the start of every pass. */
    private readonly presence?: PresenceWatch,
  ) {}

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /**
   * Routes every `intervalMs`, and at once when a deployment's queue changes; with `leadership`, only
   * while this node leads (one node routes for all; the one that takes it on when it stops).
   */
  start(intervalMs = 500, leadership?: Leadership): void {
    const tick = () => {
      if (!leadership) return void this.kick();
      // Not after stop(): a lease answered late must not start a pass.
      void leadership.leads().then((leads) => (leads && this.timer ? this.kick() : undefined));
    };
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
    this.unlisten = this.fanout.listen(topics.routing, tick);
    // Leading from the start (not one interval later): queue changes are routed at once.
    if (leadership) tick();
  }

  private unlisten: (() => void) | null = null;

  async stop(): Promise<void> {
    this.unlisten?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Runs one routing pass; a kick during a pass runs one more right after it. */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.routeOnce();
        } while (this.again);
      } catch {
        // A failed pass (store briefly unavailable) is retried by the next tick.
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /**
   * Whether a pass would change anything: an offer past its time, an agent whose connections are
   * all past the grace, or a queued interaction that an agent can be offered now. Read without the
   * router lock or a transaction, so a pass with nothing to do (every 500 ms on the leading node:
   * nobody waiting, or a queue while every Ready agent is full) locks no row and writes nothing. A
   * change committed just after this read is routed by its own kick or the next tick.
   */
  private async due(now: number): Promise<boolean> {
    return this.store.read(async (tx) => {
      const waiting = await tx.listInteractions({ states: ['Queued', 'Offered'] });
      if (waiting.some((i) => i.state === 'Offered' && i.offerExpiresAt && Date.parse(i.offerExpiresAt) <= now)) return true;
      if (this.presence && (await this.presence.anyAbsent(tx, now))) return true;
      const queued = waiting.filter((i) => i.state === 'Queued');
      if (!queued.length) return false;
      const profiles = await tx.listProfiles();
      if (!profiles.some((p) => p.presence === 'Ready')) return false;
      return decideOffers({ queued, profiles, loads: await tx.agentLoads(), queues: await tx.listQueues(), nowMs: now }).length > 0;
    });
  }

  /** Expires offers past their time, then offers what is queued. Returns the interactions offered. */
  async routeOnce(): Promise<Interaction[]> {
    if (!(await this.due(this.clock.now()))) return [];
    let expired = 0;
    const offered = await this.writer.write(async (w) => {
      const tx = w.tx;
      // The router lock first: every read below sees what earlier passes (on any node) committed.
      let profiles = await tx.listProfiles(true);
      const now = this.clock.now();
      if (this.presence) {
        const swept = await this.presence.sweep(w, now);
        for (const accountId of swept.agents) w.notify(topics.agent(accountId));
        if (swept.agents.length) {
          w.notify(topics.supervisors);
          profiles = await tx.listProfiles();
        }
      }
      expired = 0;
      for (const i of await tx.listInteractions({ states: ['Offered'] })) {
        if (i.offerExpiresAt && Date.parse(i.offerExpiresAt) <= now) {
          await this.requeue(w, i, i.agentAccountId);
          expired++;
        }
      }
      if (!profiles.some((p) => p.presence === 'Ready')) return [];
      const queued = await tx.listInteractions({ states: ['Queued'] });
      if (!queued.length) return [];
      const offers = decideOffers({ queued, profiles, loads: await tx.agentLoads(), queues: await tx.listQueues(), nowMs: now });
      const result: Interaction[] = [];
      for (const offer of offers) {
        const interaction = queued.find((q) => q.id === offer.interactionId)!;
        const session = await tx.getSession(interaction.sessionId, true);
        if (!session || session.state !== 'Active') continue;
        const queue = await tx.getQueue(interaction.deploymentId, interaction.queue);
        const timeout = queue?.offerTimeoutSeconds ?? DEFAULT_OFFER_TIMEOUT_SECONDS;
        result.push(
          await w.transition(session, interaction, 'Offered', {
            agentAccountId: offer.agentAccountId,
            offerExpiresAt: new Date(now + timeout * 1000).toISOString(),
          }),
        );
        const profile = profiles.find((p) => p.accountId === offer.agentAccountId)!;
        await tx.upsertProfile({ ...profile, idleSince: new Date(now).toISOString() });
      }
      return result;
    });
    if (expired) this.onOffersExpired(expired);
    return offered;
  }

  private async requeue(w: LogTx, interaction: Interaction, decliner: string | null): Promise<Interaction> {
    const session = await w.tx.getSession(interaction.sessionId, true);
    if (!session) throw new ChatError('NOT_FOUND', 'session not found');
    const declinedBy = decliner && !interaction.declinedBy.includes(decliner) ? [...interaction.declinedBy, decliner] : interaction.declinedBy;
    return w.transition(session, interaction, 'Queued', { agentAccountId: null, declinedBy, queuedAt: interaction.queuedAt });
  }

  /** The agent turns an offer down: back to the queue, not offered to them again. */
  async reject(interactionId: string, account: Account): Promise<Interaction> {
    const result = await this.writer.write(async (w) => {
      const i = await w.tx.getInteraction(interactionId, true);
      if (!i) throw new ChatError('NOT_FOUND', 'interaction not found');
      if (i.state !== 'Offered' || i.agentAccountId !== account.id) throw new ChatError('CONFLICT', 'only an interaction offered to you can be rejected');
      return this.requeue(w, i, account.id);
    });
    void this.kick();
    return result;
  }

  /** Transfer a handled interaction to a queue or to one agent; the transferring agent leaves. */
  async transfer(interactionId: string, account: Account, target: { queue?: string; agentId?: string }): Promise<Interaction> {
    if (!target.queue === !target.agentId) throw new ChatError('INVALID_REQUEST', 'give either queue or agentId');
    const moved = await this.writer.write(async (w) => {
      const tx = w.tx;
      const i = await tx.getInteraction(interactionId, true);
      if (!i) throw new ChatError('NOT_FOUND', 'interaction not found');
      if (i.state !== 'Handling') throw new ChatError('CONFLICT', `interaction is ${i.state}; only a Handling interaction can be transferred`);
      authorize(asStaff(account), 'interaction.act', i);
      const session = await w.liveSession(i.sessionId);
      let patch: InteractionPatch = { agentAccountId: null, declinedBy: [], preferredAgentId: null, preferredUntil: null };
      if (target.queue) {
        const queues = await tx.listQueues(i.deploymentId);
        if (queues.length && !queues.some((q) => q.name === target.queue)) throw new ChatError('NOT_FOUND', `no queue "${target.queue}" in this deployment`);
        patch = { ...patch, queue: target.queue };
      } else {
        const agent = await tx.getAccount(target.agentId!);
        if (!agent || agent.role === 'admin') throw new ChatError('NOT_FOUND', 'no such agent');
        if (agent.id === i.agentAccountId) throw new ChatError('CONFLICT', 'the interaction is already yours');
        const queue = await tx.getQueue(i.deploymentId, i.queue);
        const hold = Math.max(60, (queue?.offerTimeoutSeconds ?? DEFAULT_OFFER_TIMEOUT_SECONDS) * 3);
        patch = { ...patch, preferredAgentId: agent.id, preferredUntil: new Date(this.clock.now() + hold * 1000).toISOString() };
      }
      const owner = i.agentAccountId ? await tx.getAccount(i.agentAccountId) : null;
      if (owner) await w.leaveIfConnected(session, owner);
      if (owner) {
        const profile = await tx.getProfile(owner.id);
        if (profile) await tx.upsertProfile({ ...profile, idleSince: this.nowIso() });
      }
      const moved = await w.transition(session, i, 'Queued', patch);
      await enqueueWebhookEvents(tx, {
        type: 'interaction.transferred',
        interaction: moved,
        fromAccountId: account.id,
        toQueue: target.queue ?? null,
        toAccountId: target.agentId ?? null,
        at: moved.updatedAt,
      });
      return moved;
    });
    void this.kick();
    return moved;
  }

  /** Adds a second agent to the conversation (conference). */
  async conference(sessionId: string, account: Account, agentId: string): Promise<void> {
    await this.writer.write(async (w) => {
      const session = await w.liveSession(sessionId);
      await w.connectedStaff(sessionId, account);
      const other = await w.tx.getAccount(agentId);
      if (!other || other.role === 'admin') throw new ChatError('NOT_FOUND', 'no such agent');
      await w.joinStaff(session, other);
      w.notify(topics.agent(agentId));
    });
  }

  async profile(accountId: string): Promise<AgentProfile> {
    return this.store.tx(async (tx) => (await tx.getProfile(accountId)) ?? defaultProfile(accountId, this.nowIso()));
  }

  async setPresence(accountId: string, presence: Presence, reason: string | null): Promise<AgentProfile> {
    const profile = await this.store.tx(async (tx) => {
      const account = await tx.getAccount(accountId);
      if (!account) throw new ChatError('NOT_FOUND', 'no such account');
      const current = (await tx.getProfile(accountId)) ?? defaultProfile(accountId, this.nowIso());
      const now = this.nowIso();
      const next: AgentProfile = {
        ...current,
        presence,
        reason: presence === 'NotReady' ? (reason ?? null) : null,
        idleSince: presence === 'Ready' && current.presence !== 'Ready' ? now : current.idleSince,
        updatedAt: now,
      };
      await tx.upsertProfile(next);
      return next;
    });
    await this.fanout.notify(topics.agent(accountId));
    await this.fanout.notify(topics.supervisors);
    if (presence === 'Ready') void this.kick();
    return profile;
  }

  /** Where a waiting customer stands: place in the queue and an estimated wait (null while no Ready agent serves the queue). */
  async queuePosition(sessionId: string): Promise<{ state: string; queue: string; position: number | null; estimatedWaitSeconds: number | null }> {
    return this.store.tx(async (tx) => {
      const mine = await tx.latestInteraction(sessionId);
      if (!mine) throw new ChatError('NOT_FOUND', 'no interaction');
      if (mine.state !== 'Queued' && mine.state !== 'Offered') return { state: mine.state, queue: mine.queue, position: null, estimatedWaitSeconds: null };
      const waiting = (await tx.listInteractions({ states: ['Queued', 'Offered'], deploymentId: mine.deploymentId, queue: mine.queue })).sort(routingOrder);
      const position = waiting.findIndex((w) => w.id === mine.id) + 1;
      const recent = await tx.listInteractions({ deploymentId: mine.deploymentId, queue: mine.queue, states: ['Handling', 'Finalizing', 'Completed'], recentlyHandled: 20 });
      const avgWait = recent.length ? recent.reduce((s, i) => s + (Date.parse(i.handledAt!) - Date.parse(i.queuedAt || i.createdAt)), 0) / recent.length / 1000 : 60;
      const queue = await tx.getQueue(mine.deploymentId, mine.queue);
      const profiles = await tx.listProfiles();
      const serving = profiles.filter(
        (p) => p.presence === 'Ready' && (p.queues.length === 0 || p.queues.includes(mine.queue)) && isEligible(p, 0, { ...mine, declinedBy: [] }, queue ?? undefined),
      ).length;
      // No Ready agent serves the queue: any figure would be invented (it used to say "about 1 minute").
      if (serving === 0) return { state: mine.state, queue: mine.queue, position, estimatedWaitSeconds: null };
      return { state: mine.state, queue: mine.queue, position, estimatedWaitSeconds: Math.max(1, Math.round((avgWait * position) / serving)) };
    });
  }
}
