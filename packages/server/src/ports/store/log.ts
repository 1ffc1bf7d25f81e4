import type { Message, Visibility } from '@parley/protocol';

export interface MessageQuery {
  /** Only messages with numeric index greater than this. */
  afterNum?: number;
  /** Only messages with numeric index lower than this. */
  beforeNum?: number;
  visibilities: Visibility[];
  /** Vip messages addressed to this account (a supervisor's whisper) are visible to it too. */
  audienceAccountId?: string;
  limit: number;
  /** `desc` takes the newest `limit` messages (returned in log order all the same). */
  newest?: boolean;
}

/** A message before the log gives it its index (core/log-append). */
export type MessageDraft = Omit<Message, 'index' | 'sessionId' | 'utcTime'> & { utcTime?: string };

/** Where a session's log stands: what the next append is computed from. */
export interface LogHead {
  lastIndexNum: number;
}

/** What an append moves on the session besides its last index (the idle clocks, core/log-append). */
export interface LogClocks {
  lastActivityAt: string;
  /** Left as it is when null. */
  lastCustomerAt: string | null;
}

/**
 * A session's message log. The store keeps what it is given: the index and the clocks are decided
 * in core (core/log-append), from the head read with `lockLogHead` in the same transaction.
 * Contract: `lockLogHead` locks the session row until the transaction ends, so appends to one log
 * are serialised across transactions and nodes; `insertMessage` stores the message at `indexNum`
 * (unique per session: a duplicate fails) and sets the session's `lastIndexNum` and clocks in the
 * same write, with the message's search `words` (normalized, core/search-index) when given; `listMessages` returns log order (ascending index), `newest` taking the last `limit`.
 */
export interface LogStore {
  /** Locks the session row and reads its head; null when there is no such session. */
  lockLogHead(sessionId: string): Promise<LogHead | null>;
  insertMessage(message: Message, indexNum: number, clocks: LogClocks, words?: string): Promise<void>;
  listMessages(sessionId: string, q: MessageQuery): Promise<Message[]>;
}
