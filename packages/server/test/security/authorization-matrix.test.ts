import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FileLinks } from '../../src/core/file-links.js';
import { TokenService } from '../../src/core/tokens.js';
import { Agent, AGENT, API_KEY, http, startServer, V3, V3Customer, type Running } from '../helpers.js';

/**
 * The authorization matrix: every route the server registers (collected with Fastify's onRoute
 * hook, see Parley.routes) × every identity, with the outcome each must get. A route added without
 * its row fails the first test. An allowed identity sends a valid request and must get a 2xx (a
 * WebSocket: open, or `ready`); every other identity must be refused with a 4xx; a 5xx always fails.
 * Routes that change state get fresh data for each identity (`fresh`), so no cell depends on another.
 */

const SECRET = 'authorization-matrix-secret-0123456789';
const SERVER_KEY = 'sk-matrix-server-key-0123456789';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const NINE_DAYS_AGO = () => Date.now() - 9 * 86_400_000;

const IDENTITIES = [
  'none', // no credentials at all
  'customer', // the customer of the session in the path (their own client token)
  'otherSession', // the customer of another session, same deployment (for staff routes: the agent of another session)
  'otherDeployment', // a customer of another deployment, with that deployment's keys (for workflow routes: its server key)
  'expired', // the route's own kind of credential, expired (a client token, or a staff token)
  'agent', // staff, role agent: the agent handling the session in the path
  'supervisor',
  'admin',
  'server', // the deployment's server key (workflow API)
  'revoked', // a staff token (of an admin) after its account logged out: it grants nothing
] as const;
type Identity = (typeof IDENTITIES)[number];
type Outcome = 'ok' | 'refused';

interface V3Fx {
  sessionId: string;
  participantId: string;
  token: string;
  key: string;
}
interface GmsFx {
  chatId: string;
  alias: string;
  userId: string;
  secureKey: string;
  key: string;
}
interface GuestFx {
  id: string;
  jwt: string;
  memberId: string;
}
interface Staff {
  token: string;
  id: string;
}

interface World {
  url: string;
  A: V3Fx;
  B: V3Fx;
  X: V3Fx;
  fileA: string;
  fileB: string;
  fileX: string;
  gA: GmsFx;
  gB: GmsFx;
  gX: GmsFx;
  qA: GuestFx;
  qB: GuestFx;
  qX: GuestFx;
  interactionA: string;
  agent: Staff;
  agent2: Staff;
  supervisor: Staff;
  admin: Staff;
  otherDeploymentId: string;
  otherKey: string;
  otherServerKey: string;
  /** An account no other row uses, for the admin's account changes. */
  spareAccountId: string;
  expiredClient: (claims: { sessionId: string; participantId: string; transportId: string; deploymentId: string }) => Promise<string>;
  expiredStaff: string;
  revokedStaff: string;
  expiredFileSig: (fileId: string, sessionId: string) => string;
}

interface Req {
  method: string;
  path: string;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, unknown>;
  body?: FormData;
}
/** What one row sends for one identity; `subject` is the fresh data of the cell, when the row asks for it. */
type Build = (w: World, id: Identity, subject: any) => Req | Promise<Req>;
interface Row {
  expect: Record<Identity, Outcome>;
  build: Build;
  fresh?: (w: World) => Promise<unknown>;
  ws?: 'agent-events' | 'guest-stream' | 'v3-stream';
}

const only = (...allowed: Identity[]): Record<Identity, Outcome> => Object.fromEntries(IDENTITIES.map((i) => [i, allowed.includes(i) ? 'ok' : 'refused'])) as Record<Identity, Outcome>;
const everyone = only(...IDENTITIES);
const STAFF: Identity[] = ['agent', 'otherSession', 'supervisor', 'admin'];

// ---- how each identity presents itself to each API ------------------------------------------

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const staffToken = (w: World, id: Identity): string | null =>
  (({ agent: w.agent.token, supervisor: w.supervisor.token, admin: w.admin.token, otherSession: w.agent2.token, expired: w.expiredStaff, revoked: w.revokedStaff }) as Record<string, string>)[id] ??
  null;

/** Consumer v3: x-api-key plus x-nexus-client-key for the session `a`. */
async function v3Headers(w: World, id: Identity, a: V3Fx): Promise<Record<string, string>> {
  switch (id) {
    case 'none':
      return {};
    case 'customer':
      return { 'x-api-key': a.key, 'x-nexus-client-key': a.token };
    case 'otherSession':
      return { 'x-api-key': a.key, 'x-nexus-client-key': w.B.token };
    case 'otherDeployment':
      return { 'x-api-key': w.X.key, 'x-nexus-client-key': w.X.token };
    case 'expired':
      return { 'x-api-key': a.key, 'x-nexus-client-key': await w.expiredClient(claimsOf(a.token)) };
    case 'server':
      return { 'x-api-key': SERVER_KEY };
    default:
      return { 'x-api-key': a.key, ...bearer(staffToken(w, id)!) };
  }
}
/** GMS: apikey header and alias/userId/secureKey in the body (or query) for the chat `g`. */
async function gmsCreds(w: World, id: Identity, g: GmsFx): Promise<{ headers: Record<string, string>; creds: Record<string, string> }> {
  const own = { alias: g.alias, userId: g.userId, secureKey: g.secureKey };
  switch (id) {
    case 'none':
      return { headers: {}, creds: {} };
    case 'customer':
      return { headers: { apikey: g.key }, creds: own };
    case 'otherSession':
      return { headers: { apikey: g.key }, creds: { alias: w.gB.alias, userId: w.gB.userId, secureKey: w.gB.secureKey } };
    case 'otherDeployment':
      return { headers: { apikey: w.gX.key }, creds: { alias: w.gX.alias, userId: w.gX.userId, secureKey: w.gX.secureKey } };
    case 'expired':
      return { headers: { apikey: g.key }, creds: { ...own, secureKey: await w.expiredClient(claimsOf(g.secureKey)) } };
    case 'server':
      return { headers: { apikey: SERVER_KEY }, creds: {} };
    default:
      return { headers: { apikey: g.key, ...bearer(staffToken(w, id)!) }, creds: {} };
  }
}
/** Guest chat: Authorization: Bearer <jwt> of the conversation `q`. */
async function guestToken(w: World, id: Identity, q: GuestFx): Promise<string | null> {
  switch (id) {
    case 'none':
      return null;
    case 'customer':
      return q.jwt;
    case 'otherSession':
      return w.qB.jwt;
    case 'otherDeployment':
      return w.qX.jwt;
    case 'expired':
      return w.expiredClient(claimsOf(q.jwt));
    case 'server':
      return SERVER_KEY;
    default:
      return staffToken(w, id);
  }
}
/** Staff APIs: a bearer staff token; customers try their client token, the server key its key. */
function staffHeaders(w: World, id: Identity): Record<string, string> {
  if (id === 'none') return {};
  if (id === 'customer') return bearer(w.A.token);
  if (id === 'otherDeployment') return bearer(w.X.token);
  if (id === 'server') return { 'x-api-key': SERVER_KEY };
  return bearer(staffToken(w, id)!);
}
/** Workflow API: x-api-key with a server key; others bring what they have. */
async function workflowHeaders(w: World, id: Identity): Promise<Record<string, string>> {
  switch (id) {
    case 'none':
      return {};
    case 'server':
      return { 'x-api-key': SERVER_KEY };
    case 'otherDeployment':
      return { 'x-api-key': w.otherServerKey };
    case 'customer':
      return { 'x-api-key': API_KEY, 'x-nexus-client-key': w.A.token };
    case 'otherSession':
      return { 'x-api-key': API_KEY, 'x-nexus-client-key': w.B.token };
    case 'expired':
      return { 'x-api-key': await w.expiredClient(claimsOf(w.A.token)) };
    default:
      return bearer(staffToken(w, id)!);
  }
}

