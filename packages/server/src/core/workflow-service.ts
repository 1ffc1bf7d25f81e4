import { SYSTEM_PARTICIPANT_ID, type Message, type RichContent, type Visibility } from '@parley/protocol';
import type { Deployment, Interaction, Session, Store } from '../ports/store.js';
import { WORKFLOW_OFFLINE, type ChatService } from './chat-service.js';
import { authorize } from './authorize.js';
import { ChatError } from './errors.js';
import { asBackEnd } from './request-context.js';
import { richSend } from './rich-messages.js';

/** Who a workflow's messages come from: an External participant that never joins the session. */
export const WORKFLOW_PARTICIPANT_ID = '00000000-0000-0000-0000-000000000001';
const DEFAULT_WORKFLOW_NICKNAME = 'Workflow';

/** Who calls the workflow API: the deployment whose server key the request carries (Authenticator.backEnd). */
export type WorkflowCaller = Deployment;

/** What an external bot answers (all optional): replies, a hand-off to a queue, the end of its part. */
export interface BotAnswer {
  replies?: (string | { text?: string; rich?: unknown })[];
  handoff?: { queue?: string; priority?: number };
  end?: boolean;
}

/** The bot side of a session, as the flow engine runs it. */
export interface BotConversation {
  /** Applies the answer; with an `operationId`, once (recorded under botAnswerScope). */
  applyBotAnswer(sessionId: string, answer: BotAnswer, operationId?: string): Promise<void>;
}

/** Where a bot answer's operationId is recorded. */
export const botAnswerScope = (sessionId: string) => `workflow-bot:${sessionId}`;

/** A session as a workflow sees it (seed 002): its data, its interactions, whether it is online. */
export interface WorkflowSessionView {
  session: Session;
  interactions: Interaction[];
  online: boolean;
  /** `ChatServerAppName`: the deployment's own name for the serving application, else the server's. */
  serverAppName: string;
}

export interface WorkflowMessage {
  /** May be empty with `rich`: the plain-text form of the rich content is used. */
  text: string;
  /** Quick replies, buttons, a card… (docs/rich-messages.md), kept as `data.rich`. */
  rich?: RichContent;
  /** Seed 002 `MessageType`: kept as the message's subtype. */
  messageType?: string;
  nickname?: string;
  visibility: Visibility;
}

export type WorkflowNotice = { kind: 'pushUrl'; url: string; nickname?: string; visibility: Visibility } | { kind: 'custom'; text: string; nickname?: string; visibility: Visibility };

/**
 * The workflow API's use cases (seed 002, seed 004): routing workflows, bots and back ends, each
 * holding a deployment's server key, read a session and write messages, notices and UI events into
 * it (through ChatService, once per operationId), and answer for an external bot.
 */
export class WorkflowService {
  constructor(
    private readonly store: Store,
    private readonly chat: ChatService,
    private readonly bots: BotConversation,
    private readonly defaultAppName: string,
  ) {}

  async session(deployment: Deployment, sessionId: string): Promise<WorkflowSessionView> {
    const { session, interactions } = await this.store.tx(async (tx) => {
      const session = await tx.getSession(sessionId);
      if (!session) throw new ChatError('NOT_FOUND', 'session not found');
      authorize(asBackEnd(deployment), 'workflow.session', session);
      return { session, interactions: await tx.listInteractions({ sessionId }) };
    });
    return { session, interactions, online: session.state === 'Active', serverAppName: deployment.settings?.appName ?? this.defaultAppName };
  }

  /** Seed 002 `Message`. */
  async message(deployment: Deployment, sessionId: string, input: WorkflowMessage, operationId?: string): Promise<Message> {
    const max = this.chat.limits.maxMessageLength;
    const rich = richSend('Text', input.text, input.rich);
    const text = rich ? rich.text : input.text;
    if (!text.trim()) throw new ChatError('INVALID_REQUEST', 'MessageText is required');
    if (text.length > max) throw new ChatError('PAYLOAD_TOO_LARGE', `MessageText is longer than ${max} characters`);
    await this.ownSession(deployment, sessionId);
    return this.chat.workflowAppend(
      sessionId,
      { type: 'Text', from: from(input.nickname), visibility: input.visibility, text, ...(rich ? { data: rich.data } : {}), ...(input.messageType ? { subtype: input.messageType } : {}) },
      operationId,
    );
  }

  /** Seed 002 `Notice`: a pushed URL, or any text. */
  async notice(deployment: Deployment, sessionId: string, input: WorkflowNotice, operationId?: string): Promise<Message> {
    await this.ownSession(deployment, sessionId);
    const draft =
      input.kind === 'pushUrl'
        ? { type: 'PushUrl' as const, from: from(input.nickname), visibility: input.visibility, url: input.url, text: input.url, subtype: 'USER_PUSHED_URL' }
        : { type: 'Notice' as const, from: from(input.nickname), visibility: input.visibility, text: input.text, subtype: 'USER_CUSTOM' };
    return this.chat.workflowAppend(sessionId, draft, operationId);
  }

  /** A UI event for the customer's widget (seed 004), from the System participant. */
  async uiEvent(deployment: Deployment, sessionId: string, event: { name: string; data: Record<string, unknown> }, operationId?: string): Promise<Message> {
    await this.ownSession(deployment, sessionId);
    return this.chat.workflowAppend(
      sessionId,
      { type: 'Notice', from: { participantId: SYSTEM_PARTICIPANT_ID, type: 'System' }, visibility: 'All', event: event.name, data: event.data, subtype: 'UiEvent' },
      operationId,
    );
  }

  /**
   * An external bot's answer; only while the session's interaction is with the bot (Workflow). A
   * retry with the `operationId` of an answer already applied is accepted and changes nothing (its
   * hand-off may have moved the interaction on since).
   */
  async botReply(deployment: Deployment, sessionId: string, answer: BotAnswer, operationId?: string): Promise<void> {
    const session = await this.ownSession(deployment, sessionId);
    const { applied, latest } = await this.store.tx(async (tx) => ({
      applied: operationId !== undefined && (await tx.getOperation(botAnswerScope(sessionId), operationId)) !== null,
      latest: await tx.latestInteraction(sessionId),
    }));
    if (applied) return;
    if (session.state !== 'Active') throw new ChatError('INVALID_SESSION', WORKFLOW_OFFLINE);
    if (latest?.state !== 'Workflow') throw new ChatError('CONFLICT', `the session is not with the bot (its interaction is ${latest?.state ?? 'missing'})`);
    await this.bots.applyBotAnswer(sessionId, answer, operationId);
  }

  /**
   * The session, if it is this deployment's. Writes check that it is online under lock, after
   * looking up their operationId: a retry of a write that went through gets its first answer.
   */
  private async ownSession(deployment: Deployment, sessionId: string): Promise<Session> {
    const session = await this.store.tx((tx) => tx.getSession(sessionId));
    if (!session) throw new ChatError('NOT_FOUND', 'session not found');
    authorize(asBackEnd(deployment), 'workflow.session', session);
    return session;
  }
}

function from(nickname: string | undefined) {
  return { participantId: WORKFLOW_PARTICIPANT_ID, type: 'External' as const, nickname: nickname ?? DEFAULT_WORKFLOW_NICKNAME };
}
