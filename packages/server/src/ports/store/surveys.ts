/** A customer's answer to the satisfaction survey after a chat: one per session. */
export interface Survey {
  sessionId: string;
  deploymentId: string;
  /** The queue of the interaction the survey is about. */
  queue: string;
  /** The agent who handled it (null when no agent did). */
  agentAccountId: string | null;
  /** 1 (worst) to 5 (best). */
  rating: number;
  comment: string;
  createdAt: string;
}

export interface SurveySummaryRow {
  /** The queue name or the agent's account id (`''` for surveys of chats no agent handled). */
  key: string;
  count: number;
  ratingSum: number;
}

export interface SurveySummaryQuery {
  /** ISO times: `from` inclusive, `to` exclusive. */
  from: string;
  to: string;
  groupBy: 'queue' | 'agent';
  deploymentId?: string;
}

/**
 * Satisfaction surveys.
 * Contract: `insertSurvey` keeps the first answer of a session and returns false (writing nothing)
 * when the session already has one; `summarizeSurveys` groups the surveys created in [from, to) by
 * queue or agent, keys in byte order.
 */
export interface SurveyStore {
  insertSurvey(s: Survey): Promise<boolean>;
  getSurvey(sessionId: string): Promise<Survey | null>;
  summarizeSurveys(q: SurveySummaryQuery): Promise<SurveySummaryRow[]>;
}
