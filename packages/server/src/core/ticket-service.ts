import type { InteractionState } from '@parley/protocol';
import type { Deployment, Interaction, Store } from '../ports/store.js';
import { authorize } from './authorize.js';
import { ChatError } from './errors.js';
import { asBackEnd } from './request-context.js';

/** Which tickets a listing asks for. */
export type TicketFilter = { state: 'open' | 'closed' | 'all'; sessionId?: string };

const OPEN: InteractionState[] = ['Workflow', 'Queued', 'Offered', 'Handling', 'Finalizing'];
const CLOSED: InteractionState[] = ['Completed'];
const DEFAULT_CLOSE_COMMENT = 'closed through the ticket API';

/** Closes a ticket whatever its state, telling its agent why (the flow engine does it). */
export interface TicketCloser {
  closeTicket(ticketId: string, comment: string): Promise<Interaction>;
}

/**
 * Tickets (seed 004): a deployment's interactions as its back office sees them. A deployment sees
 * its own tickets only; another deployment's ticket is "not found".
 */
export class TicketService {
  constructor(
    private readonly store: Store,
    private readonly closer: TicketCloser,
  ) {}

  list(deployment: Deployment, filter: TicketFilter): Promise<Interaction[]> {
    const states = filter.state === 'open' ? OPEN : filter.state === 'closed' ? CLOSED : undefined;
    return this.store.tx((tx) => tx.listInteractions({ deploymentId: deployment.id, ...(states ? { states } : {}), ...(filter.sessionId ? { sessionId: filter.sessionId } : {}) }));
  }

  async get(deployment: Deployment, ticketId: string): Promise<Interaction> {
    const ticket = await this.store.tx((tx) => tx.getInteraction(ticketId));
    if (!ticket) throw new ChatError('NOT_FOUND', 'ticket not found');
    authorize(asBackEnd(deployment), 'workflow.ticket', ticket);
    return ticket;
  }

  /** Closes the ticket with the comments given (or a default one); closing a closed ticket is a conflict. */
  async close(deployment: Deployment, ticketId: string, comments: string): Promise<Interaction> {
    await this.get(deployment, ticketId);
    return this.closer.closeTicket(ticketId, comments || DEFAULT_CLOSE_COMMENT);
  }
}
