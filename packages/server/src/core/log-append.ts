import type { Message } from '@parley/protocol';
import type { LogClocks, LogStore, MessageDraft } from '../ports/store.js';
import { formatIndex, nextIndexNum } from './message-index.js';
import { messageWords } from './search-index.js';

/** Idle control: any message is activity; a customer's Text also restarts the customer's clock. */
export function clocksAfter(message: Pick<Message, 'from' | 'type' | 'utcTime'>): LogClocks {
  const customerText = message.from.type === 'Customer' && message.type === 'Text';
  return { lastActivityAt: message.utcTime, lastCustomerAt: customerText ? message.utcTime : null };
}

/** A stored message and where it sits: right after `previousNum`, the log's head before it. */
export interface Appended {
  message: Message;
  indexNum: number;
  previousNum: number;
}

/**
 * Appends to a session's log inside the caller's transaction: the session row is locked first, so
 * the index (the next one after the session's last, see message-index) cannot be taken twice by
 * concurrent writers or nodes. `lockedHead`: the caller already holds that lock in this transaction
 * and knows the log's head from it (no second read). `utcTime` defaults to `nowMs`. The message's
 * search words go into the index with it.
 */
export async function appendMessage(tx: LogStore, sessionId: string, draft: MessageDraft, nowMs: number, lockedHead?: number): Promise<Appended> {
  const head = lockedHead !== undefined ? { lastIndexNum: lockedHead } : await tx.lockLogHead(sessionId);
  if (!head) throw new Error(`no session ${sessionId}`);
  const indexNum = nextIndexNum(head.lastIndexNum, nowMs);
  const message: Message = { ...draft, sessionId, index: formatIndex(indexNum), utcTime: draft.utcTime ?? new Date(nowMs).toISOString() };
  await tx.insertMessage(message, indexNum, clocksAfter(message), messageWords(message) || undefined);
  return { message, indexNum, previousNum: head.lastIndexNum };
}
