import fc from 'fast-check';
import { workflowMessage, workflowSession, workflowTicket } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { FUTURE_FIELDS, interactionArb, keysDeep, MARK, messageArb, sessionArb } from '../../../test/wire-arbitraries.js';
import { toWorkflowMessage, toWorkflowSession, toWorkflowTicket } from './wire.js';

const INTERACTION_INTERNALS = ['declinedBy', 'preferredAgentId', 'preferredUntil', 'offerExpiresAt', 'queuedAt', 'handledAt'];

describe('workflow API wire mappers', () => {
  it('a ticket: the interaction without routing internals', () => {
    fc.assert(
      fc.property(interactionArb, (i) => {
        const out = toWorkflowTicket(i);
        expect(workflowTicket.safeParse(out).error).toBeUndefined();
        expect(JSON.stringify(out)).not.toContain(MARK);
        const keys = keysDeep(out);
        for (const k of [...INTERACTION_INTERNALS, ...FUTURE_FIELDS]) expect(keys.has(k), k).toBe(false);
        expect(out).toMatchObject({ id: i.id, state: i.state, wrapUpCode: i.wrapUpCode });
      }),
    );
  });

  it('a session: attached data with IsOnline and ChatServerAppName, no cursors, transport or idle clocks', () => {
    fc.assert(
      fc.property(sessionArb, fc.array(interactionArb, { maxLength: 3 }), fc.string({ minLength: 1, maxLength: 10 }), (s, interactions, appName) => {
        const out = toWorkflowSession({ session: s, interactions, online: s.state === 'Active', serverAppName: appName });
        expect(workflowSession.safeParse(out).error).toBeUndefined();
        expect(JSON.stringify(out)).not.toContain(MARK);
        expect(out.userData).toEqual({ ...s.userData, IsOnline: s.state === 'Active' ? '1' : '0', ChatServerAppName: appName });
        expect(Object.keys(out).sort()).toEqual(['async', 'interactions', 'sessionId', 'state', 'userData']);
      }),
    );
  });

  it('a message: Genesys sender names (a bot is External), streamId = index, no internal fields', () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        const out = toWorkflowMessage(m);
        expect(workflowMessage.safeParse(out).error).toBeUndefined();
        expect(JSON.stringify(out)).not.toContain(MARK);
        for (const k of ['sessionId', 'subtype', 'interactionId', 'audienceAccountId', ...FUTURE_FIELDS]) expect(out).not.toHaveProperty(k);
        expect(out.streamId).toBe(m.index);
        expect(out.from.type).toBe(m.from.type === 'Workflow' ? 'External' : m.from.type);
      }),
    );
  });
});
