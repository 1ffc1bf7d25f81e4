import fc from 'fast-check';
import { INTERACTION_STATES, MESSAGE_TYPES, PARTICIPANT_TYPES, VISIBILITIES, type Message } from '@parley/protocol';
import type { Account, AgentProfile, Interaction, Participant, Session } from '../src/ports/store.js';

/**
 * Internal model values for the wire mappers' property tests. Every internal field holds a value
 * carrying MARK, and each object may carry fields the model does not have yet (a future internal
 * field), also MARKed: a mapper that copies anything it did not name puts MARK on the wire.
 */
export const MARK = 'internal-0x5eed';

const marked = fc.string({ maxLength: 8 }).map((s) => `${MARK}${s}`);
const time = fc.integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2030-01-01T00:00:00Z') }).map((ms) => new Date(ms).toISOString());
const text = fc.string({ maxLength: 20 }).filter((s) => !s.includes(MARK));
const key = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,11}$/);

/** Fields a later change might add to the internal model: the mapper must drop them unseen. */
export const FUTURE_FIELDS = ['routingScore', 'tenantSecret', 'apiKeyHash', 'internalNote', 'lockedBy'] as const;
const future = fc.subarray([...FUTURE_FIELDS]).chain((names) => fc.tuple(...names.map(() => marked)).map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]]))));

const withFuture = <T extends object>(arb: fc.Arbitrary<T>): fc.Arbitrary<T> => fc.tuple(arb, future).map(([value, extra]) => ({ ...extra, ...value }));

export const interactionArb: fc.Arbitrary<Interaction> = withFuture(
  fc.record({
    id: fc.uuid(),
    sessionId: fc.uuid(),
    deploymentId: key,
    state: fc.constantFrom(...INTERACTION_STATES),
    queue: text,
    priority: fc.integer({ min: 0, max: 10 }),
    agentAccountId: fc.option(fc.uuid(), { nil: null }),
    wrapUpCode: fc.option(text, { nil: null }),
    createdAt: time,
    updatedAt: time,
    completedAt: fc.option(time, { nil: null }),
    skills: fc.array(text, { maxLength: 3 }),
    language: fc.option(text, { nil: null }),
    queuedAt: time,
    handledAt: fc.option(time, { nil: null }),
    offerExpiresAt: fc.option(time, { nil: null }),
    declinedBy: fc.array(marked, { minLength: 1, maxLength: 3 }),
    preferredAgentId: marked,
    preferredUntil: marked,
  }),
);

export const sessionArb: fc.Arbitrary<Session> = withFuture(
  fc.record({
    id: fc.uuid(),
    deploymentId: key,
    async: fc.boolean(),
    state: fc.constantFrom('Active' as const, 'Ended' as const),
    customerParticipantId: marked,
    transportId: marked,
    userData: fc.dictionary(key, text, { maxKeys: 4 }),
    createdAt: time,
    endedAt: fc.option(time, { nil: null }),
    lastIndexNum: fc.nat(),
    lastCustomerAt: marked,
    lastActivityAt: marked,
  }),
);

export const participantArb: fc.Arbitrary<Participant> = withFuture(
  fc.record({
    id: fc.uuid(),
    sessionId: marked,
    type: fc.constantFrom(...PARTICIPANT_TYPES),
    nickname: text,
    accountId: fc.option(fc.uuid(), { nil: null }),
    state: fc.constantFrom('Connected' as const, 'Monitoring' as const, 'Left' as const),
    joinedAt: time,
    leftAt: fc.option(time, { nil: null }),
    cursorNum: fc.nat(),
  }),
);

export const accountArb: fc.Arbitrary<Account> = withFuture(
  fc.record({
    id: fc.uuid(),
    username: text,
    displayName: text,
    passwordHash: marked,
    role: fc.constantFrom('agent' as const, 'supervisor' as const, 'admin' as const),
    createdAt: marked,
    tokenGeneration: fc.nat(),
    disabled: fc.boolean(),
  }),
);

export const profileArb: fc.Arbitrary<AgentProfile> = withFuture(
  fc.record({
    accountId: fc.uuid(),
    presence: fc.constantFrom('Ready' as const, 'NotReady' as const),
    reason: fc.option(text, { nil: null }),
    capacity: fc.integer({ min: 0, max: 10 }),
    skills: fc.dictionary(key, fc.integer({ min: 1, max: 10 }), { maxKeys: 3 }),
    languages: fc.array(text, { maxLength: 3 }),
    queues: fc.array(text, { maxLength: 3 }),
    idleSince: marked,
    updatedAt: marked,
  }),
);

const attachmentArb = withFuture(fc.record({ type: fc.constantFrom('image' as const, 'file' as const), mime: text, url: text, name: text, size: fc.nat() }, { requiredKeys: ['type', 'mime', 'url'] }));

export const messageArb: fc.Arbitrary<Message> = withFuture(
  fc.record(
    {
      id: fc.uuid(),
      sessionId: marked,
      index: fc.tuple(fc.nat(), fc.integer({ min: 0, max: 9 })).map(([ms, seq]) => `${ms}-${seq}`),
      type: fc.constantFrom(...MESSAGE_TYPES),
      from: withFuture(fc.record({ participantId: fc.uuid(), type: fc.constantFrom(...PARTICIPANT_TYPES), nickname: text }, { requiredKeys: ['participantId', 'type'] })),
      visibility: fc.constantFrom(...VISIBILITIES),
      utcTime: time,
      text,
      url: text,
      content: fc.array(attachmentArb, { maxLength: 2 }),
      event: text,
      data: fc.dictionary(key, fc.oneof(text, fc.integer(), fc.boolean()), { maxKeys: 3 }),
      subtype: marked,
      interactionId: marked,
      audienceAccountId: marked,
    },
    { requiredKeys: ['id', 'sessionId', 'index', 'type', 'from', 'visibility', 'utcTime'] },
  ),
);

/** Every key of a JSON value, at any depth. */
export function keysDeep(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysDeep(v, into);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      keysDeep(v, into);
    }
  return into;
}
