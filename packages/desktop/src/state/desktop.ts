import { DEFAULT_PREFERENCES, loadPreferences, savePreferences, type Preferences } from './preferences.js';
import { ApiClient, ApiError, isServerFault } from '../api/client.js';
import { backoffDelay } from '../realtime/backoff.js';
import type {
  AgentAccount,
  AgentInteraction,
  AgentMessage,
  AgentProfile,
  AgentServerFrame,
  AgentSummary,
  CannedResponse,
  ListedInteraction,
  Overview,
  Presence,
  QueueSummary,
  RichContent,
  SessionDetails,
  SessionSummary,
  WrapUpCode,
} from '@parley/protocol';
import { RealtimeConnection, type ConnectionStatus, type SocketLike } from '../realtime/connection.js';
import { SessionPoller } from '../realtime/poller.js';
import { currentBySession, customerNickname, newOffers, offersFor, workingOn } from './offers.js';
import { Transcript } from './transcript.js';

export const TOKEN_KEY = 'parley.desktop.token';

export type View = 'conversations' | 'supervisor' | 'history';

/** One open tab: a conversation this agent works on, or a session a supervisor monitors. */
export interface Conversation {
  sessionId: string;
  /** `monitor`: read-only with whisper and barge in (supervisors); `agent`: full composer. */
  mode: 'agent' | 'monitor';
  details: SessionDetails | null;
  transcript: Transcript;
  /** This agent's newest interaction in the session (null when it was transferred away or none). */
  interaction: AgentInteraction | null;
  draft: string;
  internal: boolean;
  sessionEnded: boolean;
  loaded: boolean;
  /** A supervisor barged in: in the chat without an interaction of their own. */
  barged?: boolean;
}

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

export interface Catalogs {
  cannedResponses: CannedResponse[] | null;
  wrapUpCodes: WrapUpCode[] | null;
  agents: AgentSummary[] | null;
  queues: QueueSummary[] | null;
}

export interface DesktopState {
  phase: 'boot' | 'login' | 'ready';
  loginError: string | null;
  account: AgentAccount | null;
  profile: AgentProfile | null;
  interactions: AgentInteraction[];
  waiting: ListedInteraction[];
  conversations: Conversation[];
  activeId: string | null;
  view: View;
  connection: ConnectionStatus;
  overview: Overview | null;
  history: SessionSummary[] | null;
  historyError: string | null;
  catalogs: Catalogs;
  notices: Notice[];
  /** The newest text for the polite live region (offers, customer messages). */
  announcement: { id: number; text: string };
  windowFocused: boolean;
  preferences: Preferences;
  /** Single sign-on offered by the server: the login page shows its button (null: not offered, or not known yet). */
  sso: { label: string } | null;
}

export interface Environment {
  api?: ApiClient;
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  wsUrl?: string;
  createSocket?: (url: string) => SocketLike;
  /** Alert sound for a new offer (and a message while the page is hidden), when the agent keeps sound on. */
  beep?: () => void;
  /** Where the agent's own settings are kept (localStorage in the browser). */
  preferenceStorage?: Pick<Storage, 'getItem' | 'setItem'>;
  /** A system notification (the browser's Notification API), raised only while the page is hidden. */
  systemNotify?: (n: { title: string; body: string; tag: string }) => void;
  /** True while the page is not visible (another tab, minimized). */
  pageHidden?: () => boolean;
}

const isStaffSupervisor = (a: AgentAccount | null) => a?.role === 'supervisor' || a?.role === 'admin';

/**
 * The desktop's state and every action on it. UI components read `state` and call methods;
 * `subscribe` tells them to re-render. Talks to the server through ApiClient and the realtime link,
 * falling back to polling while the link is down.
 */
