import type { Account, Store, StoreTx, Survey, SurveySummaryQuery } from '../ports/store.js';
import { enqueueWebhookEvents } from './webhooks/outbox.js';
import type { Clock } from '../ports/clock.js';
import type { ChatService } from './chat-service.js';
import { ChatError } from './errors.js';

export const SURVEY_COMMENT_MAX = 1000;
/** The longest range a survey report covers. */
const REPORT_MAX_DAYS = 366;

export interface SurveyAnswer {
  rating: number;
  comment: string;
}

export interface SurveyReportRow {
  key: string;
  /** The queue name, or the agent's display name (`''`: chats no agent handled). */
  label: string;
  count: number;
  average: number;
}

export interface SurveyReport {
  from: string;
  to: string;
  groupBy: 'queue' | 'agent';
  rows: SurveyReportRow[];
  total: { count: number; average: number | null };
}

/**
 * The satisfaction survey after a chat: the customer answers once per session (1-5 and a comment)
 * once the chat is over; staff who may read the session see the answer; supervisors get the
 * count and average per queue or agent over a date range.
 */
export class SurveyService {
  constructor(
    private readonly store: Store,
    private readonly chat: ChatService,
    private readonly clock: Clock,
  ) {}

  async submit(sessionId: string, participantId: string, answer: SurveyAnswer): Promise<Survey> {
    if (!Number.isInteger(answer.rating) || answer.rating < 1 || answer.rating > 5) throw new ChatError('INVALID_REQUEST', 'the rating is a whole number from 1 to 5');
    if (answer.comment.length > SURVEY_COMMENT_MAX) throw new ChatError('PAYLOAD_TOO_LARGE', `the comment is longer than ${SURVEY_COMMENT_MAX} characters`);
    await this.chat.customerSession(sessionId, participantId, 'read');
    return this.store.tx(async (tx) => {
      const session = await tx.getSession(sessionId);
      const interactions = await tx.listInteractions({ sessionId });
      const latest = interactions[interactions.length - 1];
      if (!session || !latest) throw new ChatError('INVALID_SESSION', 'session not found');
      const over = session.state === 'Ended' || latest.state === 'Finalizing' || latest.state === 'Completed';
      if (!over) throw new ChatError('CONFLICT', 'the survey opens once the chat is over');
      const survey = await recordSurvey(tx, sessionId, answer, this.clock.now());
      if (!survey) throw new ChatError('CONFLICT', 'this chat has already been rated');
      return survey;
    });
  }

  /** The session's survey for staff who may read the session (null when the customer did not answer). */
  async forStaff(sessionId: string, account: Account): Promise<Survey | null> {
    await this.chat.getSessionForStaff(sessionId, account);
    return this.store.tx((tx) => tx.getSurvey(sessionId));
  }

  /** Count and average rating per queue or agent over [from, to); supervisors and admins only. */
  async report(account: Account, q: SurveySummaryQuery): Promise<SurveyReport> {
    if (account.role === 'agent') throw new ChatError('FORBIDDEN', 'only supervisors can read reports');
    const from = Date.parse(q.from);
    const to = Date.parse(q.to);
    if (!(from < to)) throw new ChatError('INVALID_REQUEST', 'from must be before to');
    if (to - from > REPORT_MAX_DAYS * 86_400_000) throw new ChatError('INVALID_REQUEST', `a report covers at most ${REPORT_MAX_DAYS} days`);
    const query = { ...q, from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    return this.store.tx(async (tx) => {
      const summary = await tx.summarizeSurveys(query);
      const rows: SurveyReportRow[] = [];
      for (const r of summary) {
        const label = q.groupBy === 'agent' && r.key ? ((await tx.getAccount(r.key))?.displayName ?? r.key) : r.key;
        rows.push({ key: r.key, label, count: r.count, average: round2(r.ratingSum / r.count) });
      }
      const count = summary.reduce((n, r) => n + r.count, 0);
      const sum = summary.reduce((n, r) => n + r.ratingSum, 0);
      return { from: query.from, to: query.to, groupBy: q.groupBy, rows, total: { count, average: count ? round2(sum / count) : null } };
    });
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Stores a session's survey in `tx` with the queue and agent of its last handled interaction and its
 * `survey.answered` webhook event; null when the session was already rated (the first answer stays).
 * The customer's form (SurveyService.submit) and a flow's `survey` step both record through it.
 */
export async function recordSurvey(tx: StoreTx, sessionId: string, answer: SurveyAnswer, now: number): Promise<Survey | null> {
  const session = await tx.getSession(sessionId);
  const interactions = await tx.listInteractions({ sessionId });
  const latest = interactions[interactions.length - 1];
  if (!session || !latest) throw new ChatError('INVALID_SESSION', 'session not found');
  const handled = [...interactions].reverse().find((i) => i.agentAccountId && i.handledAt) ?? latest;
  const survey: Survey = {
    sessionId,
    deploymentId: session.deploymentId,
    queue: handled.queue,
    agentAccountId: handled.handledAt ? handled.agentAccountId : null,
    rating: answer.rating,
    comment: answer.comment,
    createdAt: new Date(now).toISOString(),
  };
  if (!(await tx.insertSurvey(survey))) return null;
  await enqueueWebhookEvents(tx, {
    type: 'survey.answered',
    deploymentId: session.deploymentId,
    sessionId,
    interactionId: handled.id,
    answers: { rating: survey.rating, comment: survey.comment },
    at: survey.createdAt,
  });
  return survey;
}
