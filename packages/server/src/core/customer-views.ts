import type { Message } from '@parley/protocol';
import type { Participant, Store } from '../ports/store.js';
import type { ChatService } from './chat-service.js';

/** Messages read per page while walking a whole log. */
const PAGE = 500;

/** What a customer may see of a session as a whole: its visible log and the participants it shows. */
export class CustomerViews {
  constructor(
    private readonly store: Store,
    private readonly chat: ChatService,
  ) {}

  /** The whole customer-visible log (visibility All), in order. */
  async visibleLog(sessionId: string): Promise<Message[]> {
    const log: Message[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.chat.readAfter(sessionId, ['All'], after, PAGE);
      log.push(...page.messages);
      if (page.messages.length < PAGE) return log;
      after = page.messages[page.messages.length - 1]!.index;
    }
  }

  /**
   * Participants the customer may know about: the customer, and those with a message in the visible
   * log. A silent monitor (a supervisor who never wrote to the customer) is not among them.
   */
  async knownParticipants(sessionId: string): Promise<Participant[]> {
    const [participants, log] = await Promise.all([this.store.tx((tx) => tx.listParticipants(sessionId)), this.visibleLog(sessionId)]);
    const seen = new Set(log.map((m) => m.from.participantId));
    return participants.filter((p) => p.type === 'Customer' || seen.has(p.id));
  }
}