export class Desktop {
  state: DesktopState = {
    phase: 'boot',
    loginError: null,
    account: null,
    profile: null,
    interactions: [],
    waiting: [],
    conversations: [],
    activeId: null,
    view: 'conversations',
    connection: 'idle',
    overview: null,
    history: null,
    historyError: null,
    catalogs: { cannedResponses: null, wrapUpCodes: null, agents: null, queues: null },
    notices: [],
    announcement: { id: 0, text: '' },
    windowFocused: true,
    preferences: DEFAULT_PREFERENCES,
    sso: null,
  };
  readonly api: ApiClient;
  private readonly listeners = new Set<() => void>();
  private connection: RealtimeConnection | null = null;
  private readonly poller: SessionPoller;
  private timers: ReturnType<typeof setInterval>[] = [];
  private noticeSeq = 0;
  private refreshTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private discoveryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Tabs the user closed, with our participant id then: discovery reopens one only when we joined anew. */
  private readonly dismissed = new Map<string, string | null>();
  private tick = 0;
  /** Counts socket snapshots of my interactions, so an older REST answer never overwrites a newer snapshot. */
  private snapshotSeq = 0;
  version = 0;

  constructor(private readonly env: Environment = {}) {
    this.api = env.api ?? new ApiClient();
    this.state = { ...this.state, preferences: loadPreferences(env.preferenceStorage ?? null) };
    this.api.onUnauthorized = () => this.expire();
    this.poller = new SessionPoller({
      read: (id, after, wait, signal) => this.api.messages(id, after, wait, signal),
      resumeIndex: (id) => this.conversation(id)?.transcript.lastIndex ?? null,
      onPage: (id, page) => this.receive(id, page.messages, { ended: page.sessionEnded }),
    });
  }

  // ---- store plumbing -------------------------------------------------------------------------
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  private changed(): void {
    this.version += 1;
    for (const fn of this.listeners) fn();
  }
  private set(patch: Partial<DesktopState>): void {
    this.state = { ...this.state, ...patch };
    this.changed();
  }

  conversation(sessionId: string): Conversation | undefined {
    return this.state.conversations.find((c) => c.sessionId === sessionId);
  }
  get active(): Conversation | undefined {
    return this.state.activeId ? this.conversation(this.state.activeId) : undefined;
  }
  get offers(): AgentInteraction[] {
    return this.state.account ? offersFor(this.state.interactions, this.state.account.id) : [];
  }
  get isSupervisor(): boolean {
    return isStaffSupervisor(this.state.account);
  }

  notify(kind: Notice['kind'], text: string): void {
    const n = { id: ++this.noticeSeq, kind, text };
    this.set({ notices: [...this.state.notices.slice(-3), n] });
    if (kind === 'info') setTimeout(() => this.dismiss(n.id), 6_000);
  }
  dismiss(id: number): void {
    this.set({ notices: this.state.notices.filter((n) => n.id !== id) });
  }
  setPreference<K extends keyof Preferences>(key: K, value: Preferences[K]): void {
    const preferences = { ...this.state.preferences, [key]: value };
    savePreferences(this.env.preferenceStorage ?? null, preferences);
    this.set({ preferences });
  }

  /** Sound and, while the page is hidden, a system notification, as the agent's settings say. */
  private alert(title: string, body: string, tag: string, soundAlways: boolean): void {
    const hidden = this.env.pageHidden?.() ?? false;
    if (this.state.preferences.sound && (soundAlways || hidden)) this.env.beep?.();
    if (this.state.preferences.notifications && hidden) this.env.systemNotify?.({ title, body, tag });
  }

  /** Unread messages over all conversations (the tab title shows it). */
  get unreadTotal(): number {
    return this.state.conversations.reduce((n, c) => n + c.transcript.unread, 0);
  }

  announce(text: string): void {
    this.set({ announcement: { id: this.state.announcement.id + 1, text } });
  }

