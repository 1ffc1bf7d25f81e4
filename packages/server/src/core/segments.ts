import type { AsyncPolicy, Interaction } from '../ports/store.js';

/**
 * Seed 000's segments: in an asynchronous session the agent closing a segment (Finalizing) ends the
 * interaction for the customer. What a customer's Text does, given the session's latest interaction:
 * - `continue`: an interaction is open (Workflow, Queued, Offered, Handling): the message belongs to it;
 * - `notice`: the segment closed within the policy's notice window: answered with the automated notice;
 * - `route`: anything else starts the next interaction (the previous one's wrap-up goes on undisturbed).
 */
export type AfterCustomerText = 'continue' | 'notice' | 'route';

export function afterCustomerText(
  latest: Pick<Interaction, 'state' | 'updatedAt' | 'completedAt'> | null,
  policy: Pick<AsyncPolicy, 'afterCompletion' | 'noticeWindowSeconds'>,
  nowMs: number,
): AfterCustomerText {
  if (!latest) return 'route';
  if (latest.state !== 'Finalizing' && latest.state !== 'Completed') return 'continue';
  if (policy.afterCompletion !== 'notice') return 'route';
  const closedAt = Date.parse((latest.state === 'Completed' ? latest.completedAt : null) ?? latest.updatedAt);
  return nowMs - closedAt <= policy.noticeWindowSeconds * 1000 ? 'notice' : 'route';
}
