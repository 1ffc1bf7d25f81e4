import type { InteractionState, Message } from '@parley/protocol';
import type { Session, StoreTx } from '../ports/store.js';
import { linkContact } from './contacts.js';
import { indexCustomerForSearch } from './search-index.js';
import { parseIndex } from './message-index.js';

/**
 * What is kept beside the log, written in the append's transaction (the message's own search words
 * go with its insert, core/log-append): at the customer's join (the session's start) the customer's
 * search words and the link to the customer's contact, and interaction state changes for the
 * supervisors' day report.
 */
export async function indexAppended(tx: StoreTx, session: Session, message: Message): Promise<void> {
  await indexCustomerForSearch(tx, session, message);
  if (message.type === 'ParticipantJoined' && message.from.type === 'Customer') await linkContact(tx, session, message.from.nickname ?? '', message.utcTime);
  const state = message.event === 'InteractionStateChange' ? (message.data?.interactionState as InteractionState | undefined) : undefined;
  if (state && message.interactionId) {
    await tx.recordStateChange({ sessionId: session.id, indexNum: parseIndex(message.index)!, interactionId: message.interactionId, state, at: message.utcTime });
  }
}
