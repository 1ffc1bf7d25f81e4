import type { InteractionState } from '@parley/protocol';
import { isAllowed } from './authorize.js';
import { asStaff } from './request-context.js';
import type { Account, CannedResponse, Interaction, Session, Store, StoreTx, WrapUpCode } from '../ports/store.js';

/** An interaction as the agent desktop lists it: with the customer's name. */
export type InteractionWithCustomer = Interaction & { customer: { nickname: string } };

/** A session an agent took part in, with its customer and its interactions. */
export type SessionWithInteractions = Session & { customer: { nickname: string }; interactions: Interaction[] };

/** The interactions on an agent's desk: offered to them, handled by them, in wrap-up. */
const OPEN_WORK: InteractionState[] = ['Offered', 'Handling', 'Finalizing'];
/** How many of an account's sessions the history lists, newest first. */
const SESSIONS_LISTED = 100;

/** What staff read to find their work: interaction lists, their session history, canned responses and wrap-up codes. */
export class AgentViews {
  constructor(private readonly store: Store) {}

  /**
   * Interactions visible to the account, filtered by state. `mine`: only those assigned to it.
   * Agents see the waiting queue and their own work; supervisors and admins see everything.
   */
  interactionsFor(account: Account, filter: { states?: InteractionState[]; mine?: boolean }): Promise<InteractionWithCustomer[]> {
    const states = filter.states;
    return this.store.tx(async (tx) => {
      let list: Interaction[];
      if (filter.mine) list = await tx.listInteractions({ states, agentAccountId: account.id });
      else if (isAllowed(asStaff(account), 'interaction.list-all')) list = await tx.listInteractions({ states });
      else {
        const wantsQueued = !states || states.includes('Queued');
        const own = await tx.listInteractions({ states, agentAccountId: account.id });
        const queued = wantsQueued ? await tx.listInteractions({ states: ['Queued'] }) : [];
        list = [...queued, ...own.filter((i) => i.state !== 'Queued')];
      }
      return withCustomers(tx, list);
    });
  }

  /** The interactions on the account's desk now (the agent socket pushes these). */
  openWorkOf(account: Account): Promise<InteractionWithCustomer[]> {
    return this.interactionsFor(account, { states: OPEN_WORK, mine: true });
  }

  /** Sessions the account took part in, newest first, each with its customer and interactions. */
  sessionsOf(account: Account): Promise<SessionWithInteractions[]> {
    return this.store.tx(async (tx) => {
      const out: SessionWithInteractions[] = [];
      for (const s of await tx.listSessionsOfAccount(account.id, SESSIONS_LISTED)) {
        const customer = await tx.getParticipant(s.customerParticipantId);
        out.push({ ...s, customer: { nickname: customer?.nickname ?? '' }, interactions: await tx.listInteractions({ sessionId: s.id }) });
      }
      return out;
    });
  }

  cannedResponses(): Promise<CannedResponse[]> {
    return this.store.tx((tx) => tx.listCannedResponses());
  }

  wrapUpCodes(): Promise<WrapUpCode[]> {
    return this.store.tx((tx) => tx.listWrapUpCodes());
  }
}

async function withCustomers(tx: StoreTx, list: Interaction[]): Promise<InteractionWithCustomer[]> {
  const out: InteractionWithCustomer[] = [];
  for (const i of list) {
    const session = await tx.getSession(i.sessionId);
    const customer = session ? await tx.getParticipant(session.customerParticipantId) : null;
    out.push({ ...i, customer: { nickname: customer?.nickname ?? '' } });
  }
  return out;
}
