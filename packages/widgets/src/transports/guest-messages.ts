import type { RawMessage } from './transport.js';
import type { GuestApi } from './guest-api.js';

/**
 * Guest chat v2 messages and frames as WebChatService's messages: `member-join` -> ParticipantJoined,
 * `member-leave` -> ParticipantLeft, `standard`/`notice` -> Message, `typing-indicator` ->
 * TypingStarted. On `member-join`/`member-change` the member is fetched by id to learn its role and
 * name; an AGENT that becomes CONNECTED joins once, a DISCONNECTED one leaves; the customer's own
 * member DISCONNECTED ends the chat. Guest messages have ids and timestamps but no index: each gets
 * `index` = timestamp (ms) * 1000 + a tie-breaker, stable per id, so de-duplication and ordering
 * work as with the other transports.
 */
type Options = Record<string, any>;

const ROLE: Record<string, string> = { CUSTOMER: 'Client', AGENT: 'Agent', WORKFLOW: 'Bot', ACD: 'System' };

export interface GuestMember {
  id: string;
  displayName?: string;
  role?: string;
  state?: string;
  [k: string]: unknown;
}

export class GuestMessages {
  /** The customer's own member left: the chat is over. */
  ended = false;
  private members = new Map<string, Promise<GuestMember | undefined>>();
  private joined = new Set<string>();
  /** Message ids already turned into messages. */
  private done = new Set<string>();
  private indexes = new Map<string, number>();
  private ids = new Map<number, string>();
  private used = new Set<number>();
  /** The newest chat message held. */
  private newest: { id: string; index: number } | undefined;

  constructor(
    private readonly api: GuestApi,
    private readonly pageSize: number,
    private readonly paged: boolean,
  ) {}

  reset(): void {
    this.members = new Map();
    this.joined = new Set();
    this.done = new Set();
    this.indexes = new Map();
    this.ids = new Map();
    this.used = new Set();
    this.ended = false;
    this.newest = undefined;
  }

  /** The message id behind an index this transport gave (history's `before`). */
  idOf(index: number): string | undefined {
    return this.ids.get(index);
  }

  private get memberId(): string {
    return this.api.session.memberId;
  }

  /** The member by id (GET with the jwt); `fresh` asks again (member-join / member-change). */
  private member(id: string, fresh = false): Promise<GuestMember | undefined> {
    let p = this.members.get(id);
    if (!p || fresh) {
      p = this.api.call('GET', this.api.conversation() + '/members/' + encodeURIComponent(id)).then(
        (m) => m as GuestMember,
        () => undefined,
      );
      this.members.set(id, p);
    }
    return p;
  }

  /** A stable, unique, increasing-with-time index for a message id. */
  private indexOf(id: string, time: unknown): number {
    let i = this.indexes.get(id);
    if (i === undefined) {
      const ms = Date.parse(String(time)) || Date.now();
      for (i = ms * 1000; this.used.has(i); i++);
      this.used.add(i);
      this.indexes.set(id, i);
      this.ids.set(i, id);
    }
    return i;
  }

  private raw(id: string, time: unknown, type: string, sender: string, m: GuestMember | undefined, wire: Options, text?: string): RawMessage {
    const role = m?.role ?? (sender === this.memberId ? 'CUSTOMER' : 'AGENT');
    return {
      ...wire,
      id,
      index: this.indexOf(id, time),
      type,
      text,
      utcTime: time as string,
      from: { participantId: sender, type: ROLE[role] ?? 'Agent', nickname: m?.displayName },
    };
  }

  private join(id: string, time: unknown, sender: string, m: GuestMember | undefined, wire: Options): RawMessage[] {
    if (this.joined.has(sender)) return [];
    this.joined.add(sender);
    return [this.raw(id, time, 'ParticipantJoined', sender, m, wire)];
  }

  private leave(id: string, time: unknown, sender: string, m: GuestMember | undefined, wire: Options): RawMessage[] {
    if (sender === this.memberId) this.ended = true;
    if (!this.joined.delete(sender)) return [];
    return [this.raw(id, time, 'ParticipantLeft', sender, m, wire)];
  }