let freshStaff = 0;
/** A new staff account, logged in: its token (for rows whose cells must not spend a shared account's). */
async function freshStaffToken(w: World): Promise<string> {
  const username = `matrix-fresh-${++freshStaff}`;
  await http(`${w.url}/admin/v1/agents`, { method: 'POST', headers: bearer(w.admin.token), json: { username, password: 'staff-password-1', displayName: username } });
  return (await new Agent(w.url, { username, password: 'staff-password-1' }).login()).token;
}

/**
 * A revoked token counts for nothing: refused wherever a staff token is what lets the request in,
 * and otherwise treated as the admin's cell says (public routes, routes that look at other credentials).
 */
function expected(row: Row, id: Identity): Outcome {
  if (id !== 'revoked') return row.expect[id];
  const staffOnly = row.expect.admin === 'ok' && row.expect.customer === 'refused' && row.expect.none === 'refused';
  return staffOnly ? 'refused' : row.expect.admin;
}

function claimsOf(jwt: string) {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
}

// ---- fixtures --------------------------------------------------------------------------------

async function v3Start(url: string, key: string, data: Record<string, unknown> = { firstName: 'Matrix' }): Promise<V3Fx> {
  const c = new V3Customer(url, key);
  await c.start(data);
  return { sessionId: c.sessionId, participantId: c.participantId, token: c.token, key };
}
async function upload(url: string, a: V3Fx): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([PNG], { type: 'image/png' }), 'm.png');
  const r = await http(`${url}${V3}/${a.sessionId}/images`, { method: 'POST', headers: { 'x-api-key': a.key, 'x-nexus-client-key': a.token }, body: form });
  if (r.status !== 200) throw new Error(`upload ${r.status}`);
  return r.body.data.message.content[0].url;
}
async function gmsStart(url: string, key: string): Promise<GmsFx> {
  const r = await http(`${url}/genesys/2/chat/Support`, { method: 'POST', headers: { apikey: key }, form: { nickname: 'Matrix' } });
  if (r.status !== 200) throw new Error(`gms start ${r.status}`);
  return { chatId: r.body.chatId, alias: r.body.alias, userId: r.body.userId, secureKey: r.body.secureKey, key };
}
/** A GMS chat whose customer uploaded a file. */
async function gmsStartWithFile(url: string): Promise<{ g: GmsFx; fileId: string }> {
  const g = await gmsStart(url, API_KEY);
  const form = new FormData();
  for (const [k, v] of Object.entries({ alias: g.alias, userId: g.userId, secureKey: g.secureKey })) form.append(k, v);
  form.append('file', new Blob([PNG], { type: 'image/png' }), 'd.png');
  const r = await http(`${url}${G}/${g.chatId}/file`, { method: 'POST', headers: { apikey: API_KEY }, body: form });
  return { g, fileId: r.body.userData['file-id'] as string };
}
async function guestStart(url: string, deploymentId: string): Promise<GuestFx> {
  const r = await http(`${url}/api/v2/webchat/guest/conversations`, { method: 'POST', json: { deploymentId, memberInfo: { displayName: 'Matrix' } } });
  if (r.status !== 200) throw new Error(`guest start ${r.status}`);
  return { id: r.body.id, jwt: r.body.jwt, memberId: r.body.member.id };
}
const staffAgent = (w: World, s: Staff) => Object.assign(new Agent(w.url), { token: s.token });
/** A demo session handled by `agent`, optionally done (Finalizing) or completed; async on request. */
async function handled(w: World, opts: { until?: 'Handling' | 'Finalizing' | 'Completed'; async?: boolean } = {}) {
  const a = await v3Start(w.url, API_KEY, { firstName: 'Fresh', ...(opts.async ? { async: 'true' } : {}) });
  const agent = staffAgent(w, w.agent);
  const i = await agent.acceptFor(a.sessionId);
  if (opts.until === 'Finalizing' || opts.until === 'Completed') expect((await agent.call('POST', `/interactions/${i.id}/done`)).status).toBe(200);
  if (opts.until === 'Completed') expect((await agent.call('POST', `/interactions/${i.id}/complete`, {})).status).toBe(200);
  return { a, interactionId: i.id as string };
}
async function queued(w: World) {
  const a = await v3Start(w.url, API_KEY, { firstName: 'Queued' });
  const i = await staffAgent(w, w.agent2).queued(a.sessionId);
  return { a, interactionId: i.id as string };
}
async function asAdmin(w: World, method: string, path: string, json?: unknown) {
  const r = await http(`${w.url}/admin/v1${path}`, { method, headers: bearer(w.admin.token), ...(json !== undefined ? { json } : {}) });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
let unique = 0;
const next = () => `m${Date.now().toString(36)}${++unique}`;

// ---- the rows --------------------------------------------------------------------------------

const P3 = V3;
const G = '/genesys/2/chat/Support';
const Q = '/api/v2/webchat/guest/conversations';

const v3Row = (method: string, sub: string, body?: (a: V3Fx) => Record<string, unknown>, fresh = false): Row => ({
  expect: only('customer'),
  ...(fresh ? { fresh: (w: World) => v3Start(w.url, API_KEY) } : {}),
  build: async (w, id, s) => {
    const a: V3Fx = s ?? w.A;
    return { method, path: `${P3}/${a.sessionId}${sub.replace(':participantId', a.participantId)}`, headers: await v3Headers(w, id, a), ...(body ? { form: body(a) } : {}) };
  },
});
const gmsRow = (action: string, extra: Record<string, string> = {}, fresh = false): Row => ({
  expect: only('customer'),
  ...(fresh ? { fresh: (w: World) => gmsStart(w.url, API_KEY) } : {}),
  build: async (w, id, s) => {
    const g: GmsFx = s ?? w.gA;
    const { headers, creds } = await gmsCreds(w, id, g);
    return { method: 'POST', path: `${G}/${g.chatId}/${action}`, headers, form: { ...creds, ...extra } };
  },
});
const guestRow = (method: string, sub: string, json?: unknown, fresh = false): Row => ({
  expect: only('customer'),
  ...(fresh ? { fresh: (w: World) => guestStart(w.url, 'demo') } : {}),
  build: async (w, id, s) => {
    const q: GuestFx = s ?? w.qA;
    const t = await guestToken(w, id, q);
    return { method, path: `${Q}/${q.id}${sub.replace(':memberId', q.memberId)}`, headers: t ? bearer(t) : {}, ...(json !== undefined ? { json } : {}) };
  },
});
const staffRow = (expectation: Record<Identity, Outcome>, method: string, path: (w: World, s: any) => string, json?: (w: World, s: any) => unknown, fresh?: (w: World) => Promise<unknown>): Row => ({
  expect: expectation,
  ...(fresh ? { fresh } : {}),
  build: (w, id, s) => ({ method, path: path(w, s), headers: staffHeaders(w, id), ...(json ? { json: json(w, s) } : {}) }),
});
const adminRow = (method: string, path: (w: World, s: any) => string, json?: (w: World, s: any) => unknown, fresh?: (w: World) => Promise<unknown>) =>
  staffRow(only('admin'), method, path, json, fresh);
const workflowRow = (method: string, path: (w: World, s: any) => string, json?: unknown, fresh?: (w: World) => Promise<unknown>): Row => ({
  expect: only('server'),
  ...(fresh ? { fresh } : {}),
  build: async (w, id, s) => ({ method, path: path(w, s), headers: await workflowHeaders(w, id), ...(json !== undefined ? { json } : {}) }),
});
const publicRow = (path: string): Row => ({ expect: everyone, build: (w, id) => ({ method: 'GET', path, headers: staffHeaders(w, id) }) });

const ROWS: Record<string, Row> = {
  // ---- public ----
  'GET /health': publicRow('/health'),
  'GET /ready': publicRow('/ready'),
  // Only the scrape token (METRICS_TOKEN) opens it; no staff or customer credential does.
  'GET /metrics': { expect: only(), build: (w, id) => ({ method: 'GET', path: '/metrics', headers: staffHeaders(w, id) }) },
  'GET /openapi.json': publicRow('/openapi.json'),
  'GET /demo/config.json': publicRow('/demo/config.json'),
  'GET /*': publicRow('/'),
  'GET /widgets/*': publicRow('/widgets/cxbus.min.js'),
  'GET /desktop/*': publicRow('/desktop/'),
  'POST /agent/v1/login': { expect: everyone, build: () => ({ method: 'POST', path: '/agent/v1/login', json: { username: AGENT.username, password: AGENT.password } }) },
  'GET /agent/v1/sso': { expect: everyone, build: () => ({ method: 'GET', path: '/agent/v1/sso' }) },
  // Logging out ends every token of the account: each cell logs out an account of its own.
  'POST /agent/v1/logout': {
    expect: only(...STAFF),
    fresh: (w) => freshStaffToken(w),
    build: (w, id, token: string) => ({ method: 'POST', path: '/agent/v1/logout', headers: STAFF.includes(id) ? bearer(token) : staffHeaders(w, id) }),
  },

  // ---- consumer v3 ----
  // Start needs a public page key (any deployment's; a server key is not one); a client key sent
  // along restores only when valid.
  [`POST ${P3}`]: {
    expect: { ...everyone, none: 'refused', expired: 'refused', server: 'refused' },
    build: async (w, id) => ({ method: 'POST', path: P3, headers: await v3Headers(w, id, w.A), form: { data: { firstName: 'Start' } } }),
  },
  [`GET ${P3}/:sessionId/messages`]: v3Row('GET', '/messages?count=5'),
  [`POST ${P3}/:sessionId/messages`]: v3Row('POST', '/messages', () => ({ data: { type: 'Text', text: 'hello' } })),
  [`GET ${P3}/:sessionId/queue-position`]: v3Row('GET', '/queue-position'),
  // The message stream (Parley's SDK): the v3 headers ride in the first frame.
  [`GET ${P3}/:sessionId/stream`]: { ...v3Row('GET', '/stream'), ws: 'v3-stream' },
  [`PUT ${P3}/:sessionId/userdata`]: v3Row('PUT', '/userdata', () => ({ data: { k: 'v' } })),
  // Parley's extensions around a chat (issue 18): availability and leave-a-message need a deployment key only.
  [`GET ${P3}/availability`]: {
    expect: { ...everyone, none: 'refused', server: 'refused' },
    build: async (w, id) => ({ method: 'GET', path: `${P3}/availability`, headers: await v3Headers(w, id, w.A) }),
  },
  [`POST ${P3}/offline-messages`]: {
    expect: { ...everyone, none: 'refused', server: 'refused' },
    build: async (w, id) => ({ method: 'POST', path: `${P3}/offline-messages`, headers: await v3Headers(w, id, w.A), form: { data: { name: 'Matrix', email: 'matrix@example.com', text: 'left' } } }),
  },
  // The survey opens once the chat is over: each cell rates a chat of its own that the customer left.
  [`POST ${P3}/:sessionId/survey`]: {
    ...v3Row('POST', '/survey', () => ({ data: { rating: 5 } })),
    fresh: async (w) => {
      const a = await v3Start(w.url, API_KEY);
      await http(`${w.url}${P3}/${a.sessionId}/participants/${a.participantId}`, { method: 'DELETE', headers: { 'x-api-key': a.key, 'x-nexus-client-key': a.token } });
      return a;
    },
  },
  [`GET ${P3}/:sessionId/transcript`]: v3Row('GET', '/transcript'),
  // No SMTP in this world: the customer gets 404 (not configured), everyone else is refused before that.
  [`POST ${P3}/:sessionId/transcript/email`]: { ...v3Row('POST', '/transcript/email', () => ({ data: { email: 'matrix@example.com' } })), expect: only() },
  [`DELETE ${P3}/:sessionId/participants/:participantId`]: v3Row('DELETE', '/participants/:participantId', undefined, true),
  [`POST ${P3}/:sessionId/images`]: {
    expect: only('customer'),
    build: async (w, id) => {
      const form = new FormData();
      form.append('file', new Blob([PNG], { type: 'image/png' }), 'x.png');
      return { method: 'POST', path: `${P3}/${w.A.sessionId}/images`, headers: await v3Headers(w, id, w.A), body: form };
    },
  },
  // File links carry their own signature: only the link handed to a reader of the session opens it.
  [`GET ${P3}/:sessionId/images/:fileId`]: {
    expect: only('customer'),
    build: (w, id) => {
      const [path] = w.fileA.split('?');
      const fileId = path!.split('/').pop()!;
      const sigOf = (u: string) => new URL(u, 'http://x').searchParams.get('sig')!;
      const sig = ({ customer: sigOf(w.fileA), otherSession: sigOf(w.fileB), otherDeployment: sigOf(w.fileX), expired: w.expiredFileSig(fileId, w.A.sessionId) } as Record<string, string>)[id];
      return { method: 'GET', path: `/nexus/v3/chat${path}${sig ? `?sig=${sig}` : ''}`, headers: id === 'customer' || !sig ? {} : staffHeaders(w, id) };
    },
  },

  // ---- GMS chat v2 ----
  [`POST /genesys/2/chat/:serviceName`]: {
    expect: { ...everyone, none: 'refused', server: 'refused' },
    build: async (w, id) => ({ method: 'POST', path: G, headers: (await gmsCreds(w, id, w.gA)).headers, form: { nickname: 'Start' } }),
  },
  [`POST /genesys/2/chat/:serviceName/:chatId/refresh`]: gmsRow('refresh', { transcriptPosition: '1' }),
  [`POST /genesys/2/chat/:serviceName/:chatId/send`]: gmsRow('send', { message: 'hi' }),
  [`POST /genesys/2/chat/:serviceName/:chatId/startTyping`]: gmsRow('startTyping'),
  [`POST /genesys/2/chat/:serviceName/:chatId/stopTyping`]: gmsRow('stopTyping'),
  [`POST /genesys/2/chat/:serviceName/:chatId/customNotice`]: gmsRow('customNotice', { message: 'note' }),
  [`POST /genesys/2/chat/:serviceName/:chatId/updateData`]: gmsRow('updateData', { 'userData[k]': 'v' }),
  [`POST /genesys/2/chat/:serviceName/:chatId/disconnect`]: gmsRow('disconnect', {}, true),
  [`POST /genesys/2/chat/:serviceName/:chatId/file/limits`]: gmsRow('file/limits'),
  [`POST /genesys/2/chat/:serviceName/:chatId/file`]: {
    expect: only('customer'),
    build: async (w, id) => {
      const { headers, creds } = await gmsCreds(w, id, w.gA);
      const form = new FormData();
      for (const [k, v] of Object.entries(creds)) form.append(k, v);
      form.append('file', new Blob([PNG], { type: 'image/png' }), 'g.png');
      return { method: 'POST', path: `${G}/${w.gA.chatId}/file`, headers, body: form };
    },
  },
  // The download works without the apikey header (a plain link): the signed secureKey decides.
  [`GET /genesys/2/chat/:serviceName/:chatId/file/:fileId/download`]: {
    expect: only('customer'),
    fresh: (w) => gmsStartWithFile(w.url),
    build: async (w, id, s) => {
      const { headers, creds } = await gmsCreds(w, id, s.g);
      return { method: 'GET', path: `${G}/${s.g.chatId}/file/${s.fileId}/download?${new URLSearchParams(creds)}`, headers };
    },
  },
  [`POST /genesys/2/chat/:serviceName/:chatId/file/:fileId/download`]: {
    expect: only('customer'),
    fresh: (w) => gmsStartWithFile(w.url),
    build: async (w, id, s) => {
      const { headers, creds } = await gmsCreds(w, id, s.g);
      return { method: 'POST', path: `${G}/${s.g.chatId}/file/${s.fileId}/download`, headers, form: creds };
    },
  },

  // ---- guest chat v2 ----
  [`POST ${Q}`]: {
    expect: everyone,
    build: async (w, id) => {
      const t = await guestToken(w, id, w.qA);
      return { method: 'POST', path: Q, headers: t ? bearer(t) : {}, json: { deploymentId: 'demo', memberInfo: { displayName: 'Start' } } };
    },
  },
  [`GET ${Q}/:conversationId/members`]: guestRow('GET', '/members'),
  [`GET ${Q}/:conversationId/members/:memberId`]: guestRow('GET', '/members/:memberId'),
  [`DELETE ${Q}/:conversationId/members/:memberId`]: guestRow('DELETE', '/members/:memberId', undefined, true),
  [`POST ${Q}/:conversationId/members/:memberId/messages`]: guestRow('POST', '/members/:memberId/messages', { body: 'hi', bodyType: 'standard' }),
  [`POST ${Q}/:conversationId/members/:memberId/typing`]: guestRow('POST', '/members/:memberId/typing'),
  [`GET ${Q}/:conversationId/messages`]: guestRow('GET', '/messages'),
  [`GET ${Q}/:conversationId/stream`]: {
    expect: only('customer'),
    ws: 'guest-stream',
    build: async (w, id) => {
      const t = await guestToken(w, id, w.qA);
      return { method: 'GET', path: `${Q}/${w.qA.id}/stream${t ? `?jwt=${encodeURIComponent(t)}` : ''}` };
    },
  },

  // ---- agent API ----
  'GET /agent/v1/me': staffRow(only(...STAFF), 'GET', () => '/agent/v1/me'),
  'PUT /agent/v1/me/presence': staffRow(
    only(...STAFF),
    'PUT',
    () => '/agent/v1/me/presence',
    () => ({ presence: 'NotReady', reason: 'matrix' }),
  ),
  'GET /agent/v1/interactions': staffRow(only(...STAFF), 'GET', () => '/agent/v1/interactions'),
  // Anyone routing could offer the queued interaction to (and supervisors) may accept it.
  'POST /agent/v1/interactions/:id/accept': staffRow(only(...STAFF), 'POST', (_w, s) => `/agent/v1/interactions/${s.interactionId}/accept`, undefined, queued),
  // Only the agent an offer was made to may reject it; no identity here holds an offer.
  'POST /agent/v1/interactions/:id/reject': staffRow(only(), 'POST', (_w, s) => `/agent/v1/interactions/${s.interactionId}/reject`, undefined, queued),
  'POST /agent/v1/interactions/:id/transfer': staffRow(
    only('agent', 'supervisor', 'admin'),
    'POST',
    (_w, s) => `/agent/v1/interactions/${s.interactionId}/transfer`,
    () => ({ queue: 'Billing' }),
    (w) => handled(w),
  ),
  'POST /agent/v1/interactions/:id/done': staffRow(
    only('agent', 'supervisor', 'admin'),
    'POST',
    (_w, s) => `/agent/v1/interactions/${s.interactionId}/done`,
    undefined,
    (w) => handled(w),
  ),
  'POST /agent/v1/interactions/:id/complete': staffRow(
    only('agent', 'supervisor', 'admin'),
    'POST',
    (_w, s) => `/agent/v1/interactions/${s.interactionId}/complete`,
    () => ({}),
    (w) => handled(w, { until: 'Finalizing' }),
  ),
  'GET /agent/v1/sessions': staffRow(only(...STAFF), 'GET', () => '/agent/v1/sessions'),
  'GET /agent/v1/search': staffRow(only(...STAFF), 'GET', () => '/agent/v1/search?q=hello'),
  'GET /agent/v1/supervisor/report': staffRow(only('supervisor', 'admin'), 'GET', () => '/agent/v1/supervisor/report?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z'),
  'GET /agent/v1/sessions/:id/contact': staffRow(only('agent', 'supervisor', 'admin'), 'GET', (w) => `/agent/v1/sessions/${w.A.sessionId}/contact`),
  'POST /agent/v1/sessions/:id/contact/notes': staffRow(
    only('agent', 'supervisor', 'admin'),
    'POST',
    (w) => `/agent/v1/sessions/${w.A.sessionId}/contact/notes`,
    () => ({ text: 'matrix note' }),
  ),
  'GET /agent/v1/sessions/:id': staffRow(only('agent', 'supervisor', 'admin'), 'GET', (w) => `/agent/v1/sessions/${w.A.sessionId}`),
  'GET /agent/v1/sessions/:id/messages': staffRow(only('agent', 'supervisor', 'admin'), 'GET', (w) => `/agent/v1/sessions/${w.A.sessionId}/messages`),
  'GET /agent/v1/sessions/:id/survey': staffRow(only('agent', 'supervisor', 'admin'), 'GET', (w) => `/agent/v1/sessions/${w.A.sessionId}/survey`),
  'GET /agent/v1/supervisor/reports/surveys': staffRow(only('supervisor', 'admin'), 'GET', () => '/agent/v1/supervisor/reports/surveys?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z'),
  // Writing needs a seat in the conversation: the handling agent (supervisors barge in first).
  'POST /agent/v1/sessions/:id/messages': staffRow(
    only('agent'),
    'POST',
    (w) => `/agent/v1/sessions/${w.A.sessionId}/messages`,
    () => ({ type: 'Text', text: 'hello' }),
  ),
  'POST /agent/v1/sessions/:id/files': {
    expect: only('agent'),
    build: (w, id) => {
      const form = new FormData();
      form.append('file', new Blob([PNG], { type: 'image/png' }), 'x.png');
      return { method: 'POST', path: `/agent/v1/sessions/${w.A.sessionId}/files`, headers: staffHeaders(w, id), body: form };
    },
  },
  'POST /agent/v1/sessions/:id/leave': staffRow(
    only('agent'),
    'POST',
    (_w, s) => `/agent/v1/sessions/${s.a.sessionId}/leave`,
    undefined,
    (w) => handled(w),
  ),
  'POST /agent/v1/sessions/:id/follow-up': staffRow(
    only('agent', 'supervisor', 'admin'),
    'POST',
    (_w, s) => `/agent/v1/sessions/${s.a.sessionId}/follow-up`,
    undefined,
    (w) => handled(w, { until: 'Completed', async: true }),
  ),
  'POST /agent/v1/sessions/:id/conference': staffRow(
    only('agent'),
    'POST',
    (_w, s) => `/agent/v1/sessions/${s.a.sessionId}/conference`,
    (w) => ({ agentId: w.agent2.id }),
    (w) => handled(w),
  ),
  'POST /agent/v1/sessions/:id/monitor': staffRow(
    only('supervisor', 'admin'),
    'POST',
    (_w, s) => `/agent/v1/sessions/${s.a.sessionId}/monitor`,
    undefined,
    (w) => handled(w),
  ),
  'POST /agent/v1/sessions/:id/whisper': staffRow(
    only('supervisor', 'admin'),
    'POST',
    (w) => `/agent/v1/sessions/${w.A.sessionId}/whisper`,
    () => ({ text: 'psst' }),
  ),
  'POST /agent/v1/sessions/:id/barge': staffRow(
    only('supervisor', 'admin'),
    'POST',
    (_w, s) => `/agent/v1/sessions/${s.a.sessionId}/barge`,
    undefined,
    (w) => handled(w),
  ),
  'GET /agent/v1/supervisor/overview': staffRow(only('supervisor', 'admin'), 'GET', () => '/agent/v1/supervisor/overview'),
  'GET /agent/v1/agents': staffRow(only(...STAFF), 'GET', () => '/agent/v1/agents'),
  'PUT /agent/v1/agents/:id/presence': staffRow(
    only('supervisor', 'admin'),
    'PUT',
    (w) => `/agent/v1/agents/${w.agent2.id}/presence`,
    () => ({ presence: 'NotReady', reason: 'matrix' }),
  ),
  'GET /agent/v1/queues': staffRow(only(...STAFF), 'GET', () => '/agent/v1/queues'),
  'GET /agent/v1/canned-responses': staffRow(only(...STAFF), 'GET', () => '/agent/v1/canned-responses'),
  'GET /agent/v1/wrap-up-codes': staffRow(only(...STAFF), 'GET', () => '/agent/v1/wrap-up-codes'),
  'GET /agent/v1/events': { expect: only(...STAFF), ws: 'agent-events', build: (w, id) => ({ method: 'GET', path: '/agent/v1/events', headers: staffHeaders(w, id) }) },

  // ---- admin API ----
  'GET /admin/v1/deployments': adminRow('GET', () => '/admin/v1/deployments'),
  'POST /admin/v1/deployments': adminRow(
    'POST',
    () => '/admin/v1/deployments',
    () => ({ id: next(), name: 'Matrix' }),
  ),
  'PUT /admin/v1/deployments/:id': adminRow(
    'PUT',
    (w) => `/admin/v1/deployments/${w.otherDeploymentId}`,
    () => ({ name: 'Other shop', defaultQueue: 'Support' }),
  ),
  'GET /admin/v1/deployments/:id/api-keys': adminRow('GET', (w) => `/admin/v1/deployments/${w.otherDeploymentId}/api-keys`),
  'POST /admin/v1/deployments/:id/api-keys': adminRow(
    'POST',
    (w) => `/admin/v1/deployments/${w.otherDeploymentId}/api-keys`,
    () => ({ label: 'matrix' }),
  ),
  'DELETE /admin/v1/deployments/:id/api-keys/:keyId': adminRow(
    'DELETE',
    (w, s) => `/admin/v1/deployments/${w.otherDeploymentId}/api-keys/${s.id}`,
    undefined,
    (w) => asAdmin(w, 'POST', `/deployments/${w.otherDeploymentId}/api-keys`, { label: 'doomed' }),
  ),
  'GET /admin/v1/queues': adminRow('GET', () => '/admin/v1/queues'),
  'POST /admin/v1/queues': adminRow(
    'POST',
    () => '/admin/v1/queues',
    () => ({ deploymentId: 'demo', name: next() }),
  ),
  'DELETE /admin/v1/queues/:id': adminRow(
    'DELETE',
    (_w, s) => `/admin/v1/queues/${s.queue.id}`,
    undefined,
    (w) => asAdmin(w, 'POST', '/queues', { deploymentId: 'demo', name: next() }),
  ),
  'GET /admin/v1/agents': adminRow('GET', () => '/admin/v1/agents'),
  'POST /admin/v1/agents': adminRow(
    'POST',
    () => '/admin/v1/agents',
    () => ({ username: next(), password: 'staff-password-1', displayName: 'Matrix' }),
  ),
  'PUT /admin/v1/agents/:id': adminRow(
    'PUT',
    (w) => `/admin/v1/agents/${w.spareAccountId}`,
    () => ({ displayName: 'Renamed' }),
  ),
  'POST /admin/v1/canned-responses': adminRow(
    'POST',
    () => '/admin/v1/canned-responses',
    () => ({ title: 'T', text: 'text' }),
  ),
  'DELETE /admin/v1/canned-responses/:id': adminRow(
    'DELETE',
    (_w, s) => `/admin/v1/canned-responses/${s.cannedResponse.id}`,
    undefined,
    (w) => asAdmin(w, 'POST', '/canned-responses', { title: 'T', text: 'doomed' }),
  ),
  'GET /admin/v1/deployments/:id/business-hours': adminRow('GET', () => '/admin/v1/deployments/demo/business-hours'),
  // A queue of its own, so that the deployment stays open for the other rows.
  'PUT /admin/v1/deployments/:id/business-hours': adminRow(
    'PUT',
    () => '/admin/v1/deployments/demo/business-hours',
    (_w, s) => ({ queue: s.queue.name, timeZone: 'UTC', weekly: {} }),
    (w) => asAdmin(w, 'POST', '/queues', { deploymentId: 'demo', name: next() }),
  ),
  'DELETE /admin/v1/deployments/:id/business-hours': adminRow(
    'DELETE',
    (_w, s) => `/admin/v1/deployments/demo/business-hours?queue=${s.queue.name}`,
    undefined,
    async (w) => {
      const created = await asAdmin(w, 'POST', '/queues', { deploymentId: 'demo', name: next() });
      await asAdmin(w, 'PUT', '/deployments/demo/business-hours', { queue: created.queue.name, timeZone: 'UTC', weekly: {} });
      return created;
    },
  ),
  'POST /admin/v1/wrap-up-codes': adminRow(
    'POST',
    () => '/admin/v1/wrap-up-codes',
    () => ({ code: next(), label: 'Matrix' }),
  ),
  'DELETE /admin/v1/wrap-up-codes/:id': adminRow(
    'DELETE',
    (_w, s) => `/admin/v1/wrap-up-codes/${s.wrapUpCode.code}`,
    undefined,
    (w) => asAdmin(w, 'POST', '/wrap-up-codes', { code: next(), label: 'Doomed' }),
  ),
  'GET /admin/v1/webhooks': adminRow('GET', () => '/admin/v1/webhooks'),
  'POST /admin/v1/webhooks': adminRow(
    'POST',
    () => '/admin/v1/webhooks',
    () => ({ deploymentId: 'demo', url: 'http://127.0.0.1:9/matrix', events: ['ticket.closed'] }),
  ),
  'PUT /admin/v1/webhooks/:id': adminRow(
    'PUT',
    (_w, s) => `/admin/v1/webhooks/${s.webhook.id}`,
    () => ({ enabled: false }),
    (w) => asAdmin(w, 'POST', '/webhooks', { deploymentId: 'demo', url: 'http://127.0.0.1:9/matrix', events: ['ticket.closed'] }),
  ),
  'DELETE /admin/v1/webhooks/:id': adminRow(
    'DELETE',
    (_w, s) => `/admin/v1/webhooks/${s.webhook.id}`,
    undefined,
    (w) => asAdmin(w, 'POST', '/webhooks', { deploymentId: 'demo', url: 'http://127.0.0.1:9/matrix', events: ['ticket.closed'] }),
  ),
  'GET /admin/v1/webhooks/:id/deliveries': adminRow(
    'GET',
    (_w, s) => `/admin/v1/webhooks/${s.webhook.id}/deliveries`,
    undefined,
    (w) => asAdmin(w, 'POST', '/webhooks', { deploymentId: 'demo', url: 'http://127.0.0.1:9/matrix', events: ['ticket.closed'] }),
  ),
  'POST /admin/v1/webhook-deliveries/:id/replay': adminRow(
    'POST',
    (_w, s) => `/admin/v1/webhook-deliveries/${s.id}/replay`,
    undefined,
    async (w) => {
      const { webhook } = await asAdmin(w, 'POST', '/webhooks', { deploymentId: 'demo', url: 'http://127.0.0.1:9/matrix', events: ['session.started'], enabled: true });
      await v3Start(w.url, API_KEY);
      const { deliveries } = await asAdmin(w, 'GET', `/webhooks/${webhook.id}/deliveries`);
      // Paused: the matrix's own sessions pile up instead of being retried against a closed port.
      await asAdmin(w, 'PUT', `/webhooks/${webhook.id}`, { enabled: false });
      return deliveries[0];
    },
  ),
  'POST /admin/v1/customers/export': adminRow(
    'POST',
    () => '/admin/v1/customers/export',
    () => ({ email: 'nobody@example.com' }),
  ),
  'POST /admin/v1/customers/erase': adminRow(
    'POST',
    () => '/admin/v1/customers/erase',
    () => ({ email: 'nobody@example.com' }),
  ),
  'GET /admin/v1/audit': adminRow('GET', () => '/admin/v1/audit'),
  'GET /admin/v1/audit/export': adminRow('GET', () => '/admin/v1/audit/export?format=csv'),

  // ---- workflow API ----
  'GET /workflow/v1/sessions/:sessionId': workflowRow('GET', (w) => `/workflow/v1/sessions/${w.A.sessionId}`),
  'POST /workflow/v1/sessions/:sessionId/message': workflowRow('POST', (w) => `/workflow/v1/sessions/${w.A.sessionId}/message`, { MessageText: 'from a workflow' }),
  'POST /workflow/v1/sessions/:sessionId/notice': workflowRow('POST', (w) => `/workflow/v1/sessions/${w.A.sessionId}/notice`, { NoticeType: 'USER_CUSTOM', NoticeText: 'notice' }),
  'POST /workflow/v1/sessions/:sessionId/ui-events': workflowRow('POST', (w) => `/workflow/v1/sessions/${w.A.sessionId}/ui-events`, { name: 'ui-event-close-promotion' }),
  // The session is not with a bot (the demo deployment here has no flow): refused for all, and never a 5xx.
  'POST /workflow/v1/sessions/:sessionId/bot-reply': { ...workflowRow('POST', (w) => `/workflow/v1/sessions/${w.A.sessionId}/bot-reply`, { replies: ['hi'] }), expect: only() },
  // Another deployment's server key lists that deployment's own tickets (see the test below).
  'GET /workflow/v1/tickets': { ...workflowRow('GET', () => '/workflow/v1/tickets'), expect: only('server', 'otherDeployment') },
  'GET /workflow/v1/tickets/:ticketId': workflowRow('GET', (w) => `/workflow/v1/tickets/${w.interactionA}`),
  'POST /workflow/v1/tickets/:ticketId/close': workflowRow(
    'POST',
    (_w, s) => `/workflow/v1/tickets/${s.interactionId}/close`,
    { comments: 'matrix' },
    (w) => handled(w),
  ),
};

/** A registered route as a row key: HEAD routes are GET's twins; GMS's trailing-slash twins share a row. */
function rowKey(method: string, url: string): string | null {
  if (method === 'HEAD' || method === 'OPTIONS') return null;
  const path = url.length > 1 && url.endsWith('/') && !url.endsWith('*') ? url.slice(0, -1) : url;
  return `${method} ${path}`;
}

async function runHttp(w: World, req: Req): Promise<number> {
  const r = await http(`${w.url}${req.path}`, {
    method: req.method,
    headers: req.headers ?? {},
    ...(req.json !== undefined ? { json: req.json } : {}),
    ...(req.form ? { form: req.form } : {}),
    ...(req.body ? { body: req.body } : {}),
  });
  return r.status;
}

/** A WebSocket cell: 'ok' when the socket opens (and, on the agent socket, answers `ready`). */
function runSocket(w: World, row: Row, req: Req, id: Identity): Promise<{ outcome: Outcome | 'error'; detail: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${w.url.replace('http', 'ws')}${req.path}`);
    const done = (outcome: Outcome | 'error', detail: string) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      resolve({ outcome, detail });
    };
    const timer = setTimeout(() => done('error', 'no answer in 5 s'), 5_000);
    ws.on('unexpected-response', (_r, res) => done(res.statusCode! >= 500 ? 'error' : 'refused', `HTTP ${res.statusCode}`));
    ws.on('error', (err) => done('error', err.message));
    ws.on('close', (code) => done('refused', `closed ${code}`));
    ws.on('open', () => {
      if (row.ws === 'guest-stream') return done('ok', 'open');
      if (row.ws === 'v3-stream') return ws.send(JSON.stringify({ type: 'auth', apiKey: req.headers?.['x-api-key'], clientKey: req.headers?.['x-nexus-client-key'] }));
      const token = (req.headers?.authorization ?? '').replace(/^Bearer /, '');
      ws.send(JSON.stringify(token ? { type: 'auth', token } : id === 'server' ? { type: 'auth', token: SERVER_KEY } : { type: 'subscribe', sessionId: w.A.sessionId }));
    });
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString());
      if (f.type === 'ready') done('ok', 'ready');
    });
  });
}

describe('authorization matrix', () => {
  let srv: Running;
  let w: World;

  /** An admin account that logs in and then out: the token it had is revoked. */
  async function revokedAdminToken(url: string, adminToken: string): Promise<string> {
    await http(`${url}/admin/v1/agents`, { method: 'POST', headers: bearer(adminToken), json: { username: 'matrix-revoked', password: 'staff-password-1', displayName: 'Revoked', role: 'admin' } });
    const token = (await new Agent(url, { username: 'matrix-revoked', password: 'staff-password-1' }).login()).token;
    const out = await http(`${url}/agent/v1/logout`, { method: 'POST', headers: bearer(token) });
    if (out.status >= 300) throw new Error(`logout failed: ${out.status}`);
    return token;
  }

  beforeAll(async () => {
    srv = await startServer({ PARLEY_SECRET: SECRET, PARLEY_DEMO_SERVER_KEY: SERVER_KEY, METRICS_TOKEN: 'metrics-scrape-token-for-the-matrix' }, undefined, { sweepEveryMs: 0, routeEveryMs: 60_000 });
    const url = srv.url;
    const login = async (username: string) => {
      const a = await new Agent(url, { username, password: AGENT.password }).login();
      return { token: a.token, id: (await a.call('GET', '/me')).body.account.id as string };
    };
    const [agent, agent2, supervisor, admin] = [await login(AGENT.username), await login(`${AGENT.username}2`), await login('supervisor'), await login('admin')];
    const other = await http(`${url}/admin/v1/deployments`, { method: 'POST', headers: bearer(admin.token), json: { id: 'matrix-other', name: 'Other shop', defaultQueue: 'Support' } });
    const otherServer = await http(`${url}/admin/v1/deployments/matrix-other/api-keys`, { method: 'POST', headers: bearer(admin.token), json: { label: 'server', kind: 'server' } });
    const otherKey = other.body.apiKey as string;
    // A's customer gives a customer id, so A has a contact (notes can be written on it).
    const [A, B, X] = [await v3Start(url, API_KEY, { firstName: 'Matrix', userData: { customerId: 'matrix-a' } }), await v3Start(url, API_KEY), await v3Start(url, otherKey)];
    const past = new TokenService(SECRET, 3600, { now: NINE_DAYS_AGO });
    const pastLinks = new FileLinks(SECRET, 3600, NINE_DAYS_AGO);
    const expiredStaff = await new SignJWT({ role: 'admin', kind: 'staff' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(admin.id)
      .setIssuedAt(Math.floor(NINE_DAYS_AGO() / 1000))
      .setExpirationTime(Math.floor(NINE_DAYS_AGO() / 1000) + 3600)
      .sign(new TextEncoder().encode(SECRET));
    w = {
      url,
      A,
      B,
      X,
      fileA: await upload(url, A),
      fileB: await upload(url, B),
      fileX: await upload(url, X),
      gA: await gmsStart(url, API_KEY),
      gB: await gmsStart(url, API_KEY),
      gX: await gmsStart(url, otherKey),
      qA: await guestStart(url, 'demo'),
      qB: await guestStart(url, 'demo'),
      qX: await guestStart(url, 'matrix-other'),
      interactionA: '',
      spareAccountId: (await http(`${url}/admin/v1/agents`, { method: 'POST', headers: bearer(admin.token), json: { username: 'matrix-spare', password: 'staff-password-1', displayName: 'Spare' } }))
        .body.agent.id,
      agent,
      agent2,
      supervisor,
      admin,
      otherDeploymentId: 'matrix-other',
      otherKey,
      otherServerKey: otherServer.body.apiKey,
      expiredClient: (c) => past.signClientToken({ sessionId: c.sessionId, participantId: c.participantId, transportId: c.transportId, deploymentId: c.deploymentId }),
      expiredStaff,
      revokedStaff: await revokedAdminToken(url, admin.token),
      expiredFileSig: (fileId, sessionId) => pastLinks.sign(fileId, sessionId),
    };
    // The agent handles A (and agent2 B), so "the session's agent" and "another session's" exist.
    w.interactionA = (await staffAgent(w, agent).acceptFor(A.sessionId)).id;
    await staffAgent(w, agent2).acceptFor(B.sessionId);
  }, 60_000);
  afterAll(() => srv?.close());

  it('has a row for every registered route, and no row for a route that does not exist', () => {
    const registered = new Set(srv.parley.routes.map((r) => rowKey(r.method, r.url)).filter((k): k is string => k !== null));
    const missing = [...registered].filter((k) => !(k in ROWS));
    expect(missing, 'routes without a row in the authorization matrix').toEqual([]);
    // Static assets are there only when the widgets and the desktop are built.
    const optional = new Set(['GET /widgets/*', 'GET /desktop/*']);
    expect(
      Object.keys(ROWS).filter((k) => !registered.has(k) && !optional.has(k)),
      'rows for routes that are not registered',
    ).toEqual([]);
  });

  it("another deployment's server key lists only that deployment's tickets", async () => {
    const r = await http(`${w.url}/workflow/v1/tickets?state=all`, { headers: { 'x-api-key': w.otherServerKey } });
    expect(r.status).toBe(200);
    expect(r.body.tickets.length).toBeGreaterThan(0);
    expect(r.body.tickets.every((t: any) => t.deploymentId === w.otherDeploymentId)).toBe(true);
  });

  it('every route gives every identity the outcome of its row', async () => {
    const registered = new Set(srv.parley.routes.map((r) => rowKey(r.method, r.url)));
    const wrong: string[] = [];
    for (const [key, row] of Object.entries(ROWS)) {
      if (!registered.has(key)) continue;
      for (const id of IDENTITIES) {
        const subject = row.fresh ? await row.fresh(w) : undefined;
        const req = await row.build(w, id, subject);
        let got: Outcome | 'error';
        let detail: string;
        if (row.ws) {
          ({ outcome: got, detail } = await runSocket(w, row, req, id));
        } else {
          const status = await runHttp(w, req);
          got = status >= 500 ? 'error' : status < 400 ? 'ok' : 'refused';
          detail = `HTTP ${status}`;
        }
        if (got !== expected(row, id)) wrong.push(`${key} as ${id}: expected ${expected(row, id)}, got ${got} (${detail})`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);
});
