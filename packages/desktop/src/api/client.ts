import type {
  AgentAccount,
  AgentInteraction,
  AgentMessage,
  AgentProfile,
  AgentSendType,
  AgentSummary,
  AgentSurvey,
  CannedResponse,
  ContactNote,
  ContactView,
  DayReport,
  InteractionState,
  ListedInteraction,
  LoginResult,
  SsoInfo,
  MessagesPage,
  Overview,
  Presence,
  QueueSummary,
  SearchPage,
  RichContent,
  SessionDetails,
  SessionSummary,
  SurveyReport,
  Visibility,
  WrapUpCode,
} from '@parley/protocol';

export interface SearchQuery {
  q?: string;
  /** ISO times: the conversation started at or after `from`, before `to`. */
  from?: string;
  to?: string;
  queue?: string;
  agentId?: string;
  wrapUpCode?: string;
  customer?: string;
  page?: number;
  pageSize?: number;
}

/** An error answer of the API: `{status: {code, message}}` and the HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  /** The endpoint is not there (yet): 404 on a route, or 405. */
  get missing(): boolean {
    return (this.httpStatus === 404 && /route/i.test(this.message)) || this.httpStatus === 405;
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  base?: string;
  fetch?: FetchLike;
  /** Called when an authenticated request answers 401: the token has expired or was revoked. */
  onUnauthorized?: () => void;
  /**
   * Waits before sending a request again that met no answer or a 502/503/504 (the server's fault,
   * not the request's). Only reads and writes that carry an operationId are sent again: the server
   * applies those once however often they arrive. Default 0.5, 1, 2, 4 s.
   */
  retryDelaysMs?: number[];
}

/** A server-side or network fault: worth trying again, never a reason to sign out. */
export function isServerFault(err: unknown): boolean {
  return err instanceof ApiError && (err.httpStatus === 0 || err.httpStatus === 502 || err.httpStatus === 503 || err.httpStatus === 504);
}

/** The agent REST API (/agent/v1). Holds the bearer token; one method per endpoint. */
export class ApiClient {
  private token: string | null = null;
  private readonly base: string;
  private readonly fetchFn: FetchLike;
  onUnauthorized: () => void;
  private readonly retryDelaysMs: number[];

  constructor(opts: ApiClientOptions = {}) {
    this.base = opts.base ?? '/agent/v1';
    this.retryDelaysMs = opts.retryDelaysMs ?? [500, 1_000, 2_000, 4_000];
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
    this.onUnauthorized = opts.onUnauthorized ?? (() => {});
  }

