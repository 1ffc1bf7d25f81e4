import { visibleTo, type Message } from '@parley/protocol';
import type { Account, Interaction, Session, Store } from '../ports/store.js';
import { queryWords, searchWords } from './search-index.js';

export interface SearchInput {
  /** Words to find in the conversation (each a word prefix; all in one message). */
  text?: string;
  /** Sessions created at or after `from` and before `to` (ISO times). */
  from?: string;
  to?: string;
  queue?: string;
  agentId?: string;
  wrapUpCode?: string;
  /** The customer's name, e-mail or id (from a word start). */
  customer?: string;
  /** 0-based. */
  page: number;
  pageSize: number;
}

export interface FoundConversation {
  session: Session;
  customer: { nickname: string; fullName: string };
  interactions: Interaction[];
  /** The newest message with text the reader may see (a preview). */
  lastMessage: Message | null;
}

export interface SearchAnswer {
  total: number;
  page: number;
  pageSize: number;
  results: FoundConversation[];
}

const PREVIEW_TYPES = new Set<Message['type']>(['Text', 'Notice', 'File', 'PushUrl']);
const PREVIEW_CHARS = 200;

/**
 * Full-text search over the conversations an account may see: supervisors and admins every session
 * and every message; agents only sessions they took part in (as their history, core/agent-views),
 * and never supervisors' Vip messages.
 */
export class ConversationSearch {
  constructor(private readonly store: Store) {}

  search(account: Account, input: SearchInput): Promise<SearchAnswer> {
    const agent = account.role === 'agent';
    const visibilities = agent ? (['All', 'Int'] as const) : visibleTo('Supervisor');
    const customer = input.customer ? searchWords(input.customer) : '';
    return this.store.tx(async (tx) => {
      const page = await tx.searchSessions({
        words: queryWords(input.text ?? ''),
        visibilities: [...visibilities],
        ...(agent ? { involvingAccountId: account.id } : {}),
        ...(input.from ? { createdFrom: input.from } : {}),
        ...(input.to ? { createdBefore: input.to } : {}),
        ...(input.queue ? { queue: input.queue } : {}),
        ...(input.agentId ? { agentAccountId: input.agentId } : {}),
        ...(input.wrapUpCode ? { wrapUpCode: input.wrapUpCode } : {}),
        ...(customer ? { customer } : {}),
        limit: input.pageSize,
        offset: input.page * input.pageSize,
      });
      const results: FoundConversation[] = [];
      for (const id of page.sessionIds) {
        const session = await tx.getSession(id);
        if (!session) continue;
        const participant = await tx.getParticipant(session.customerParticipantId);
        const nickname = participant?.nickname ?? '';
        const fullName = [session.userData.FirstName, session.userData.LastName].filter(Boolean).join(' ') || nickname;
        const recent = await tx.listMessages(id, { visibilities: [...visibilities], limit: 50, newest: true });
        const last = recent.filter((m) => PREVIEW_TYPES.has(m.type) && (m.text || m.url)).pop() ?? null;
        const lastMessage = last && last.text && last.text.length > PREVIEW_CHARS ? { ...last, text: `${last.text.slice(0, PREVIEW_CHARS)}…` } : last;
        results.push({ session, customer: { nickname, fullName }, interactions: await tx.listInteractions({ sessionId: id }), lastMessage });
      }
      return { total: page.total, page: input.page, pageSize: input.pageSize, results };
    });
  }
}
