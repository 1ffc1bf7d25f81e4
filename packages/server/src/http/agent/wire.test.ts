import fc from 'fast-check';
import { agentAccount, agentInteraction, agentMessage, agentProfile, agentResponses, listedInteraction, overview, sessionDetails, sessionSummary, type Message } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { accountArb, FUTURE_FIELDS, interactionArb, keysDeep, MARK, messageArb, participantArb, profileArb, sessionArb } from '../../../test/wire-arbitraries.js';
import type { Overview as CoreOverview } from '../../core/supervision.js';
import {
  toAgentAccount,
  toAgentInteraction,
  toAgentMessage,
  toAgentProfile,
  toListedInteraction,
  toMessagesPage,
  toOverview,
  toContactView,
  toSearchPage,
  toSessionDetails,
  toSessionSummary,
} from './wire.js';

/** The mapped value parses with the protocol's (strict) schema, holds no MARKed internal value and none of the named keys. */
function expectOnWire(schema: z.ZodTypeAny, out: unknown, internalKeys: readonly string[]): void {
  expect(schema.safeParse(out).error).toBeUndefined();
  expect(JSON.stringify(out)).not.toContain(MARK);
  const keys = keysDeep(out);
  for (const k of [...internalKeys, ...FUTURE_FIELDS]) expect(keys.has(k), `internal field ${k} on the wire`).toBe(false);
}

const INTERACTION_INTERNALS = ['declinedBy', 'preferredAgentId', 'preferredUntil'] as const;
const SESSION_INTERNALS = ['customerParticipantId', 'transportId', 'lastIndexNum', 'lastCustomerAt', 'lastActivityAt'] as const;
const PARTICIPANT_INTERNALS = ['cursorNum'] as const;