  setToken(token: string | null): void {
    this.token = token;
  }
  getToken(): string | null {
    return this.token;
  }

  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const repeatable = method === 'GET' || (isForm(body) ? body.has('operationId') : typeof body === 'object' && body !== null && typeof (body as { operationId?: unknown }).operationId === 'string');
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, path, body, signal);
      } catch (err) {
        const delay = this.retryDelaysMs[attempt];
        if (!repeatable || delay === undefined || !isServerFault(err) || signal?.aborted) throw err;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async once<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    // A form (an upload) sets its own multipart content type with the boundary.
    if (body !== undefined && !isForm(body)) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await this.fetchFn(this.base + path, { method, headers, body: body === undefined ? undefined : isForm(body) ? body : JSON.stringify(body), signal });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, 'NETWORK', 'The server cannot be reached. Check your connection.');
    }
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok) {
      const status = json?.status ?? {};
      const err = new ApiError(res.status, String(status.code ?? json?.code ?? res.status), String(status.message ?? json?.message ?? res.statusText ?? 'request failed'));
      if (res.status === 401 && this.token && path !== '/login') this.onUnauthorized();
      throw err;
    }
    return json as T;
  }

  login(username: string, password: string): Promise<LoginResult> {
    return this.request('POST', '/login', { username, password });
  }
  /** Whether the login page offers single sign-on (`GET /agent/v1/sso`). */
  ssoInfo(): Promise<SsoInfo> {
    return this.request('GET', '/sso');
  }
  /** Ends every token of the account on the server (all its devices). */
  logout(): Promise<{ loggedOut: boolean }> {
    return this.request('POST', '/logout', {});
  }
  me(): Promise<{ account: AgentAccount; profile?: AgentProfile }> {
    return this.request('GET', '/me');
  }
  setPresence(presence: Presence, reason?: string): Promise<{ profile: AgentProfile }> {
    return this.request('PUT', '/me/presence', reason ? { presence, reason } : { presence });
  }

  myInteractions(): Promise<{ interactions: ListedInteraction[] }> {
    return this.request('GET', '/interactions?mine=true');
  }
  interactionsIn(states: InteractionState[]): Promise<{ interactions: ListedInteraction[] }> {
    return this.request('GET', `/interactions?state=${states.join(',')}`);
  }
  accept(id: string): Promise<{ interaction: AgentInteraction }> {
    return this.request('POST', `/interactions/${enc(id)}/accept`, {});
  }
  reject(id: string): Promise<{ interaction: AgentInteraction }> {
    return this.request('POST', `/interactions/${enc(id)}/reject`, {});
  }
  done(id: string): Promise<{ interaction: AgentInteraction }> {
    return this.request('POST', `/interactions/${enc(id)}/done`, {});
  }
  complete(id: string, wrapUpCode?: string): Promise<{ interaction: AgentInteraction }> {
    return this.request('POST', `/interactions/${enc(id)}/complete`, wrapUpCode ? { wrapUpCode } : {});
  }
  transfer(id: string, target: { queue: string } | { agentId: string }): Promise<{ interaction: AgentInteraction }> {
    return this.request('POST', `/interactions/${enc(id)}/transfer`, target);
  }

  session(id: string): Promise<SessionDetails> {
    return this.request('GET', `/sessions/${enc(id)}`);
  }
  mySessions(): Promise<{ sessions: SessionSummary[] }> {
    return this.request('GET', '/sessions?mine=true');
  }
  messages(id: string, after?: string | null, waitMs?: number, signal?: AbortSignal): Promise<MessagesPage> {
    const q = new URLSearchParams();
    if (after) q.set('after', after);
    if (waitMs) q.set('wait', String(waitMs));
    const qs = q.toString();
    return this.request('GET', `/sessions/${enc(id)}/messages${qs ? `?${qs}` : ''}`, undefined, signal);
  }
  send(id: string, msg: { type: AgentSendType; text?: string; url?: string; visibility?: Visibility; rich?: RichContent; operationId?: string }): Promise<{ message: AgentMessage }> {
    return this.request('POST', `/sessions/${enc(id)}/messages`, msg);
  }
  /** Sends a file or image into the session (the server checks its type, size and content). */
  sendFile(id: string, file: Blob, name: string, operationId: string): Promise<{ message: AgentMessage }> {
    const form = new FormData();
    form.set('operationId', operationId);
    form.set('file', file, name);
    return this.request('POST', `/sessions/${enc(id)}/files`, form);
  }
  leave(id: string): Promise<{ left: true }> {
    return this.request('POST', `/sessions/${enc(id)}/leave`, {});
  }
  followUp(id: string): Promise<{ interaction: AgentInteraction }> {
    return this.request('POST', `/sessions/${enc(id)}/follow-up`, {});
  }
  conference(id: string, agentId: string): Promise<{ conferenced: true }> {
    return this.request('POST', `/sessions/${enc(id)}/conference`, { agentId });
  }
  monitor(id: string): Promise<{ monitoring: true }> {
    return this.request('POST', `/sessions/${enc(id)}/monitor`, {});
  }
  whisper(id: string, text: string): Promise<{ message: AgentMessage }> {
    return this.request('POST', `/sessions/${enc(id)}/whisper`, { text });
  }
  barge(id: string): Promise<{ joined: true }> {
    return this.request('POST', `/sessions/${enc(id)}/barge`, {});
  }

  /** Full-text search over the conversations this account may see; empty fields are left out. */
  search(query: SearchQuery): Promise<SearchPage> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
    return this.request('GET', `/search?${q}`);
  }

  /** The session's customer across conversations (null without a customer id or e-mail). */
  contact(sessionId: string): Promise<ContactView> {
    return this.request('GET', `/sessions/${enc(sessionId)}/contact`);
  }
  addContactNote(sessionId: string, text: string): Promise<{ note: ContactNote }> {
    return this.request('POST', `/sessions/${enc(sessionId)}/contact/notes`, { text });
  }

  /** Supervisors: figures of the interactions created in [from, to) (ISO times). */
  report(from: string, to: string): Promise<DayReport> {
    return this.request('GET', `/supervisor/report?${new URLSearchParams({ from, to })}`);
  }

  agents(): Promise<{ agents: AgentSummary[] }> {
    return this.request('GET', '/agents');
  }
  queues(): Promise<{ queues: QueueSummary[] }> {
    return this.request('GET', '/queues');
  }
  cannedResponses(): Promise<{ cannedResponses: CannedResponse[] }> {
    return this.request('GET', '/canned-responses');
  }
  wrapUpCodes(): Promise<{ wrapUpCodes: WrapUpCode[] }> {
    return this.request('GET', '/wrap-up-codes');
  }
  overview(): Promise<Overview> {
    return this.request('GET', '/supervisor/overview');
  }
  survey(sessionId: string): Promise<{ survey: AgentSurvey | null }> {
    return this.request('GET', `/sessions/${enc(sessionId)}/survey`);
  }
  surveyReport(from: string, to: string, groupBy: 'queue' | 'agent'): Promise<{ report: SurveyReport }> {
    return this.request('GET', `/supervisor/reports/surveys?${new URLSearchParams({ from, to, groupBy })}`);
  }
  setAgentPresence(agentId: string, presence: Presence, reason?: string): Promise<{ profile: AgentProfile }> {
    return this.request('PUT', `/agents/${enc(agentId)}/presence`, reason ? { presence, reason } : { presence });
  }
}

const enc = encodeURIComponent;
const isForm = (body: unknown): body is FormData => typeof FormData !== 'undefined' && body instanceof FormData;
