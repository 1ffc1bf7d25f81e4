import { describe, expect, it } from 'vitest';
import type { Account, Deployment, Role } from '../ports/store.js';
import { authorize, isAllowed, type Action } from './authorize.js';
import { ChatError } from './errors.js';
import { asBackEnd, asStaff, type CustomerPrincipal, type Principal } from './request-context.js';

const account = (id: string, role: Role): Account => ({ id, username: id, displayName: id, passwordHash: 'x', role, createdAt: '', tokenGeneration: 0, disabled: false });
const agent = asStaff(account('ann', 'agent'));
const otherAgent = asStaff(account('bob', 'agent'));
const supervisor = asStaff(account('sue', 'supervisor'));
const admin = asStaff(account('ada', 'admin'));
const deployment = (id: string) => ({ id }) as Deployment;
const backEnd = asBackEnd(deployment('shop'));
const customer: CustomerPrincipal = {
  kind: 'customer',
  credential: 'the client key',
  claims: { sessionId: 's1', participantId: 'p1', transportId: 't1', deploymentId: 'shop', ext: false },
};

/** The code and message of the refusal, or 'ok'. */
function outcome(principal: Principal, action: Action, resource?: unknown): string {
  try {
    (authorize as (p: Principal, a: Action, r?: unknown) => void)(principal, action, resource);
    return 'ok';
  } catch (err) {
    if (!(err instanceof ChatError)) throw err;
    return `${err.code}: ${err.message}`;
  }
}
const staffing = (interactions: { agentAccountId: string | null; state: 'Queued' | 'Offered' | 'Handling' | 'Completed' }[], participantAccounts: string[] = []) => ({
  interactions,
  participants: participantAccounts.map((accountId) => ({ accountId })),
});

describe('authorize', () => {
  it('session.read: supervisors and admins always; an agent only what they take part in, are offered or handle, or queued work', () => {
    const handledByBob = staffing([{ agentAccountId: 'bob', state: 'Handling' }]);
    expect(outcome(agent, 'session.read', handledByBob)).toBe('FORBIDDEN: this session is not assigned to you');
    expect(outcome(otherAgent, 'session.read', handledByBob)).toBe('ok');
    expect(outcome(supervisor, 'session.read', handledByBob)).toBe('ok');
    expect(outcome(admin, 'session.read', handledByBob)).toBe('ok');
    expect(outcome(agent, 'session.read', staffing([{ agentAccountId: null, state: 'Queued' }]))).toBe('ok');
    expect(outcome(agent, 'session.read', staffing([{ agentAccountId: 'ann', state: 'Offered' }]))).toBe('ok');
    expect(outcome(agent, 'session.read', staffing([{ agentAccountId: 'bob', state: 'Completed' }], ['ann']))).toBe('ok');
    expect(outcome(customer, 'session.read', handledByBob)).toMatch(/^FORBIDDEN/);
  });

  it('interaction.act and session.follow-up: an agent only their own; supervisors any', () => {
    expect(outcome(agent, 'interaction.act', { agentAccountId: 'bob' })).toBe('FORBIDDEN: this interaction is not assigned to you');
    expect(outcome(agent, 'interaction.act', { agentAccountId: 'ann' })).toBe('ok');
    expect(outcome(supervisor, 'interaction.act', { agentAccountId: 'bob' })).toBe('ok');
    const handledByBob = { interactions: [{ agentAccountId: 'bob', state: 'Completed' as const }] };
    expect(outcome(agent, 'session.follow-up', handledByBob)).toBe('FORBIDDEN: you never handled this session');
    expect(outcome(otherAgent, 'session.follow-up', handledByBob)).toBe('ok');
    expect(outcome(supervisor, 'session.follow-up', handledByBob)).toBe('ok');
  });

  it('supervise.*, message.vip and interaction.list-all: not agents; admin.manage: admins only', () => {
    for (const action of ['supervise.overview', 'supervise.monitor', 'supervise.whisper', 'supervise.barge', 'supervise.presence'] as const) {
      expect(outcome(agent, action)).toBe('FORBIDDEN: only supervisors can do this');
      expect(isAllowed(supervisor, action)).toBe(true);
      expect(isAllowed(admin, action)).toBe(true);
      expect(isAllowed(backEnd, action)).toBe(false);
    }
    expect(outcome(agent, 'message.vip')).toBe('FORBIDDEN: agents cannot send Vip messages');
    expect(isAllowed(agent, 'interaction.list-all')).toBe(false);
    expect(isAllowed(supervisor, 'interaction.list-all')).toBe(true);
    expect(isAllowed(supervisor, 'message.vip')).toBe(true);
    expect(outcome(supervisor, 'admin.manage')).toBe('FORBIDDEN: this needs the admin role');
    expect(outcome(agent, 'admin.manage')).toBe('FORBIDDEN: this needs the admin role');
    expect(isAllowed(admin, 'admin.manage')).toBe(true);
    expect(isAllowed(customer, 'admin.manage')).toBe(false);
  });

  it("workflow.*: a back end sees its own deployment's sessions and tickets; another's are not found", () => {
    expect(outcome(backEnd, 'workflow.session', { deploymentId: 'shop' })).toBe('ok');
    expect(outcome(backEnd, 'workflow.session', { deploymentId: 'blog' })).toBe('NOT_FOUND: session not found');
    expect(outcome(backEnd, 'workflow.ticket', { deploymentId: 'blog' })).toBe('NOT_FOUND: ticket not found');
    expect(outcome(admin, 'workflow.session', { deploymentId: 'shop' })).toBe('NOT_FOUND: session not found');
  });

  it("customer.*: the token's session, deployment and participant, and nothing else", () => {
    expect(outcome(customer, 'customer.session', { sessionId: 's1', deploymentId: 'shop' })).toBe('ok');
    expect(outcome(customer, 'customer.session', { sessionId: 's1' })).toBe('ok');
    expect(outcome(customer, 'customer.session', { sessionId: 's2', deploymentId: 'shop' })).toBe('FORBIDDEN: the client key does not open this session');
    expect(outcome(customer, 'customer.session', { sessionId: 's1', deploymentId: 'blog' })).toBe('FORBIDDEN: the client key belongs to another deployment');
    expect(outcome(customer, 'customer.session', { sessionId: 's1', participantId: 'p2' })).toMatch(/^FORBIDDEN: the client key was not issued/);
    expect(outcome(customer, 'customer.session', { sessionId: 's1', participantId: 'p1', transportId: 't2' })).toMatch(/^FORBIDDEN/);
    expect(outcome(customer, 'customer.participant', { participantId: 'p1' })).toBe('ok');
    expect(outcome(customer, 'customer.participant', { participantId: 'p2' })).toBe('FORBIDDEN: a customer can only act as their own participant');
    expect(outcome(agent, 'customer.session', { sessionId: 's1' })).toMatch(/^FORBIDDEN/);
  });
});