describe('agent API wire mappers', () => {
  it('an interaction: every public field, no routing internals', () => {
    fc.assert(
      fc.property(interactionArb, (i) => {
        const out = toAgentInteraction(i);
        expectOnWire(agentInteraction, out, INTERACTION_INTERNALS);
        expect(out).toMatchObject({ id: i.id, sessionId: i.sessionId, state: i.state, agentAccountId: i.agentAccountId, offerExpiresAt: i.offerExpiresAt });
      }),
    );
  });

  it('a listed interaction carries the customer nickname and nothing else of the customer', () => {
    fc.assert(
      fc.property(interactionArb, fc.string({ maxLength: 10 }), (i, nickname) => {
        const out = toListedInteraction({ ...i, customer: { nickname, participantId: MARK } as { nickname: string } });
        expectOnWire(listedInteraction, out, [...INTERACTION_INTERNALS, 'participantId']);
        expect(out.customer).toEqual({ nickname });
      }),
    );
  });

  it('session details: session, participants and interactions without cursors, transport or idle clocks', () => {
    fc.assert(
      fc.property(sessionArb, fc.array(participantArb, { maxLength: 3 }), fc.array(interactionArb, { maxLength: 3 }), (session, participants, interactions) => {
        const out = toSessionDetails({ session, participants, interactions });
        expectOnWire(sessionDetails, out, [...SESSION_INTERNALS, ...PARTICIPANT_INTERNALS, ...INTERACTION_INTERNALS]);
        expect(out.participants.map((p) => p.id)).toEqual(participants.map((p) => p.id));
        expect(out.session.userData).toEqual(session.userData);
      }),
    );
  });

  it('a history entry: the session, its customer and interactions', () => {
    fc.assert(
      fc.property(sessionArb, fc.string({ maxLength: 10 }), fc.array(interactionArb, { maxLength: 3 }), (session, nickname, interactions) => {
        const out = toSessionSummary({ ...session, customer: { nickname }, interactions });
        expectOnWire(sessionSummary, out, [...SESSION_INTERNALS, ...INTERACTION_INTERNALS]);
      }),
    );
  });

  it('a message: no session id, subtype, interaction id or whisper audience; the sender type is the internal one (no Genesys renaming)', () => {
    fc.assert(
      fc.property(messageArb, (m: Message) => {
        const out = toAgentMessage(m);
        // `data` is the message's own payload: only the envelope's keys are checked by name.
        expect(agentMessage.safeParse(out).error).toBeUndefined();
        expect(JSON.stringify(out)).not.toContain(MARK);
        for (const k of ['sessionId', 'subtype', 'interactionId', 'audienceAccountId', 'streamId', ...FUTURE_FIELDS]) expect(out).not.toHaveProperty(k);
        for (const k of FUTURE_FIELDS) expect(out.from).not.toHaveProperty(k);
        expect(out.from.type).toBe(m.from.type);
        expect(out.index).toBe(m.index);
      }),
    );
  });

  it('a page of messages', () => {
    fc.assert(
      fc.property(fc.array(messageArb, { maxLength: 3 }), fc.option(fc.constant('5-0'), { nil: null }), fc.boolean(), (messages, last, ended) => {
        const out = toMessagesPage({ messages, lastDeliveredIndex: last, chatEnded: ended });
        expect(agentResponses.messages.safeParse(out).error).toBeUndefined();
        expect(JSON.stringify(out)).not.toContain(MARK);
        expect(out).toMatchObject({ lastIndex: last, sessionEnded: ended });
      }),
    );
  });

  it('a search page: sessions with the customer, interactions and a preview without attachments or internals', () => {
    fc.assert(
      fc.property(
        sessionArb,
        fc.array(interactionArb, { maxLength: 2 }),
        fc.option(messageArb, { nil: null }),
        fc.string({ maxLength: 10 }),
        fc.nat(),
        (session, interactions, lastMessage, nickname, total) => {
          const out = toSearchPage({ total, page: 0, pageSize: 20, results: [{ session, customer: { nickname, fullName: nickname }, interactions, lastMessage }] });
          expect(agentResponses.search.safeParse(out).error).toBeUndefined();
          expect(JSON.stringify(out)).not.toContain(MARK);
          const keys = keysDeep(out);
          for (const k of [...SESSION_INTERNALS, ...INTERACTION_INTERNALS, 'content', 'data', 'audienceAccountId', 'participantId', ...FUTURE_FIELDS])
            expect(keys.has(k), `${k} on the wire`).toBe(false);
        },
      ),
    );
  });

  it('a contact view: the contact, keys, sessions without internals or messages, notes', () => {
    const note = fc.record({ id: fc.uuid(), contactId: fc.uuid(), authorAccountId: fc.uuid(), authorName: fc.string(), text: fc.string(), createdAt: fc.string(), secret: fc.constant(MARK) });
    fc.assert(
      fc.property(sessionArb, fc.array(interactionArb, { maxLength: 2 }), fc.array(note, { maxLength: 2 }), (session, interactions, notes) => {
        const contact = { id: 'c-1', displayName: 'Zoë', createdAt: 'then', updatedAt: 'now', secret: MARK };
        const out = toContactView({ contact, keys: [{ kind: 'email', value: 'z@example.com' }], sessions: [{ ...session, interactions }], notes });
        expect(agentResponses.contact.safeParse(out).error).toBeUndefined();
        expect(JSON.stringify(out)).not.toContain(MARK);
        const keys = keysDeep(out);
        for (const k of [...SESSION_INTERNALS, ...INTERACTION_INTERNALS, 'userData', 'contactId', 'updatedAt', ...FUTURE_FIELDS])
          if (k !== 'updatedAt') expect(keys.has(k), `${k} on the wire`).toBe(false);
        expect(toContactView(null)).toEqual({ contact: null });
      }),
    );
  });

  it('an account: never the password hash, token generation or disabled flag', () => {
    fc.assert(fc.property(accountArb, (a) => expectOnWire(agentAccount, toAgentAccount(a), ['passwordHash', 'tokenGeneration', 'disabled', 'createdAt'])));
  });

  it('a profile: no routing idle clock', () => {
    fc.assert(fc.property(profileArb, (p) => expectOnWire(agentProfile, toAgentProfile(p), ['idleSince', 'updatedAt'])));
  });

  it('the supervisor overview', () => {
    const queue = fc.record({ name: fc.string(), deploymentId: fc.string(), waiting: fc.nat(), offered: fc.nat(), longestWaitSeconds: fc.nat() });
    const agent = fc.record({
      id: fc.uuid(),
      displayName: fc.string(),
      role: fc.constantFrom('agent' as const, 'supervisor' as const, 'admin' as const),
      presence: fc.constantFrom('Ready' as const, 'NotReady' as const),
      reason: fc.option(fc.string(), { nil: null }),
      active: fc.nat(),
      capacity: fc.nat(),
    });
    const session = fc.record({
      id: fc.uuid(),
      deploymentId: fc.string(),
      state: fc.constantFrom('Active' as const, 'Ended' as const),
      interactionId: fc.option(fc.uuid(), { nil: null }),
      interactionState: fc.option(fc.constantFrom('Queued' as const, 'Handling' as const), { nil: null }),
      agentName: fc.option(fc.string(), { nil: null }),
      customerName: fc.string(),
      queue: fc.option(fc.string(), { nil: null }),
      createdAt: fc.string(),
    });
    const extra = { secret: MARK };
    fc.assert(
      fc.property(fc.array(queue, { maxLength: 2 }), fc.array(agent, { maxLength: 2 }), fc.array(session, { maxLength: 2 }), (queues, agents, sessions) => {
        const core: CoreOverview = { queues: queues.map((q) => ({ ...extra, ...q })), agents: agents.map((a) => ({ ...extra, ...a })), sessions: sessions.map((s) => ({ ...extra, ...s })) };
        const out = toOverview(core);
        expect(overview.safeParse(out).error).toBeUndefined();
        expect(JSON.stringify(out)).not.toContain(MARK);
      }),
    );
  });
});
