import { TransportError, type SessionData } from './transport.js';

/**
 * The guest chat v2 REST API (reference §3): JSON at `{dataURL}/api/v2/webchat/guest/conversations`,
 * `Authorization: Bearer <jwt>` after the create, each request bounded by a timeout. Errors are
 * TransportErrors (404: INVALID_SESSION).
 */
const TIMEOUT = 20_000;

type Options = Record<string, any>;

/** The create body of the Genesys client (reference §3): routing from transport.interactionData.routing. */
export function createBody(t: Options, info: { firstname?: string; lastname?: string; nickname?: string; email?: string; subject?: string; userData: Options }): Options {
  const r: Options = t.interactionData?.routing ?? {};
  const customFields: Options = { firstName: info.firstname, lastName: info.lastname, ...info.userData, email: info.email, subject: info.subject };
  for (const k in customFields) if (customFields[k] == null) delete customFields[k];
  return {
    deploymentId: t.deploymentKey,
    organizationId: t.orgGuid,
    routingTarget: { targetAddress: r.targetAddress, targetType: r.targetType ?? 'QUEUE', skills: r.skills, priority: r.priority, language: r.language },
    memberInfo: {
      displayName: [info.firstname, info.lastname].filter(Boolean).join(' ') || info.nickname || 'Guest',
      role: 'CUSTOMER',
      customFields,
    },
    ...(t.interactionData?.journeyContext ? { journeyContext: t.interactionData.journeyContext } : {}),
  };
}

export class GuestApi {
  /** {conversationId, memberId, jwt, eventStreamUri} of the current session. */
  session: SessionData = {};
  private readonly base: string;

  constructor(dataURL: unknown) {
    this.base = String(dataURL || '').replace(/\/+$/, '') + '/api/v2/webchat/guest/conversations';
  }

  /** `/{conversationId}` */
  conversation = (): string => '/' + encodeURIComponent(this.session.conversationId);
  /** `/{conversationId}/members/{memberId}`: the customer's own member. */
  me = (): string => this.conversation() + '/members/' + encodeURIComponent(this.session.memberId);

  async call(method: string, path: string, body?: unknown, auth = true): Promise<Options> {
    // Parley extension: interaction state changes on the stream (seed 000's page code needs them).
    const headers: Record<string, string> = { 'x-parley-extensions': 'interaction-state' };
    if (auth && this.session.jwt) headers.authorization = 'Bearer ' + this.session.jwt;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), TIMEOUT);
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: ctl.signal });
    } catch {
      const code = ctl.signal.aborted ? 'TIMEOUT' : 'NETWORK_ERROR';
      const message = ctl.signal.aborted ? 'The request timed out.' : 'The chat server could not be reached.';
      throw new TransportError(message, 0, code, { status: { code, message }, message, code });
    } finally {
      clearTimeout(timer);
    }
    const text = await res.text().catch(() => '');
    let json: Options = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { message: text };
    }
    if (!res.ok) {
      const code = res.status === 404 ? 'INVALID_SESSION' : String(json.code ?? 'HTTP_' + res.status);
      const message = String(json.message || res.statusText || 'Request failed');
      throw new TransportError(message, res.status, code, { ...json, status: { code, message }, httpStatus: res.status });
    }
    return json;
  }
}
