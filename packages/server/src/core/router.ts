import type { AgentProfile, Interaction, Queue } from '../ports/store.js';

/**
 * The routing decision, pure: which queued interaction is offered to which agent now.
 * Interactions go highest priority first, then longest waiting; each goes to the eligible agent
 * idle longest. An agent is eligible when Ready, under capacity, serving the queue, holding every
 * required skill and the language, and has not declined this interaction.
 */
export interface RoutingInput {
  queued: Interaction[];
  profiles: AgentProfile[];
  /** accountId -> interactions the agent carries now (Offered, Handling, Finalizing). */
  loads: Record<string, number>;
  queues: Queue[];
  nowMs: number;
}

export interface Offer {
  interactionId: string;
  agentAccountId: string;
}

export function routingOrder(a: Interaction, b: Interaction): number {
  return b.priority - a.priority || a.queuedAt.localeCompare(b.queuedAt) || a.id.localeCompare(b.id);
}

export function isEligible(agent: AgentProfile, load: number, interaction: Interaction, queue: Queue | undefined): boolean {
  if (agent.presence !== 'Ready' || load >= agent.capacity) return false;
  if (agent.queues.length > 0 && !agent.queues.includes(interaction.queue)) return false;
  if (interaction.declinedBy.includes(agent.accountId)) return false;
  const skills = new Set([...(queue?.skills ?? []), ...interaction.skills]);
  for (const skill of skills) if (!((agent.skills[skill] ?? 0) > 0)) return false;
  const language = interaction.language ?? queue?.language ?? null;
  if (language && !agent.languages.includes(language)) return false;
  return true;
}

/**
 * Why an agent may not take a queued interaction by hand, or null when they may: it must be one
 * routing could offer them as far as the operator decides it (the agent's queues, the queue's
 * skills and language, not held for another agent by a transfer). An agent may pick up work they
 * turned down as an offer. Skills and
 * a language the client asked for (guest chat `routingTarget`) steer routing but do not lock a
 * human out; presence and capacity are left to the agent picking work themselves.
 */
export function manualAcceptRefusal(agent: Pick<AgentProfile, 'accountId' | 'queues' | 'skills' | 'languages'>, interaction: Interaction, queue: Queue | undefined, nowMs: number): string | null {
  const reserved = interaction.preferredAgentId && interaction.preferredUntil && Date.parse(interaction.preferredUntil) > nowMs;
  if (reserved && interaction.preferredAgentId !== agent.accountId) return 'this interaction is held for another agent';
  if (agent.queues.length > 0 && !agent.queues.includes(interaction.queue)) return `you do not serve the queue ${interaction.queue}`;
  for (const skill of queue?.skills ?? []) if (!((agent.skills[skill] ?? 0) > 0)) return `the queue ${interaction.queue} needs the skill ${skill}`;
  // As in routing, a language the interaction names replaces the queue's.
  const language = interaction.language === null ? (queue?.language ?? null) : null;
  if (language && !agent.languages.includes(language)) return `the queue ${interaction.queue} needs the language ${language}`;
  return null;
}

export function decideOffers(input: RoutingInput): Offer[] {
  const queueOf = new Map(input.queues.map((q) => [`${q.deploymentId}\u0000${q.name}`, q]));
  const loads = { ...input.loads };
  const idle = new Map(input.profiles.map((p) => [p.accountId, p.idleSince]));
  const offers: Offer[] = [];
  for (const interaction of [...input.queued].sort(routingOrder)) {
    const queue = queueOf.get(`${interaction.deploymentId}\u0000${interaction.queue}`);
    const reserved = interaction.preferredAgentId && interaction.preferredUntil && Date.parse(interaction.preferredUntil) > input.nowMs;
    const candidates = input.profiles
      .filter((p) => (reserved ? p.accountId === interaction.preferredAgentId : true))
      .filter((p) => isEligible(p, loads[p.accountId] ?? 0, interaction, queue))
      .sort((a, b) => idle.get(a.accountId)!.localeCompare(idle.get(b.accountId)!) || a.accountId.localeCompare(b.accountId));
    const agent = candidates[0];
    if (!agent) continue;
    offers.push({ interactionId: interaction.id, agentAccountId: agent.accountId });
    loads[agent.accountId] = (loads[agent.accountId] ?? 0) + 1;
    idle.set(agent.accountId, new Date(input.nowMs).toISOString());
  }
  return offers;
}
