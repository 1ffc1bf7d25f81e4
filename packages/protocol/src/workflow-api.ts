import { z } from 'zod';
import { INTERACTION_STATES, MESSAGE_TYPES, VISIBILITIES } from './model.js';

/**
 * The workflow API (/workflow/v1, seeds 002 and 004): what routing workflows, bots and back ends
 * get back. Its own shapes: a field reaches this wire only by being named here (answers are strict
 * objects, so a field added on the server alone fails the contract tests).
 */

const isoTime = z.string();

/** A message as the workflow API reports it; senders are named as Genesys names them (`External` for workflows and bots). */
export const workflowMessage = z.strictObject({
  id: z.string(),
  index: z.string(),
  /** The same value as `index`, under the name Genesys chat clients read. */
  streamId: z.string(),
  utcTime: isoTime,
  visibility: z.enum(VISIBILITIES),
  type: z.enum(MESSAGE_TYPES),
  from: z.strictObject({ participantId: z.string(), type: z.enum(['Customer', 'Agent', 'Supervisor', 'External', 'System']), nickname: z.string().optional() }),
  text: z.string().optional(),
  url: z.string().optional(),
  content: z.array(z.strictObject({ type: z.enum(['image', 'file']), mime: z.string(), url: z.string(), name: z.string().optional(), size: z.number().optional() })).optional(),
  event: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type WorkflowMessage = z.infer<typeof workflowMessage>;

/** A ticket: one interaction of a session (a segment handled by the bot, the queue or an agent). */
export const workflowTicket = z.strictObject({
  id: z.string(),
  sessionId: z.string(),
  deploymentId: z.string(),
  state: z.enum(INTERACTION_STATES),
  queue: z.string(),
  priority: z.number().int(),
  agentAccountId: z.string().nullable(),
  wrapUpCode: z.string().nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
  completedAt: isoTime.nullable(),
  skills: z.array(z.string()),
  language: z.string().nullable(),
});
export type WorkflowTicket = z.infer<typeof workflowTicket>;

/** GET /sessions/:sessionId: the attached data with `IsOnline` and `ChatServerAppName` (seed 002). */
export const workflowSession = z.strictObject({
  sessionId: z.string(),
  state: z.enum(['Active', 'Ended']),
  async: z.boolean(),
  userData: z.record(z.string(), z.string()),
  interactions: z.array(workflowTicket),
});
export type WorkflowSession = z.infer<typeof workflowSession>;

/** The answers of /workflow/v1, by route. */
export const workflowResponses = {
  session: workflowSession,
  message: z.strictObject({ message: workflowMessage }),
  botReply: z.strictObject({ accepted: z.literal(true) }),
  tickets: z.strictObject({ tickets: z.array(workflowTicket) }),
  ticket: z.strictObject({ ticket: workflowTicket }),
} as const;
