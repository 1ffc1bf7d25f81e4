import type { AgentInteraction, ListedInteraction } from '@parley/protocol';

/** The customer's nickname where the server listed the interaction with it (lists do; the answer of an action does not). */
export function customerNickname(i: AgentInteraction | ListedInteraction | null | undefined): string | undefined {
  return i && 'customer' in i ? i.customer.nickname : undefined;
}

/** Offers alerting this agent, oldest first. */
export function offersFor(interactions: readonly AgentInteraction[], accountId: string): AgentInteraction[] {
  return interactions.filter((i) => i.state === 'Offered' && (i.agentAccountId === accountId || i.agentAccountId == null)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Offers in `next` that were not offers in `prev`: each gets one alert. */
export function newOffers(prev: readonly AgentInteraction[], next: readonly AgentInteraction[], accountId: string): AgentInteraction[] {
  const before = new Set(offersFor(prev, accountId).map((i) => i.id));
  return offersFor(next, accountId).filter((i) => !before.has(i.id));
}

/** Whole seconds left before an offer expires, or null when the server gave no deadline. */
export function secondsLeft(offer: AgentInteraction, nowMs: number): number | null {
  if (!offer.offerExpiresAt) return null;
  const at = Date.parse(offer.offerExpiresAt);
  if (!Number.isFinite(at)) return null;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** Interactions this agent works on in a conversation tab: connected (Handling) or in wrap-up (Finalizing). */
export function workingOn(interactions: readonly AgentInteraction[], accountId: string): AgentInteraction[] {
  return interactions.filter((i) => (i.state === 'Handling' || i.state === 'Finalizing') && i.agentAccountId === accountId);
}

/** The newest interaction per session (by createdAt, then updatedAt). */
export function latestBySession(interactions: readonly AgentInteraction[]): Map<string, AgentInteraction> {
  const out = new Map<string, AgentInteraction>();
  for (const i of interactions) {
    const cur = out.get(i.sessionId);
    if (!cur || i.createdAt > cur.createdAt || (i.createdAt === cur.createdAt && i.updatedAt > cur.updatedAt)) out.set(i.sessionId, i);
  }
  return out;
}

/**
 * The interaction a conversation tab shows, per session: a Finalizing one (its wrap-up) before any
 * newer one, since a customer writing after the agent closed the segment starts the next interaction
 * while the wrap-up goes on (seed 000's segments); otherwise the newest.
 */
export function currentBySession(interactions: readonly AgentInteraction[]): Map<string, AgentInteraction> {
  const out = latestBySession(interactions);
  for (const i of interactions) {
    if (i.state !== 'Finalizing') continue;
    const cur = out.get(i.sessionId)!;
    if (cur.state !== 'Finalizing' || i.createdAt < cur.createdAt) out.set(i.sessionId, i);
  }
  return out;
}
