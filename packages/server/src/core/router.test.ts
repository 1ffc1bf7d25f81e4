import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentProfile, Interaction, Queue } from '../ports/store.js';
import { decideOffers, isEligible, manualAcceptRefusal } from './router.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function interaction(id: string, over: Partial<Interaction> = {}): Interaction {
  return {
    id,
    sessionId: `s-${id}`,
    deploymentId: 'd',
    state: 'Queued',
    queue: 'Support',
    priority: 0,
    agentAccountId: null,
    wrapUpCode: null,
    createdAt: iso(T0),
    updatedAt: iso(T0),
    completedAt: null,
    skills: [],
    language: null,
    queuedAt: iso(T0),
    handledAt: null,
    offerExpiresAt: null,
    declinedBy: [],
    preferredAgentId: null,
    preferredUntil: null,
    ...over,
  };
}
function agent(id: string, over: Partial<AgentProfile> = {}): AgentProfile {
  return { accountId: id, presence: 'Ready', reason: null, capacity: 1, skills: {}, languages: [], queues: [], idleSince: iso(T0), updatedAt: iso(T0), ...over };
}
const queue = (over: Partial<Queue> = {}): Queue => ({ id: 'q', deploymentId: 'd', name: 'Support', skills: [], language: null, offerTimeoutSeconds: 20, stickySeconds: 0, ...over });

