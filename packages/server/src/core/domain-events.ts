import type { InteractionState, Message } from '@parley/protocol';
import type { Deployment, Interaction, Participant, Session } from '../ports/store.js';

/** What every event names: the session it happened in and that session's deployment. */
interface InSession {
  sessionId: string;
  deploymentId: string;
}

/**
 * What happened to sessions, as the log writer (core/log-writer.ts) publishes it once the
 * transaction that did it has committed. Each event is a fact; a subscriber that needs more reads
 * the store itself.
 */
export type DomainEvent =
  /** A customer started a session; `interaction` is its first one (Workflow when a flow runs it, else Queued). */
  | (InSession & { type: 'SessionStarted'; session: Session; deployment: Deployment; interaction: Interaction })
  /** The session ended (the customer left, a sync chat's interaction completed, idle close, a flow's end). */
  | (InSession & { type: 'SessionEnded' })
  /** One entry was added to the log (every kind: texts, notices, joins, state changes...). */
  | (InSession & { type: 'MessageAppended'; message: Message })
  /**
   * The customer wrote a Text (after the segment rule ran: an async session's text may have opened
   * the next interaction). It carries no deployment or interaction: reading them in the write cost
   * every text two statements, and only a deployment with a flow needs them.
   */
  | (InSession & { type: 'CustomerTextReceived'; message: Message })
  /** A participant joined (a silent monitor too: its state is `Monitoring` and the log shows nothing). */
  | (InSession & { type: 'ParticipantJoined'; participant: Participant })
  /** A participant left (a silent monitor too). */
  | (InSession & { type: 'ParticipantLeft'; participant: Participant })
  /** An interaction was opened (`from: null`) or moved through the state machine. */
  | (InSession & { type: 'InteractionStateChanged'; interaction: Interaction; from: InteractionState | null; previousAgentAccountId: string | null })
  /** An agent took an interaction (accepted an offer or a queued interaction) and joined the session. */
  | (InSession & { type: 'InteractionAssigned'; interaction: Interaction; deployment: Deployment; accountId: string });

export type DomainEventType = DomainEvent['type'];
export type DomainEventOf<K extends DomainEventType> = Extract<DomainEvent, { type: K }>;
export type DomainEventHandler<K extends DomainEventType> = (event: DomainEventOf<K>) => void | Promise<void>;

/**
 * The in-process bus the log writer publishes on after commit: `events.on('MessageAppended', handler)`.
 * Handlers are called in the order they subscribed and are not awaited, so a slow subscriber (a
 * bot's webhook) never holds up the writer's caller; one that throws or rejects is reported to
 * `onHandlerError` and the others still run. A handler that writes does so through the writer, in a
 * transaction of its own. Delivery is at most once, on the node that made the write.
 */
export class DomainEvents {
  private readonly handlers = new Map<DomainEventType, Set<(event: DomainEvent) => void | Promise<void>>>();

  /** Where a failed handler is reported (the app logs it). */
  onHandlerError: (err: unknown, event: DomainEvent) => void = () => {};

  /** Subscribes; the function returned unsubscribes. */
  on<K extends DomainEventType>(type: K, handler: DomainEventHandler<K>): () => void {
    const set = this.handlers.get(type) ?? new Set();
    this.handlers.set(type, set);
    const entry = handler as (event: DomainEvent) => void | Promise<void>;
    set.add(entry);
    return () => set.delete(entry);
  }

  publish(event: DomainEvent): void {
    for (const handler of this.handlers.get(event.type) ?? []) {
      try {
        const pending = handler(event);
        if (pending) pending.catch((err: unknown) => this.onHandlerError(err, event));
      } catch (err) {
        this.onHandlerError(err, event);
      }
    }
  }
}
