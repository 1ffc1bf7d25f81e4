import type { Message } from '@parley/protocol';
import type { FlowRun, Interaction, Participant, Session, StoredFile } from '../store.js';

/** Everything the store holds about one session (a GDPR access export). */
export interface SessionRecords {
  session: Session;
  participants: Participant[];
  messages: Message[];
  interactions: Interaction[];
  files: StoredFile[];
  flowRun: FlowRun | null;
}

/**
 * Retention and erasure of customer data: finding a customer's sessions, reading all of a
 * session, and removing it from every table (or stripping it of what identifies the customer).
 */
export interface CustomerDataStore {
  /** Sessions of a deployment that ended before `beforeIso` and were not anonymized yet, oldest first. */
  listSessionsEndedBefore(deploymentId: string, beforeIso: string, limit: number): Promise<Session[]>;
  /**
   * Sessions whose user data holds `value` somewhere (case-insensitive), newest first: candidates
   * the caller checks field by field.
   */
  findSessionsByUserDataValue(value: string, limit: number): Promise<Session[]>;
  sessionRecords(sessionId: string): Promise<SessionRecords | null>;
  /** Deletes the session and every row about it (log, participants, interactions, files, flow run, idempotency records, webhook outbox); answers its file ids. */
  deleteSessionData(sessionId: string): Promise<{ fileIds: string[] }>;
  /**
   * Keeps the session's shape (interactions, message types and times) but nothing that identifies
   * the customer: user data, nicknames and the messages given are replaced, files, flow run,
   * idempotency records and webhook outbox rows deleted; the session is marked anonymized. Answers its file ids.
   */
  anonymizeSessionData(sessionId: string, anonymized: { messages: Message[]; customerNickname: string; atIso: string }): Promise<{ fileIds: string[] }>;
  /**
   * A named lease for work one node at a time does (a scheduled job): taken when free, expired, or
   * already this owner's; false when another owner holds it.
   */
  takeLease(name: string, owner: string, nowIso: string, untilIso: string): Promise<boolean>;
}
