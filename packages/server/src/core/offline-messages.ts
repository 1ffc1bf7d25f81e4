import type { Deployment } from '../ports/store.js';
import type { ChatService, StartResult } from './chat-service.js';
import { ChatError } from './errors.js';
import { isEmailAddress } from './transcript.js';

export interface LeftMessage {
  name: string;
  email: string;
  subject?: string;
  text: string;
  /** A queue of the deployment (its default queue otherwise). */
  queue: string;
}

/**
 * "Leave a message" (Genesys SendMessage) while no one can chat: an asynchronous session with the
 * message as its first Text, queued for agents (no flow first), who pick it up when they are back;
 * the customer's token reopens it like any async chat.
 */
export class OfflineMessageService {
  constructor(private readonly chat: ChatService) {}

  async leave(deployment: Deployment, m: LeftMessage, replay: { operationId?: string; requester?: string }): Promise<StartResult> {
    if (!isEmailAddress(m.email)) throw new ChatError('INVALID_REQUEST', 'the e-mail address is not valid');
    if (m.text.trim() === '') throw new ChatError('INVALID_REQUEST', 'the message is empty');
    const max = this.chat.limits.maxMessageLength;
    if (m.text.length > max) throw new ChatError('PAYLOAD_TOO_LARGE', `the message is ${m.text.length} characters; the limit is ${max}`);
    const started = await this.chat.startSession(
      deployment,
      { nickname: m.name, firstName: m.name, email: m.email, subject: m.subject, userData: { ChatSource: 'LeaveMessage' }, leaveMessage: true, routing: { queue: m.queue } },
      replay,
    );
    await this.chat.customerSend(started.session.id, started.participant.id, { type: 'Text', text: m.text }, replay.operationId && `${replay.operationId}:message`);
    return started;
  }
}