  /** Runs an action; an API error becomes a visible notice (401 already logs out). */
  private async attempt<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ApiError && err.httpStatus === 401) return undefined;
      const msg = err instanceof ApiError ? (err.missing ? 'this server does not support it yet' : err.message) : (err as Error).message;
      this.notify('error', `${what} failed: ${msg}`);
      return undefined;
    }
  }

  // ---- login / logout -------------------------------------------------------------------------
  /**
   * The page's URL fragment after a single sign-on: `#sso-token=…` (kept like a password login's
   * token, for `boot` to resume with) or `#sso-error=…` (shown on the login form). Returns whether
   * the fragment was one, so the page can remove it from the address bar and history.
   */
  acceptSsoReturn(fragment: string): boolean {
    const params = new URLSearchParams(fragment.replace(/^#/, ''));
    const token = params.get('sso-token');
    const error = params.get('sso-error');
    if (token) this.env.storage?.setItem(TOKEN_KEY, token);
    else if (error) this.state = { ...this.state, loginError: `Single sign-on failed: ${error}` };
    return Boolean(token || error);
  }

  /** Asks the server whether to offer single sign-on on the login form. */
  private async loadSso(): Promise<void> {
    try {
      const info = await this.api.ssoInfo();
      this.set({ sso: info.enabled ? { label: info.label ?? 'Sign in with SSO' } : null });
    } catch {
      // An older server, or none: the password form alone.
    }
  }

  /** On page load: resume with the token kept in sessionStorage, else show the login form. */
  async boot(): Promise<void> {
    void this.loadSso();
    const token = this.env.storage?.getItem(TOKEN_KEY) ?? null;
    if (!token) {
      this.set({ phase: 'login' });
      return;
    }
    this.api.setToken(token);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.enter();
        return;
      } catch (err) {
        // The server cannot answer now: keep the session and try again, never sign out for that.
        if (isServerFault(err) && this.env.storage?.getItem(TOKEN_KEY) === token) {
          this.stopLive();
          this.set({ loginError: 'The server is not answering; reconnecting…' });
          await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt)));
          continue;
        }
        this.teardown();
        const expired = err instanceof ApiError && err.httpStatus === 401;
        this.set({ phase: 'login', loginError: expired ? 'Your session expired. Please log in again.' : `Could not resume: ${(err as Error).message}` });
        return;
      }
    }
  }

  async login(username: string, password: string): Promise<boolean> {
    try {
      const res = await this.api.login(username, password);
      this.api.setToken(res.token);
      this.env.storage?.setItem(TOKEN_KEY, res.token);
      this.state = { ...this.state, account: res.account, loginError: null };
      await this.enter();
      return true;
    } catch (err) {
      const msg = err instanceof ApiError && err.httpStatus === 401 ? 'Wrong username or password.' : (err as Error).message;
      this.set({ loginError: msg, phase: 'login' });
      return false;
    }
  }

  private async enter(): Promise<void> {
    const me = await this.api.me();
    this.set({ account: me.account, profile: me.profile ?? null, phase: 'ready', loginError: null, view: 'conversations' });
    await this.refreshInteractions();
    void this.refreshWaiting();
    this.startRealtime();
    this.timers.push(
      setInterval(() => {
        this.tick += 1;
        if (this.state.connection !== 'ready') {
          void this.refreshInteractions();
          if (this.tick % 3 === 0) void this.discoverConferences();
        }
        void this.refreshWaiting();
        if (this.isSupervisor && this.state.view === 'supervisor' && this.state.connection !== 'ready') void this.refreshOverview();
      }, 3_000),
    );
    if (this.isSupervisor) void this.refreshOverview();
    void this.discoverConferences();
  }

  logout(): void {
    // The server forgets the token even if this page is never used again; a failure changes nothing here.
    if (this.api.getToken()) void this.api.logout().catch(() => undefined);
    this.teardown();
    this.set({ phase: 'login', loginError: null });
  }

  /** The token expired (a 401 on any request, or the socket closed with 4401). */
  expire(): void {
    if (this.state.phase !== 'ready') return;
    this.teardown();
    this.set({ phase: 'login', loginError: 'Your session expired. Please log in again.' });
  }

  private teardown(): void {
    this.env.storage?.removeItem(TOKEN_KEY);
    this.api.setToken(null);
    this.stopLive();
  }

  /** Stops what `enter` started (socket, polls, timers); the session and its token stay. */
  private stopLive(): void {
    this.connection?.stop();
    this.connection = null;
    this.poller.stopAll();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.discoveryTimer) clearTimeout(this.discoveryTimer);
    this.discoveryTimer = null;
    this.dismissed.clear();
    for (const t of this.refreshTimers.values()) clearTimeout(t);
    this.refreshTimers.clear();
    this.state = {
      ...this.state,
      account: null,
      profile: null,
      interactions: [],
      waiting: [],
      conversations: [],
      activeId: null,
      overview: null,
      history: null,
      catalogs: { cannedResponses: null, wrapUpCodes: null, agents: null, queues: null },
      notices: [],
      connection: 'idle',
    };
  }

  // ---- realtime -------------------------------------------------------------------------------
  private startRealtime(): void {
    const createSocket = this.env.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    const url = this.env.wsUrl ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/agent/v1/events`;
    this.connection = new RealtimeConnection({
      url,
      token: () => this.api.getToken(),
      createSocket,
      resumeIndex: (id) => this.conversation(id)?.transcript.lastIndex ?? null,
      onFrame: (f) => this.onFrame(f),
      onStatus: (s) => this.onConnectionStatus(s),
      onUnauthorized: () => this.expire(),
    });
    for (const c of this.state.conversations) if (c.loaded) this.connection.subscribe(c.sessionId);
    this.connection.start();
  }

  /** The browser is back online: try the socket again now. */
  online(): void {
    this.connection?.reconnectNow();
  }

  private onConnectionStatus(status: ConnectionStatus): void {
    this.set({ connection: status });
    if (status === 'ready') {
      this.poller.stopAll();
      void this.refreshInteractions();
      if (this.isSupervisor) void this.refreshOverview();
    } else if (status === 'reconnecting') {
      for (const c of this.state.conversations) if (c.loaded && !c.sessionEnded) this.poller.start(c.sessionId);
    }
  }

  private onFrame(frame: AgentServerFrame): void {
    switch (frame.type) {
      case 'message':
        if (frame.message) this.receive(frame.sessionId, [frame.message]);
        break;
      case 'interactions':
        if (Array.isArray(frame.interactions)) {
          this.snapshotSeq += 1;
          this.applyInteractions(frame.interactions);
        }
        this.scheduleDiscovery();
        break;
      case 'profile':
        if (frame.profile) this.set({ profile: frame.profile });
        break;
      case 'overview':
        if (frame.overview) this.set({ overview: frame.overview });
        break;
      case 'ready':
        if (frame.account) this.set({ account: { ...this.state.account, ...frame.account } });
        break;
      default:
        break;
    }
  }

  // ---- interactions and offers ----------------------------------------------------------------
  async refreshInteractions(): Promise<void> {
    const seq = this.snapshotSeq;
    try {
      const { interactions } = await this.api.myInteractions();
      // A socket snapshot that arrived meanwhile is newer than this answer: keep it.
      if (seq !== this.snapshotSeq) return;
      this.applyInteractions(interactions);
    } catch {
      /* shown by the connection status; the next tick retries */
    }
  }

  async refreshWaiting(): Promise<void> {
    try {
      const { interactions } = await this.api.interactionsIn(['Queued']);
      this.set({ waiting: interactions });
    } catch {
      /* next tick */
    }
  }

  /** A full snapshot of my interactions: alerts new offers, opens tabs for new work, updates tabs. */
  applyInteractions(list: AgentInteraction[]): void {
    const me = this.state.account?.id;
    if (!me) return;
    const fresh = newOffers(this.state.interactions, list, me);
    const latest = currentBySession(list);
    let conversations = this.state.conversations;
    const toOpen: string[] = [];
    for (const i of workingOn(list, me)) if (!conversations.some((c) => c.sessionId === i.sessionId)) toOpen.push(i.sessionId);
    conversations = conversations.map((c) => {
      // The socket's snapshot holds only open interactions (Offered, Handling, Finalizing): keep a completed one.
      const mine = latest.get(c.sessionId) ?? (c.interaction?.state === 'Completed' ? c.interaction : null);
      if (!mine && c.interaction) this.scheduleDetailsRefresh(c.sessionId);
      if (mine === c.interaction || (mine && c.interaction && mine.id === c.interaction.id && mine.state === c.interaction.state && mine.updatedAt === c.interaction.updatedAt)) return c;
      if (mine && (mine.state === 'Handling' || mine.state === 'Finalizing') && c.mode === 'monitor') return { ...c, interaction: mine, mode: 'agent' as const };
      return { ...c, interaction: mine };
    });
    this.state = { ...this.state, interactions: list, conversations };
    this.changed();
    for (const o of fresh) {
      const nickname = customerNickname(o);
      this.alert('New chat offer', `${nickname ?? 'A customer'} in queue ${o.queue}`, `offer-${o.id}`, true);
      this.announce(`New chat offer${nickname ? ` from ${nickname}` : ''} in queue ${o.queue}. Press Alt+A to accept.`);
    }
    for (const id of toOpen) void this.open(id, 'agent', !this.state.activeId);
  }

  async accept(interactionId: string): Promise<void> {
    const known = [...this.state.interactions, ...this.state.waiting].find((i) => i.id === interactionId);
    const res = await this.attempt('Accept', () => this.api.accept(interactionId));
    if (!res) return;
    const sessionId = res.interaction?.sessionId ?? known?.sessionId;
    this.set({ waiting: this.state.waiting.filter((i) => i.id !== interactionId) });
    if (sessionId) await this.open(sessionId, 'agent', true);
    await this.refreshInteractions();
  }

  async reject(interactionId: string): Promise<void> {
    const res = await this.attempt('Reject', () => this.api.reject(interactionId));
    if (res) {
      this.set({ interactions: this.state.interactions.filter((i) => i.id !== interactionId) });
      await this.refreshInteractions();
    }
  }

  async setPresence(presence: Presence, reason?: string): Promise<void> {
    const res = await this.attempt('Changing presence', () => this.api.setPresence(presence, reason));
    if (res) this.set({ profile: res.profile });
  }

  // ---- conversations --------------------------------------------------------------------------
  /** Opens (or focuses) a tab for a session, loads its details and history, and follows it live. */
  async open(sessionId: string, mode: Conversation['mode'], activate: boolean): Promise<void> {
    this.dismissed.delete(sessionId);
    const existing = this.conversation(sessionId);
    if (existing) {
      if (mode === 'agent' && existing.mode === 'monitor') this.patchConversation(sessionId, { mode });
      if (activate) this.activate(sessionId);
      return;
    }
    const me = this.state.account?.id ?? '';
    const c: Conversation = {
      sessionId,
      mode,
      details: null,
      transcript: new Transcript(),
      interaction: currentBySession(this.state.interactions).get(sessionId) ?? null,
      draft: '',
      internal: false,
      sessionEnded: false,
      loaded: false,
    };
    this.state = { ...this.state, conversations: [...this.state.conversations, c], view: activate ? 'conversations' : this.state.view };
    if (activate) this.activate(sessionId);
    else this.changed();
    try {
      const details = await this.api.session(sessionId);
      c.transcript.setParticipants(details.participants, me);
      this.patchConversation(sessionId, { details, sessionEnded: details.session.state === 'Ended', interaction: mineIn(details, me, c.interaction) });
      let after: string | null = null;
      for (let guard = 0; guard < 50; guard++) {
        const page = await this.api.messages(sessionId, after);
        c.transcript.merge(page.messages, { initial: true });
        if (page.sessionEnded) c.sessionEnded = true;
        if (page.messages.length < 200 || !page.lastIndex || page.lastIndex === after) break;
        after = page.lastIndex;
      }
      this.patchConversation(sessionId, { loaded: true });
    } catch (err) {
      if (err instanceof ApiError && err.httpStatus === 401) return;
      this.notify('error', `Opening the conversation failed: ${(err as Error).message}`);
      this.patchConversation(sessionId, { loaded: true });
    }
    if (!this.conversation(sessionId)) return;
    this.connection?.subscribe(sessionId);
    if (this.state.connection !== 'ready' && !c.sessionEnded) this.poller.start(sessionId);
  }

  activate(sessionId: string | null): void {
    for (const c of this.state.conversations) c.transcript.setViewing(c.sessionId === sessionId && this.state.windowFocused);
    this.set({ activeId: sessionId, view: sessionId ? 'conversations' : this.state.view });
  }

  setView(view: View): void {
    this.set({ view });
    for (const c of this.state.conversations) c.transcript.setViewing(view === 'conversations' && this.state.windowFocused && c.sessionId === this.state.activeId);
    if (view === 'supervisor') void this.refreshOverview();
    if (view === 'history') void this.refreshHistory();
  }

  setWindowFocused(focused: boolean): void {
    this.state = { ...this.state, windowFocused: focused };
    for (const c of this.state.conversations) c.transcript.setViewing(focused && c.sessionId === this.state.activeId && this.state.view === 'conversations');
    this.changed();
  }

  close(sessionId: string): void {
    const me = this.state.account?.id;
    const closing = this.conversation(sessionId);
    this.dismissed.set(sessionId, closing?.details?.participants.find((p) => p.accountId === me && p.state === 'Connected')?.id ?? null);
    this.connection?.unsubscribe(sessionId);
    this.poller.stop(sessionId);
    const list = this.state.conversations.filter((c) => c.sessionId !== sessionId);
    const idx = this.state.conversations.findIndex((c) => c.sessionId === sessionId);
    const next = this.state.activeId === sessionId ? (list[Math.min(idx, list.length - 1)]?.sessionId ?? null) : this.state.activeId;
    this.state = { ...this.state, conversations: list };
    this.activate(next);
  }

  private patchConversation(sessionId: string, patch: Partial<Conversation>): void {
    const c = this.conversation(sessionId);
    if (!c) return;
    Object.assign(c, patch);
    this.state = { ...this.state, conversations: [...this.state.conversations] };
    this.changed();
  }

  /** New messages for a session, from the socket, a poll or our own send. */
  receive(sessionId: string, messages: AgentMessage[], opts: { ended?: boolean } = {}): void {
    const c = this.conversation(sessionId);
    if (!c) return;
    c.transcript.setViewing(this.state.windowFocused && this.state.view === 'conversations' && this.state.activeId === sessionId);
    const { added } = c.transcript.merge(messages);
    if (opts.ended) c.sessionEnded = true;
    if (!added.length && !opts.ended) return;
    let refresh = false;
    for (const m of added) {
      if (m.type === 'ParticipantJoined' || m.type === 'ParticipantLeft' || m.type === 'System') refresh = true;
      if (m.type === 'ParticipantLeft' && m.from.type === 'Customer') c.sessionEnded = c.sessionEnded || !c.details?.session.async;
      if (m.from.type === 'Customer' && (m.type === 'Text' || m.type === 'File')) {
        const who = m.from.nickname || 'Customer';
        const what = m.type === 'File' ? 'sent a file' : (m.text ?? '').slice(0, 140);
        this.announce(`${who}: ${what}`);
        this.alert(`Message from ${who}`, what, `session-${sessionId}`, false);
      }
    }
    this.state = { ...this.state, conversations: [...this.state.conversations] };
    this.changed();
    if (refresh) this.scheduleDetailsRefresh(sessionId);
  }

  private scheduleDetailsRefresh(sessionId: string): void {
    if (this.refreshTimers.has(sessionId)) return;
    this.refreshTimers.set(
      sessionId,
      setTimeout(async () => {
        this.refreshTimers.delete(sessionId);
        try {
          const details = await this.api.session(sessionId);
          const c = this.conversation(sessionId);
          if (!c) return;
          const me = this.state.account?.id ?? '';
          c.transcript.setParticipants(details.participants, me);
          this.patchConversation(sessionId, { details, sessionEnded: c.sessionEnded || details.session.state === 'Ended', interaction: mineIn(details, me, c.interaction) });
        } catch {
          /* keep what we have */
        }
        if (this.state.connection !== 'ready') void this.refreshInteractions();
      }, 250),
    );
  }

  setDraft(sessionId: string, draft: string): void {
    const c = this.conversation(sessionId);
    if (c) c.draft = draft;
  }
  setInternal(sessionId: string, internal: boolean): void {
    this.patchConversation(sessionId, { internal });
  }

  /** Sends a Text; `rich` (e.g. quick replies, docs/rich-messages.md) goes with it to the customer. */
  async sendText(sessionId: string, text: string, internal: boolean, rich?: RichContent): Promise<boolean> {
    const res = await this.attempt('Sending', () => this.api.send(sessionId, { type: 'Text', text, visibility: internal ? 'Int' : 'All', ...(rich ? { rich } : {}), operationId: opId() }));
    if (res?.message) this.receive(sessionId, [res.message]);
    return !!res;
  }

  async sendFile(sessionId: string, file: Blob, name: string): Promise<boolean> {
    const res = await this.attempt('Sending the file', () => this.api.sendFile(sessionId, file, name, opId()));
    if (res?.message) this.receive(sessionId, [res.message]);
    return !!res;
  }

  async pushUrl(sessionId: string, url: string): Promise<boolean> {
    const res = await this.attempt('Pushing the URL', () => this.api.send(sessionId, { type: 'PushUrl', url, text: url, visibility: 'All', operationId: opId() }));
    if (res?.message) this.receive(sessionId, [res.message]);
    return !!res;
  }

  typing(sessionId: string, type: 'TypingStarted' | 'TypingStopped'): void {
    this.api.send(sessionId, { type, visibility: 'All' }).catch(() => {});
  }

  async done(interactionId: string): Promise<void> {
    const res = await this.attempt('Marking done', () => this.api.done(interactionId));
    if (res) {
      this.updateInteraction(res.interaction);
      await this.refreshInteractions();
    }
  }

  async complete(interactionId: string, wrapUpCode?: string): Promise<void> {
    const res = await this.attempt('Completing', () => this.api.complete(interactionId, wrapUpCode));
    if (res) {
      this.updateInteraction(res.interaction);
      this.notify('info', 'Interaction completed.');
      await this.refreshInteractions();
    }
  }

  async transfer(interactionId: string, target: { queue: string } | { agentId: string }, label: string): Promise<boolean> {
    const conv = this.state.conversations.find((c) => c.interaction?.id === interactionId);
    const res = await this.attempt('Transfer', () => this.api.transfer(interactionId, target));
    if (!res) return false;
    this.notify('info', `Transferred to ${label}.`);
    if (conv) this.close(conv.sessionId);
    await this.refreshInteractions();
    return true;
  }

  async conference(sessionId: string, agentId: string, label: string): Promise<boolean> {
    const res = await this.attempt('Conference', () => this.api.conference(sessionId, agentId));
    if (res) this.notify('info', `${label} was invited to the conversation.`);
    return !!res;
  }

  async leave(sessionId: string): Promise<void> {
    const res = await this.attempt('Leaving', () => this.api.leave(sessionId));
    if (res) this.close(sessionId);
  }

  async followUp(sessionId: string): Promise<void> {
    const res = await this.attempt('Follow-up', () => this.api.followUp(sessionId));
    if (!res) return;
    if (res.interaction) this.updateInteraction(res.interaction);
    if (this.conversation(sessionId)) this.patchConversation(sessionId, { mode: 'agent' });
    await this.open(sessionId, 'agent', true);
    await this.refreshInteractions();
  }

  private updateInteraction(i: AgentInteraction | undefined): void {
    if (!i) return;
    const list = this.state.interactions.some((x) => x.id === i.id) ? this.state.interactions.map((x) => (x.id === i.id ? i : x)) : [...this.state.interactions, i];
    this.applyInteractions(list);
  }

  /**
   * A conference adds this agent to a session without an interaction of theirs: find active
   * sessions where we are a connected participant and no tab is open (GET /sessions?mine=true).
   */
  private scheduleDiscovery(): void {
    if (this.discoveryTimer) return;
    this.discoveryTimer = setTimeout(() => {
      this.discoveryTimer = null;
      void this.discoverConferences();
    }, 300);
  }

  async discoverConferences(): Promise<void> {
    const me = this.state.account?.id;
    if (!me) return;
    let sessions: SessionSummary[];
    try {
      sessions = (await this.api.mySessions()).sessions ?? [];
    } catch {
      return;
    }
    for (const s of sessions) {
      if (s.state !== 'Active' || this.conversation(s.id)) continue;
      try {
        const d = await this.api.session(s.id);
        const p = d.participants.find((x) => x.accountId === me && x.state === 'Connected');
        if (!p || this.conversation(s.id)) continue;
        if (this.dismissed.has(s.id) && this.dismissed.get(s.id) === p.id) continue;
        const who = d.participants.find((x) => x.type === 'Customer')?.nickname || 'a customer';
        this.announce(`You were added to the conversation with ${who}.`);
        this.notify('info', `You were added to the conversation with ${who}.`);
        await this.open(s.id, 'agent', !this.state.activeId);
      } catch {
        /* next time */
      }
    }
  }

  // ---- catalogs -------------------------------------------------------------------------------
  async loadCatalog<K extends keyof Catalogs>(key: K, force = false): Promise<void> {
    if (this.state.catalogs[key] && !force) return;
    try {
      let value: Catalogs[K];
      if (key === 'cannedResponses') value = (await this.api.cannedResponses()).cannedResponses as Catalogs[K];
      else if (key === 'wrapUpCodes') value = (await this.api.wrapUpCodes()).wrapUpCodes as Catalogs[K];
      else if (key === 'agents') value = (await this.api.agents()).agents as Catalogs[K];
      else value = (await this.api.queues()).queues as Catalogs[K];
      this.set({ catalogs: { ...this.state.catalogs, [key]: value ?? [] } });
    } catch {
      this.set({ catalogs: { ...this.state.catalogs, [key]: [] } });
    }
  }

  async refreshHistory(): Promise<void> {
    try {
      const { sessions } = await this.api.mySessions();
      this.set({ history: sessions, historyError: null });
    } catch (err) {
      // The list shown stays as it was (or "Loading…"): sessions pieced together from interactions would hide the failure.
      this.set({ historyError: `History could not be loaded: ${(err as Error).message}` });
    }
  }

  // ---- supervisor -----------------------------------------------------------------------------
  async refreshOverview(): Promise<void> {
    if (!this.isSupervisor) return;
    try {
      this.set({ overview: await this.api.overview() });
    } catch {
      /* shown as "not available" */
    }
  }

  async monitor(sessionId: string): Promise<void> {
    if (!this.conversation(sessionId) && !(await this.attempt('Monitor', () => this.api.monitor(sessionId)))) return;
    await this.open(sessionId, this.conversation(sessionId)?.mode ?? 'monitor', true);
  }

  async whisper(sessionId: string, text: string): Promise<boolean> {
    const res = await this.attempt('Whisper', () => this.api.whisper(sessionId, text));
    if (res) this.receive(sessionId, [res.message]);
    return !!res;
  }

  async barge(sessionId: string): Promise<void> {
    const res = await this.attempt('Barge in', () => this.api.barge(sessionId));
    if (!res) return;
    this.patchConversation(sessionId, { mode: 'agent', barged: true });
    this.scheduleDetailsRefresh(sessionId);
  }

  async setAgentPresence(agentId: string, presence: Presence, reason?: string): Promise<void> {
    const res = await this.attempt('Changing the agent presence', () => this.api.setAgentPresence(agentId, presence, reason));
    if (res) await this.refreshOverview();
  }
}

/** My newest interaction in a session: the one held if it is newer or the same, else the session's. */
function mineIn(details: SessionDetails, me: string, held: AgentInteraction | null): AgentInteraction | null {
  const own = details.interactions.filter((i) => i.agentAccountId === me);
  const latest = currentBySession(own).get(details.session.id) ?? null;
  if (!latest) return held && held.state === 'Completed' ? held : null;
  if (held && held.id === latest.id && held.updatedAt >= latest.updatedAt) return held;
  return latest;
}

let opSeq = 0;
function opId(): string {
  const rnd = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
  return `desk-${rnd}-${++opSeq}`;
}
