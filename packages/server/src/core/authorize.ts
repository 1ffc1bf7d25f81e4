import type { InteractionState } from '@parley/protocol';
import { ChatError } from './errors.js';
import type { Principal } from './request-context.js';

/** What a staff member's access to a session depends on: who takes part, and its interactions. */
export interface SessionStaffing {
  participants: readonly { accountId?: string | null }[];
  interactions: readonly { agentAccountId: string | null; state: InteractionState }[];
}
/** The session a customer's request names, and what else of it the request claims. */
export interface CustomerTarget {
  sessionId: string;
  /** The deployment of the page key the request carries, when it carries one. */
  deploymentId?: string;
  participantId?: string;
  transportId?: string;
}

/** Every action a caller may be refused, with what it is checked against. */
export interface Resources {
  /** Read a session's details and log (REST, the agent socket's every read). */
  'session.read': SessionStaffing;
  /** Open a follow-up interaction on a session. */
  'session.follow-up': Pick<SessionStaffing, 'interactions'>;
  /** List every interaction (agents list the queue and their own). */
  'interaction.list-all': undefined;
  /** Mark done, complete, reject or transfer an interaction. */
  'interaction.act': { agentAccountId: string | null };
  /** Send a Vip message (supervisors only see those). */
  'message.vip': undefined;
  /** The supervisor overview (REST and the socket's overview feed). */
  'supervise.overview': undefined;
  'supervise.monitor': undefined;
  'supervise.whisper': undefined;
  'supervise.barge': undefined;
  /** Set another agent's presence. */
  'supervise.presence': undefined;
  /** Anything of the admin API. */
  'admin.manage': undefined;
  /** A back end reads or writes a session (workflow API). */
  'workflow.session': { deploymentId: string };
  /** A back end reads or closes a ticket. */
  'workflow.ticket': { deploymentId: string };
  /** A customer reads or writes their session. */
  'customer.session': CustomerTarget;
  /** A customer acts as a participant (leaves, types, is a guest member). */
  'customer.participant': { participantId: string };
}
export type Action = keyof Resources;

type Refusal = readonly [ChatError['code'], string] | null;
type Rule<A extends Action> = (principal: Principal, resource: Resources[A]) => Refusal;

const STAFF_ONLY: Refusal = ['FORBIDDEN', 'this needs a staff account'];
const supervisorsOnly: Rule<Action> = (p) => (p.kind !== 'staff' ? STAFF_ONLY : p.account.role === 'agent' ? ['FORBIDDEN', 'only supervisors can do this'] : null);

/**
 * The table: one rule per action, the only place that says who may do what. Supervisors and admins
 * see every session; an agent sees what is offered to or handled by them, what they joined, and any
 * queued work (they may take it). Refusals keep the code each API has always answered with: a back
 * end asking for another deployment's data gets "not found", never a hint that it exists.
 */
const RULES: { [A in Action]: Rule<A> } = {
  'session.read': (p, s) => {
    if (p.kind !== 'staff') return STAFF_ONLY;
    const me = p.account.id;
    if (p.account.role !== 'agent') return null;
    const involved = s.participants.some((x) => x.accountId === me) || s.interactions.some((i) => i.agentAccountId === me || i.state === 'Queued');
    return involved ? null : ['FORBIDDEN', 'this session is not assigned to you'];
  },
  'session.follow-up': (p, s) => {
    if (p.kind !== 'staff') return STAFF_ONLY;
    if (p.account.role !== 'agent') return null;
    return s.interactions.some((i) => i.agentAccountId === p.account.id) ? null : ['FORBIDDEN', 'you never handled this session'];
  },
  'interaction.act': (p, i) => {
    if (p.kind !== 'staff') return STAFF_ONLY;
    return p.account.role !== 'agent' || i.agentAccountId === p.account.id ? null : ['FORBIDDEN', 'this interaction is not assigned to you'];
  },
  'interaction.list-all': (p) => (p.kind !== 'staff' ? STAFF_ONLY : p.account.role === 'agent' ? ['FORBIDDEN', 'agents list the queue and their own interactions'] : null),
  'message.vip': (p) => (p.kind !== 'staff' ? STAFF_ONLY : p.account.role === 'agent' ? ['FORBIDDEN', 'agents cannot send Vip messages'] : null),
  'supervise.overview': supervisorsOnly,
  'supervise.monitor': supervisorsOnly,
  'supervise.whisper': supervisorsOnly,
  'supervise.barge': supervisorsOnly,
  'supervise.presence': supervisorsOnly,
  'admin.manage': (p) => (p.kind !== 'staff' ? STAFF_ONLY : p.account.role === 'admin' ? null : ['FORBIDDEN', 'this needs the admin role']),
  'workflow.session': (p, r) => (p.kind === 'backEnd' && p.deployment.id === r.deploymentId ? null : ['NOT_FOUND', 'session not found']),
  'workflow.ticket': (p, r) => (p.kind === 'backEnd' && p.deployment.id === r.deploymentId ? null : ['NOT_FOUND', 'ticket not found']),
  'customer.session': (p, t) => {
    if (p.kind !== 'customer') return ['FORBIDDEN', 'this needs a customer’s client token'];
    const c = p.claims;
    if (t.deploymentId !== undefined && c.deploymentId !== t.deploymentId) return ['FORBIDDEN', `${p.credential} belongs to another deployment`];
    if (c.sessionId !== t.sessionId) return ['FORBIDDEN', `${p.credential} does not open this session`];
    if ((t.participantId !== undefined && c.participantId !== t.participantId) || (t.transportId !== undefined && c.transportId !== t.transportId)) {
      return ['FORBIDDEN', `${p.credential} was not issued to this participant`];
    }
    return null;
  },
  'customer.participant': (p, r) => {
    if (p.kind !== 'customer') return ['FORBIDDEN', 'this needs a customer’s client token'];
    return p.claims.participantId === r.participantId ? null : ['FORBIDDEN', 'a customer can only act as their own participant'];
  },
};

type ResourceArg<A extends Action> = Resources[A] extends undefined ? [] : [resource: Resources[A]];

/** Whether `principal` may do `action` on `resource`. */
export function isAllowed<A extends Action>(principal: Principal, action: A, ...resource: ResourceArg<A>): boolean {
  return (RULES[action] as Rule<A>)(principal, resource[0] as Resources[A]) === null;
}

/** Throws the refusal (a ChatError: FORBIDDEN, or NOT_FOUND where existence must not show) unless `principal` may do `action`. */
export function authorize<A extends Action>(principal: Principal, action: A, ...resource: ResourceArg<A>): void {
  const refusal = (RULES[action] as Rule<A>)(principal, resource[0] as Resources[A]);
  if (refusal) throw new ChatError(refusal[0], refusal[1]);
}
