export type Presence = 'Ready' | 'NotReady';

export interface AgentProfile {
  accountId: string;
  presence: Presence;
  reason: string | null;
  capacity: number;
  /** skill name -> level (1-10) */
  skills: Record<string, number>;
  languages: string[];
  /** Queue names the agent serves; empty = every queue. */
  queues: string[];
  idleSince: string;
  updatedAt: string;
}

/**
 * Agents' routing profiles (presence, capacity, skills).
 * Contract: `listProfiles` is by account id in byte order; with `forUpdate` it locks every profile in
 * that order, so routers on several nodes queue up instead of deadlocking; `upsertProfile` inserts or
 * replaces the profile of its account.
 */
export interface AgentProfileStore {
  getProfile(accountId: string): Promise<AgentProfile | null>;
  /** All profiles; `forUpdate` locks them so routers on several nodes decide one at a time. */
  listProfiles(forUpdate?: boolean): Promise<AgentProfile[]>;
  upsertProfile(p: AgentProfile): Promise<void>;
}
