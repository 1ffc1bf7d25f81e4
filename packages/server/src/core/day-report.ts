import type { Account, Interaction, Store } from '../ports/store.js';
import type { StateChange } from '../ports/store/reports.js';
import { ChatError } from './errors.js';

/** Figures of a set of interactions. Times in seconds (one decimal); null when nothing to average. */
export interface Figures {
  /** Entered a queue (offered to the contact centre). */
  offered: number;
  /** An agent took it. */
  handled: number;
  /** Ended before any agent took it. */
  abandoned: number;
  /** Still queued or offered now. */
  waiting: number;
  /** From entering the queue to an agent taking it, over handled interactions. */
  averageWaitSeconds: number | null;
  /** From an agent taking it to its completion (wrap-up included), over completed handled interactions. */
  averageHandleSeconds: number | null;
}

export interface DayReport {
  from: string;
  to: string;
  totals: Figures;
  queues: (Figures & { queue: string; deploymentId: string })[];
  agents: { accountId: string; displayName: string; handled: number; declined: number; averageHandleSeconds: number | null }[];
  /** More interactions than one report reads: the figures cover the oldest ones only. */
  truncated: boolean;
}

const MAX_INTERACTIONS = 20_000;
const MAX_SPAN_MS = 31 * 86_400_000;

interface Facts {
  interaction: Interaction;
  queuedAt: number | null;
  handledAt: number | null;
  completedAt: number | null;
}

const average = (xs: number[]) => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null);

/** When each interaction first entered a queue, was first handled, and completed (from its state changes, else its row). */
function factsOf(interactions: Interaction[], changes: StateChange[]): Facts[] {
  const byInteraction = new Map<string, StateChange[]>();
  for (const c of changes) byInteraction.set(c.interactionId, [...(byInteraction.get(c.interactionId) ?? []), c]);
  return interactions.map((i) => {
    const mine = byInteraction.get(i.id) ?? [];
    const first = (states: string[]) => {
      const hit = mine.find((c) => states.includes(c.state));
      return hit ? Date.parse(hit.at) : null;
    };
    const handledAt = first(['Handling']) ?? (i.handledAt ? Date.parse(i.handledAt) : null);
    // Interactions recorded before state changes were kept: their row's last queue time.
    const queuedAt = first(['Queued', 'Offered']) ?? (mine.length === 0 && (handledAt !== null || i.state === 'Queued' || i.state === 'Offered') ? Date.parse(i.queuedAt) : null);
    return { interaction: i, queuedAt, handledAt, completedAt: i.completedAt ? Date.parse(i.completedAt) : null };
  });
}

function figuresOf(facts: Facts[]): Figures {
  const offered = facts.filter((f) => f.queuedAt !== null);
  const handled = offered.filter((f) => f.handledAt !== null);
  return {
    offered: offered.length,
    handled: handled.length,
    abandoned: offered.filter((f) => f.handledAt === null && f.interaction.state === 'Completed').length,
    waiting: offered.filter((f) => f.handledAt === null && (f.interaction.state === 'Queued' || f.interaction.state === 'Offered')).length,
    averageWaitSeconds: average(handled.map((f) => (f.handledAt! - f.queuedAt!) / 1000)),
    averageHandleSeconds: average(handled.filter((f) => f.completedAt !== null).map((f) => (f.completedAt! - f.handledAt!) / 1000)),
  };
}

/** The figures of a period, per queue and per agent (pure: the report service feeds it). */
export function computeDayReport(from: string, to: string, interactions: Interaction[], changes: StateChange[], accounts: Account[], truncated = false): DayReport {
  const facts = factsOf(interactions, changes);
  const queues = new Map<string, Facts[]>();
  for (const f of facts) {
    const key = JSON.stringify([f.interaction.deploymentId, f.interaction.queue]);
    queues.set(key, [...(queues.get(key) ?? []), f]);
  }
  const agents = accounts
    .filter((a) => a.role !== 'admin')
    .map((a) => {
      const handled = facts.filter((f) => f.handledAt !== null && f.interaction.agentAccountId === a.id);
      return {
        accountId: a.id,
        displayName: a.displayName,
        handled: handled.length,
        declined: facts.filter((f) => f.interaction.declinedBy.includes(a.id)).length,
        averageHandleSeconds: average(handled.filter((f) => f.completedAt !== null).map((f) => (f.completedAt! - f.handledAt!) / 1000)),
      };
    })
    .sort((x, y) => x.displayName.localeCompare(y.displayName));
  return {
    from,
    to,
    totals: figuresOf(facts),
    queues: [...queues.entries()]
      .map(([key, list]) => {
        const [deploymentId, queue] = JSON.parse(key) as [string, string];
        return { queue, deploymentId, ...figuresOf(list) };
      })
      .filter((q) => q.offered > 0)
      .sort((x, y) => x.queue.localeCompare(y.queue) || x.deploymentId.localeCompare(y.deploymentId)),
    agents,
    truncated,
  };
}

/** The supervisors' report of a period (a day, as their desktop asks): supervisors and admins only. */
export class DayReports {
  constructor(private readonly store: Store) {}

  report(account: Account, from: string, to: string): Promise<DayReport> {
    if (account.role === 'agent') throw new ChatError('FORBIDDEN', 'only supervisors can read reports');
    const span = Date.parse(to) - Date.parse(from);
    if (!(span > 0) || span > MAX_SPAN_MS) throw new ChatError('INVALID_REQUEST', 'to must be after from, and at most 31 days later');
    return this.store.tx(async (tx) => {
      const interactions = await tx.listInteractionsCreatedBetween(from, to, MAX_INTERACTIONS + 1);
      const truncated = interactions.length > MAX_INTERACTIONS;
      const changes = await tx.listStateChangesOfInteractionsCreatedBetween(from, to);
      return computeDayReport(from, to, interactions.slice(0, MAX_INTERACTIONS), changes, await tx.listAccounts(), truncated);
    });
  }
}
