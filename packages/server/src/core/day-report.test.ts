import { describe, expect, it } from 'vitest';
import type { Account, Interaction } from '../ports/store.js';
import type { StateChange } from '../ports/store/reports.js';
import { computeDayReport } from './day-report.js';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
let n = 0;

function interaction(over: Partial<Interaction>): Interaction {
  return {
    id: `i${++n}`,
    sessionId: `s${n}`,
    deploymentId: 'demo',
    state: 'Completed',
    queue: 'Support',
    priority: 0,
    agentAccountId: null,
    wrapUpCode: null,
    createdAt: at(0),
    updatedAt: at(0),
    completedAt: null,
    skills: [],
    language: null,
    queuedAt: at(0),
    handledAt: null,
    offerExpiresAt: null,
    declinedBy: [],
    preferredAgentId: null,
    preferredUntil: null,
    ...over,
  };
}
const changes = (i: Interaction, ...list: [StateChange['state'], number][]): StateChange[] =>
  list.map(([state, s], k) => ({ sessionId: i.sessionId, indexNum: (T0 + s * 1000) * 10 + k, interactionId: i.id, state, at: at(s) }));
const account = (id: string, displayName: string, role: Account['role'] = 'agent'): Account => ({
  id,
  username: id,
  displayName,
  passwordHash: '',
  role,
  createdAt: at(0),
  tokenGeneration: 0,
  disabled: false,
});

describe('computeDayReport', () => {
  it('counts offered, handled, abandoned and waiting; averages wait and handle time; per queue and per agent', () => {
    const handled = interaction({ agentAccountId: 'ann', handledAt: at(10), completedAt: at(70), declinedBy: ['bob'] });
    const transferred = interaction({ queue: 'Billing', agentAccountId: 'bob', state: 'Handling', handledAt: at(30), queuedAt: at(50) });
    const abandoned = interaction({});
    const waiting = interaction({ state: 'Queued' });
    const botOnly = interaction({});
    const all = [
      ...changes(handled, ['Queued', 0], ['Offered', 5], ['Queued', 8], ['Handling', 10], ['Finalizing', 60], ['Completed', 70]),
      // The first queue time counts, not the transfer's.
      ...changes(transferred, ['Queued', 0], ['Handling', 30], ['Queued', 50], ['Handling', 55]),
      ...changes(abandoned, ['Queued', 0], ['Completed', 5]),
      ...changes(waiting, ['Queued', 0]),
      ...changes(botOnly, ['Workflow', 0], ['Completed', 20]),
    ];
    const r = computeDayReport(at(0), at(86_400), [handled, transferred, abandoned, waiting, botOnly], all, [account('ann', 'Ann'), account('bob', 'Bob'), account('root', 'Root', 'admin')]);
    expect(r.totals).toEqual({ offered: 4, handled: 2, abandoned: 1, waiting: 1, averageWaitSeconds: 20, averageHandleSeconds: 60 });
    expect(r.queues).toEqual([
      { queue: 'Billing', deploymentId: 'demo', offered: 1, handled: 1, abandoned: 0, waiting: 0, averageWaitSeconds: 30, averageHandleSeconds: null },
      { queue: 'Support', deploymentId: 'demo', offered: 3, handled: 1, abandoned: 1, waiting: 1, averageWaitSeconds: 10, averageHandleSeconds: 60 },
    ]);
    expect(r.agents).toEqual([
      { accountId: 'ann', displayName: 'Ann', handled: 1, declined: 0, averageHandleSeconds: 60 },
      { accountId: 'bob', displayName: 'Bob', handled: 1, declined: 1, averageHandleSeconds: null },
    ]);
  });

  it('an interaction recorded before state changes were kept uses its own times', () => {
    const old = interaction({ agentAccountId: 'ann', queuedAt: at(0), handledAt: at(4), completedAt: at(9) });
    const r = computeDayReport(at(0), at(60), [old], [], [account('ann', 'Ann')]);
    expect(r.totals).toMatchObject({ offered: 1, handled: 1, averageWaitSeconds: 4, averageHandleSeconds: 5 });
  });
});
