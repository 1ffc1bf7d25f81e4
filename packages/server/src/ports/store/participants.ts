import type { ParticipantType } from '@parley/protocol';

export interface Participant {
  id: string;
  sessionId: string;
  type: ParticipantType;
  nickname: string;
  accountId: string | null;
  /** `Monitoring`: a supervisor reading (and whispering) without the customer knowing. */
  state: 'Connected' | 'Monitoring' | 'Left';
  joinedAt: string;
  leftAt: string | null;
  /** Numeric index of the last message delivered to this participant. */
  cursorNum: number;
}

/**
 * A session's participants and their delivery cursors.
 * Contract: `listParticipants` is in join order (insertion order on ties); `getParticipant(id, true)`
 * locks the row; `advanceCursor` never moves a cursor back, whatever runs at the same time.
 */
export interface ParticipantStore {
  insertParticipant(p: Participant): Promise<void>;
  /** Reads a participant; `forUpdate` locks it (delivery cursors move one reader at a time). */
  getParticipant(id: string, forUpdate?: boolean): Promise<Participant | null>;
  listParticipants(sessionId: string): Promise<Participant[]>;
  /** Moves the delivery cursor forward to `cursorNum`, never back: one compare-and-set statement, no lock needed. */
  advanceCursor(id: string, cursorNum: number): Promise<void>;
  updateParticipant(id: string, patch: Partial<Pick<Participant, 'state' | 'leftAt' | 'cursorNum'>>): Promise<void>;
}