  /** One chat message (from the stream or the history) -> what WebChatService shows. */
  async fromMessage(e: Options, live = false): Promise<RawMessage[]> {
    const id = String(e.id ?? '');
    if (!id || this.done.has(id)) return [];
    this.done.add(id);
    const at = this.indexOf(id, e.timestamp);
    if (!this.newest || at > this.newest.index) this.newest = { id, index: at };
    const sender = String(e.sender?.id ?? '');
    // A notice carrying a v3-style event (Parley's opt-in InteractionStateChange): a System message for page code (seed 000).
    if (typeof e.event === 'string') return [{ ...e, id, index: at, type: 'System', event: e.event, data: e.data ?? {}, utcTime: e.timestamp, from: { participantId: sender, type: 'System' } }];
    switch (e.bodyType) {
      case 'member-join': {
        const m = await this.member(sender, true);
        // an agent still ALERTING joins when its member-change says CONNECTED
        if (live && m?.state && m.state !== 'CONNECTED' && m.role !== 'CUSTOMER') return [];
        return this.join(id, e.timestamp, sender, m, e);
      }
      case 'member-leave':
        return this.leave(id, e.timestamp, sender, await this.member(sender), e);
      case 'standard':
      case 'notice':
        return [this.raw(id, e.timestamp, 'Message', sender, await this.member(sender), e, e.body)];
      default:
        return [];
    }
  }

  /** One event stream frame -> what WebChatService shows. */
  async fromFrame(f: Options): Promise<RawMessage[]> {
    const type = f.metadata?.type;
    const b: Options = f.eventBody ?? {};
    if (f.topicName === 'channel.metadata' || (b.conversation?.id && b.conversation.id !== this.api.session.conversationId)) return [];
    if (type === 'message') return this.fromMessage(b, true);
    if (type === 'member-change' && b.member?.id) {
      const id = String(b.member.id);
      const m = await this.member(id, true);
      const state = b.member.state ?? m?.state;
      // the server's own time of the change (the member's joinDate/leaveDate) orders it among the messages
      const time = b.timestamp ?? (state === 'DISCONNECTED' ? m?.leaveDate : m?.joinDate) ?? new Date().toISOString();
      const key = `member-change:${id}:${state}:${time}`;
      const wire = { ...b, metadata: f.metadata };
      const customer = id === this.memberId || m?.role === 'CUSTOMER';
      if (state === 'CONNECTED' && !customer) return this.join(key, time, id, m, wire);
      if (state === 'DISCONNECTED') return this.leave(key, time, id, m, wire);
      return [];
    }
    if (type === 'typing-indicator') {
      const sender = String(b.sender?.id ?? '');
      if (!sender || sender === this.memberId) return [];
      const time = b.timestamp ?? new Date().toISOString();
      return [this.raw(`typing:${sender}:${time}:${b.id ?? ''}`, time, 'TypingStarted', sender, await this.member(sender), b)];
    }
    return [];
  }

  /** Newest-first pages of the REST history, read back until `count` (or all) or the message `before`. */
  async readHistory(count: number, before?: string, stopAtKnown = false): Promise<RawMessage[]> {
    const all: Options[] = [];
    const size = this.paged ? this.pageSize : 100;
    let cursor = before;
    for (;;) {
      const q = new URLSearchParams({ maxResults: String(size), sortOrder: 'descending' });
      if (cursor) q.set('before', cursor);
      const page = await this.api.call('GET', this.api.conversation() + '/messages?' + q);
      const list: Options[] = (Array.isArray(page.entities) ? page.entities : []).slice();
      list.sort((a, b) => (Date.parse(b.timestamp) || 0) - (Date.parse(a.timestamp) || 0));
      all.push(...list);
      const oldest = list[list.length - 1]?.id;
      if (!list.length || !oldest || oldest === cursor || all.length >= count || (!page.next && list.length < size)) break;
      if (stopAtKnown && list.some((m) => this.done.has(String(m.id)))) break;
      cursor = String(oldest);
    }
    const out: RawMessage[] = [];
    // oldest first, so joins come before leaves and indexes follow time
    for (const e of all.reverse()) out.push(...(await this.fromMessage(e)));
    return out;
  }

  /** After the stream (re)opened: what was said meanwhile, read after the newest message held. */
  async catchUp(): Promise<RawMessage[]> {
    if (!this.newest) return this.readHistory(this.pageSize, undefined, true);
    const out: RawMessage[] = [];
    for (let after = this.newest.id, n = 0; n < 10; n++) {
      const q = new URLSearchParams({ after, maxResults: '100', sortOrder: 'ascending' });
      const list: Options[] = (await this.api.call('GET', this.api.conversation() + '/messages?' + q)).entities ?? [];
      list.sort((a, b) => (Date.parse(a.timestamp) || 0) - (Date.parse(b.timestamp) || 0));
      for (const e of list) out.push(...(await this.fromMessage(e)));
      if (list.length < 100) break;
      after = String(list[list.length - 1].id);
    }
    return out;
  }
}
