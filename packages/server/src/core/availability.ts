import type { Clock } from '../ports/clock.js';
import type { BusinessHours, Deployment, Interaction, Store, StoreTx } from '../ports/store.js';
import { isOpenAt } from './business-hours.js';
import { isEligible } from './router.js';

export interface Availability {
  /** The queue asked about (the deployment's default when none or an unknown one was named). */
  queue: string;
  /** A live chat can be answered now. */
  open: boolean;
  /** Why not: outside business hours (or a holiday), or within them with no agent able to take it. */
  reason: 'closed' | 'noAgents' | null;
  /** Ready agents with room for one more chat of this queue now. */
  agentsAvailable: number;
}

/**
 * Whether a customer can get a live chat now. A deployment that set business hours (its own, or the
 * queue's, which win) is closed outside them; within them, and with no flow to answer first, it is
 * offline while no Ready agent serving the queue has capacity left. A deployment without hours is
 * always open (it never sent anyone to leave a message before, and does not start now).
 */
export class AvailabilityService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  of(deployment: Deployment, queueName?: string): Promise<Availability> {
    return this.store.tx(async (tx) => {
      const queue = await this.queueNamed(tx, deployment, queueName);
      const hours = await hoursOf(tx, deployment.id, queue);
      const agentsAvailable = await this.agentsAvailable(tx, deployment, queue);
      if (!hours) return { queue, open: true, reason: null, agentsAvailable };
      if (!isOpenAt(hours, this.clock.now())) return { queue, open: false, reason: 'closed', agentsAvailable };
      if (agentsAvailable === 0 && !deployment.settings?.flow) return { queue, open: false, reason: 'noAgents', agentsAvailable };
      return { queue, open: true, reason: null, agentsAvailable };
    });
  }

  private async queueNamed(tx: StoreTx, deployment: Deployment, name: string | undefined): Promise<string> {
    if (!name) return deployment.defaultQueue;
    const wanted = name.toLowerCase();
    if (deployment.defaultQueue.toLowerCase() === wanted) return deployment.defaultQueue;
    return (await tx.listQueues(deployment.id)).find((q) => q.name.toLowerCase() === wanted)?.name ?? deployment.defaultQueue;
  }

  private async agentsAvailable(tx: StoreTx, deployment: Deployment, queue: string): Promise<number> {
    const profiles = await tx.listProfiles();
    if (!profiles.some((p) => p.presence === 'Ready')) return 0;
    const loads = await tx.agentLoads();
    const q = await tx.getQueue(deployment.id, queue);
    const probe = { queue, declinedBy: [], skills: [], language: null } as unknown as Interaction;
    return profiles.filter((p) => isEligible(p, loads[p.accountId] ?? 0, probe, q ?? undefined)).length;
  }
}

/** The queue's own hours, else the deployment's. */
export async function hoursOf(tx: StoreTx, deploymentId: string, queue: string): Promise<BusinessHours | null> {
  return (await tx.getBusinessHours(deploymentId, queue)) ?? (await tx.getBusinessHours(deploymentId, ''));
}