describe('router decisions', () => {
  it('offers the highest priority first, then the longest waiting', () => {
    const offers = decideOffers({
      queued: [
        interaction('old-low', { priority: 1, queuedAt: iso(T0) }),
        interaction('new-high', { priority: 5, queuedAt: iso(T0 + 5000) }),
        interaction('older-high', { priority: 5, queuedAt: iso(T0 + 1000) }),
      ],
      profiles: [agent('a')],
      loads: {},
      queues: [queue()],
      nowMs: T0 + 10_000,
    });
    expect(offers).toEqual([{ interactionId: 'older-high', agentAccountId: 'a' }]);
  });

  it('picks the agent idle longest, and spreads work across agents', () => {
    const offers = decideOffers({
      queued: [interaction('i1', { queuedAt: iso(T0) }), interaction('i2', { queuedAt: iso(T0 + 1) })],
      profiles: [agent('recent', { idleSince: iso(T0 + 500), capacity: 5 }), agent('longest', { idleSince: iso(T0 - 500), capacity: 5 })],
      loads: {},
      queues: [queue()],
      nowMs: T0 + 1000,
    });
    expect(offers).toEqual([
      { interactionId: 'i1', agentAccountId: 'longest' },
      { interactionId: 'i2', agentAccountId: 'recent' },
    ]);
  });

  it('honours presence, capacity, queue membership, skills, language and declines', () => {
    const base = interaction('i', { skills: ['billing'], language: 'French' });
    const q = queue();
    const good = agent('g', { skills: { billing: 3 }, languages: ['French'] });
    expect(isEligible(good, 0, base, q)).toBe(true);
    expect(isEligible({ ...good, presence: 'NotReady' }, 0, base, q)).toBe(false);
    expect(isEligible(good, 1, base, q)).toBe(false);
    expect(isEligible({ ...good, queues: ['Other'] }, 0, base, q)).toBe(false);
    expect(isEligible({ ...good, skills: {} }, 0, base, q)).toBe(false);
    expect(isEligible({ ...good, languages: ['German'] }, 0, base, q)).toBe(false);
    expect(isEligible(good, 0, { ...base, declinedBy: ['g'] }, q)).toBe(false);
    expect(isEligible(good, 0, { ...base, skills: [] }, queue({ skills: ['tech'] }))).toBe(false);
  });

  it('reserves an interaction for its preferred agent until the reservation ends', () => {
    const i = interaction('i', { preferredAgentId: 'last', preferredUntil: iso(T0 + 60_000) });
    const profiles = [agent('other', { idleSince: iso(T0 - 9999) }), agent('last', { presence: 'NotReady' })];
    expect(decideOffers({ queued: [i], profiles, loads: {}, queues: [queue()], nowMs: T0 })).toEqual([]);
    expect(decideOffers({ queued: [i], profiles: [profiles[0]!, agent('last')], loads: {}, queues: [queue()], nowMs: T0 })).toEqual([{ interactionId: 'i', agentAccountId: 'last' }]);
    expect(decideOffers({ queued: [i], profiles, loads: {}, queues: [queue()], nowMs: T0 + 61_000 })).toEqual([{ interactionId: 'i', agentAccountId: 'other' }]);
  });

  const world = fc.record({
    queued: fc.uniqueArray(
      fc.record({
        id: fc.string({ minLength: 1, maxLength: 6 }),
        priority: fc.integer({ min: 0, max: 10 }),
        age: fc.integer({ min: 0, max: 100_000 }),
        skill: fc.constantFrom(null, 'billing', 'tech'),
      }),
      { selector: (x) => x.id, maxLength: 25 },
    ),
    agents: fc.uniqueArray(
      fc.record({
        id: fc.string({ minLength: 1, maxLength: 6 }),
        ready: fc.boolean(),
        capacity: fc.integer({ min: 1, max: 4 }),
        load: fc.integer({ min: 0, max: 4 }),
        idle: fc.integer({ min: 0, max: 100_000 }),
        skills: fc.subarray(['billing', 'tech']),
      }),
      { selector: (x) => x.id, maxLength: 8 },
    ),
  });

  it('property: each interaction at most once, no agent over capacity, every offer eligible, higher priority never starved by lower', () => {
    fc.assert(
      fc.property(world, ({ queued, agents }) => {
        const interactions = queued.map((q) => interaction(q.id, { priority: q.priority, queuedAt: iso(T0 - q.age), skills: q.skill ? [q.skill] : [] }));
        const profiles = agents.map((a) =>
          agent(a.id, { presence: a.ready ? 'Ready' : 'NotReady', capacity: a.capacity, idleSince: iso(T0 - a.idle), skills: Object.fromEntries(a.skills.map((s) => [s, 1])) }),
        );
        const loads = Object.fromEntries(agents.map((a) => [a.id, a.load]));
        const offers = decideOffers({ queued: interactions, profiles, loads, queues: [queue()], nowMs: T0 });
        const ids = offers.map((o) => o.interactionId);
        expect(new Set(ids).size).toBe(ids.length);
        const given: Record<string, number> = {};
        for (const o of offers) {
          given[o.agentAccountId] = (given[o.agentAccountId] ?? 0) + 1;
          const p = profiles.find((x) => x.accountId === o.agentAccountId)!;
          expect(
            isEligible(
              p,
              0,
              interactions.find((i) => i.id === o.interactionId)!,
              queue(),
            ),
          ).toBe(true);
        }
        for (const a of agents) expect((loads[a.id] ?? 0) + (given[a.id] ?? 0) <= Math.max(a.capacity, loads[a.id] ?? 0)).toBe(true);
        // An unoffered interaction had no eligible agent with room left once higher-ranked ones were served.
        for (const i of interactions) {
          if (ids.includes(i.id)) continue;
          for (const p of profiles) {
            const room = (loads[p.accountId] ?? 0) + (given[p.accountId] ?? 0) < p.capacity;
            if (room) expect(isEligible(p, 0, i, queue())).toBe(false);
          }
        }
      }),
    );
  });

  it('a manual accept is allowed whenever routing would offer the interaction to the agent (Ready, with room), and only then when the client asked for no skills or language and the agent did not turn the offer down', () => {
    const names = fc.constantFrom('Support', 'Billing');
    const skill = fc.constantFrom('billing', 'tech');
    fc.assert(
      fc.property(
        fc.record({ queues: fc.uniqueArray(names), skills: fc.dictionary(skill, fc.integer({ min: 1, max: 5 })), languages: fc.uniqueArray(fc.constantFrom('en', 'fr')) }),
        fc.record({
          queue: names,
          skills: fc.uniqueArray(skill),
          language: fc.option(fc.constantFrom('en', 'fr'), { nil: null }),
          declined: fc.boolean(),
          heldFor: fc.constantFrom(null, 'a', 'b'),
          holdLeftMs: fc.integer({ min: -5000, max: 5000 }),
        }),
        fc.record({ skills: fc.uniqueArray(skill), language: fc.option(fc.constantFrom('en', 'fr'), { nil: null }) }),
        (a, i, q) => {
          const profile = agent('a', a);
          const it = interaction('i', {
            queue: i.queue,
            skills: i.skills,
            language: i.language,
            declinedBy: i.declined ? ['a'] : [],
            preferredAgentId: i.heldFor,
            preferredUntil: i.heldFor ? iso(T0 + i.holdLeftMs) : null,
          });
          const qu = queue({ name: i.queue, ...q });
          const offered = decideOffers({ queued: [it], profiles: [profile], loads: {}, queues: [qu], nowMs: T0 }).length === 1;
          const allowed = manualAcceptRefusal(profile, it, qu, T0) === null;
          if (offered) expect(allowed).toBe(true);
          if (i.skills.length === 0 && i.language === null && !i.declined) expect(allowed).toBe(offered);
        },
      ),
    );
  });
});
