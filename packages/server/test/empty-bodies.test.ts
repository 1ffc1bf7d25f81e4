import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, AGENT, API_KEY, startServer, V3, V3Customer, type Running } from './helpers.js';
import { GMS, GmsCustomer, GUEST, GuestCustomer, guestCreateBody } from './compat-helpers.js';
import { rawRequest, type RawRequest } from './raw-request.js';

/**
 * Requests that declare a Content-Type but carry no body, the way Genesys clients send them, on
 * every API: accepted where a body is optional; refused in the API's own error format, naming
 * what is missing, where one is required. Each shape is sent with Content-Length: 0, without any
 * length, and as an empty chunked body.
 */
const JSON_UTF8 = 'application/json; charset=utf-8';
const FORM_UTF8 = 'application/x-www-form-urlencoded; charset=UTF-8';
const DECLARED = [JSON_UTF8, 'application/json', FORM_UTF8, 'text/plain;charset=UTF-8', 'multipart/form-data; boundary=----x', 'application/octet-stream'];

const SERVER_KEY = 'sk-test-server-key-123456';

type Empty = Pick<RawRequest, 'chunked'> & { length: boolean; label: string };
const EMPTY: Empty[] = [
  { label: 'Content-Length: 0', length: true },
  { label: 'no length', length: false },
  { label: 'empty chunked', length: false, chunked: true },
];

function emptyRequest(method: string, contentType: string, how: Empty, headers: [string, string][] = []): RawRequest {
  return { method, chunked: how.chunked, headers: [['Content-Type', contentType], ...(how.length ? ([['Content-Length', '0']] as [string, string][]) : []), ...headers] };
}

describe('empty bodies on every API', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer({ PARLEY_DEMO_SERVER_KEY: SERVER_KEY });
  });
  afterAll(() => srv.close());

  describe('guest chat v2', () => {
    for (const how of EMPTY) {
      it(`typing POST and the ending DELETE with ${JSON_UTF8} and no body (${how.label})`, async () => {
        const g = new GuestCustomer(srv.url);
        await g.create(guestCreateBody('demo'));
        const auth: [string, string] = ['Authorization', `Bearer ${g.jwt}`];
        const typing = await rawRequest(`${srv.url}${GUEST}/${g.id}/members/${g.memberId}/typing`, emptyRequest('POST', JSON_UTF8, how, [auth]));
        expect(typing.status).toBe(200);
        expect(typing.body).toMatchObject({ conversation: { id: g.id }, sender: { id: g.memberId } });

        const end = await rawRequest(`${srv.url}${GUEST}/${g.id}/members/${g.memberId}`, emptyRequest('DELETE', JSON_UTF8, how, [auth]));
        expect(end.status).toBe(204);
        const me = await g.member(g.memberId);
        expect(me.body.state).toBe('DISCONNECTED');
      });
    }

    it('typing and ending accept any declared type when empty', async () => {
      const g = new GuestCustomer(srv.url);
      await g.create(guestCreateBody('demo'));
      const auth: [string, string] = ['authorization', `Bearer ${g.jwt}`];
      for (const type of DECLARED) {
        const r = await rawRequest(`${srv.url}${GUEST}/${g.id}/members/${g.memberId}/typing`, emptyRequest('POST', type, EMPTY[0]!, [auth]));
        expect([type, r.status]).toEqual([type, 200]);
      }
      const end = await rawRequest(`${srv.url}${GUEST}/${g.id}/members/${g.memberId}`, emptyRequest('DELETE', 'text/plain', EMPTY[1]!, [auth]));
      expect(end.status).toBe(204);
    });

    it('a send without its body, or with broken JSON, is refused in the guest error format naming the field', async () => {
      const g = new GuestCustomer(srv.url);
      await g.create(guestCreateBody('demo'));
      const url = `${srv.url}${GUEST}/${g.id}/members/${g.memberId}/messages`;
      const auth: [string, string] = ['Authorization', `Bearer ${g.jwt}`];
      const empty = await rawRequest(url, emptyRequest('POST', JSON_UTF8, EMPTY[0]!, [auth]));
      expect(empty.status).toBe(400);
      expect(empty.body).toEqual({ message: expect.stringMatching(/body/), code: 'bad.request', status: 400, contextId: expect.any(String) });
      const broken = await rawRequest(url, { method: 'POST', headers: [['Content-Type', JSON_UTF8], auth], body: '{"body": "hi"' });
      expect(broken.status).toBe(400);
      expect(broken.body).toMatchObject({ code: 'bad.request', status: 400, contextId: expect.any(String) });
      const create = await rawRequest(`${srv.url}${GUEST}`, emptyRequest('POST', JSON_UTF8, EMPTY[2]!));
      expect(create.status).toBe(400);
      expect(create.body).toMatchObject({ message: expect.stringMatching(/deploymentId/), code: 'bad.request', status: 400 });
    });
  });

  describe('Chat API v3', () => {
    for (const how of EMPTY) {
      it(`the ending DELETE with a form type and no body (${how.label}); operationId in the query`, async () => {
        const c = new V3Customer(srv.url);
        await c.start();
        const r = await rawRequest(
          `${srv.url}${V3}/${c.sessionId}/participants/${c.participantId}?operationId=op-end-1`,
          emptyRequest('DELETE', FORM_UTF8, how, [
            ['x-api-key', API_KEY],
            ['x-nexus-client-key', c.token],
          ]),
        );
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ status: { code: 'SUCCESS' }, data: { chatEnded: true }, operationId: 'op-end-1' });
      });
    }

    it('a send or user data update without its body is refused in the v3 envelope naming data', async () => {
      const c = new V3Customer(srv.url);
      await c.start();
      const headers: [string, string][] = [
        ['X-Api-Key', API_KEY],
        ['X-Nexus-Client-Key', c.token],
      ];
      for (const [method, path] of [
        ['POST', 'messages'],
        ['PUT', 'userdata'],
      ] as const) {
        for (const type of [FORM_UTF8, JSON_UTF8, 'text/plain']) {
          const r = await rawRequest(`${srv.url}${V3}/${c.sessionId}/${path}`, emptyRequest(method, type, EMPTY[0]!, headers));
          expect([path, type, r.status]).toEqual([path, type, 400]);
          expect(r.body).toEqual({ status: { code: 'INVALID_REQUEST', message: expect.stringMatching(/data/) }, referenceId: expect.any(String) });
        }
      }
      const upload = await rawRequest(`${srv.url}${V3}/${c.sessionId}/images`, emptyRequest('POST', 'multipart/form-data; boundary=----x', EMPTY[0]!, headers));
      expect(upload.status).toBe(400);
      expect(upload.body.status).toEqual({ code: 'INVALID_REQUEST', message: expect.stringMatching(/file/) });
    });
  });

  describe('GMS chat v2', () => {
    it('a call without its keys is refused in the GMS format naming them; an empty multipart upload names the file', async () => {
      const c = new GmsCustomer(srv.url);
      await c.start();
      for (const type of [FORM_UTF8, JSON_UTF8, 'text/plain']) {
        const r = await rawRequest(`${c.dataURL}/${c.chatId}/refresh`, emptyRequest('POST', type, EMPTY[0]!, [['apikey', API_KEY]]));
        expect([type, r.status]).toEqual([type, 400]);
        expect(r.body).toEqual({ statusCode: 2, errors: [{ code: 101, advice: expect.stringMatching(/secureKey/) }] });
      }
      const upload = await rawRequest(`${c.dataURL}/${c.chatId}/file`, emptyRequest('POST', 'multipart/form-data; boundary=----x', EMPTY[1]!, [['apikey', API_KEY]]));
      expect(upload.status).toBe(400);
      expect(upload.body).toEqual({ statusCode: 2, errors: [{ code: 101, advice: expect.stringMatching(/file/) }] });
      const broken = await rawRequest(`${c.dataURL}/${c.chatId}/refresh`, {
        method: 'POST',
        headers: [
          ['Content-Type', JSON_UTF8],
          ['apikey', API_KEY],
        ],
        body: '{',
      });
      expect(broken.status).toBe(400);
      expect(broken.body).toMatchObject({ statusCode: 2, errors: [{ code: 101 }] });
    });
  });

  describe('agent, admin and workflow APIs', () => {
    it('bodyless actions go through; required bodies are named in the shared envelope', async () => {
      const agent = await new Agent(srv.url).login();
      const auth: [string, string] = ['Authorization', `Bearer ${agent.token}`];
      const id = '00000000-0000-4000-8000-000000000001';
      const accept = await rawRequest(`${srv.url}/agent/v1/interactions/${id}/accept`, emptyRequest('POST', JSON_UTF8, EMPTY[0]!, [auth]));
      expect(accept.status).toBe(404);
      expect(accept.body.status.code).toBe('NOT_FOUND');
      const presence = await rawRequest(`${srv.url}/agent/v1/me/presence`, emptyRequest('PUT', JSON_UTF8, EMPTY[2]!, [auth]));
      expect(presence.status).toBe(400);
      expect(presence.body).toEqual({ status: { code: 'INVALID_REQUEST', message: expect.stringMatching(/presence/) }, referenceId: expect.any(String) });
      const login = await rawRequest(`${srv.url}/agent/v1/login`, { method: 'POST', headers: [['Content-Type', JSON_UTF8]], body: '{"username":' });
      expect(login.status).toBe(400);
      expect(login.body.status.code).toBe('INVALID_REQUEST');
      const odd = await rawRequest(`${srv.url}/agent/v1/login`, { method: 'POST', headers: [['Content-Type', 'application/xml']], body: '<login/>' });
      expect(odd.status).toBe(415);
      expect(odd.body.status.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      // the admin API: a required body is named
      const admin = await new Agent(srv.url, { username: 'admin', password: AGENT.password }).login();
      const queue = await rawRequest(`${srv.url}/admin/v1/queues`, emptyRequest('POST', JSON_UTF8, EMPTY[1]!, [['Authorization', `Bearer ${admin.token}`]]));
      expect(queue.status).toBe(400);
      expect(queue.body).toEqual({ status: { code: 'INVALID_REQUEST', message: expect.stringMatching(/queue/) }, referenceId: expect.any(String) });
      // the workflow API: closing a ticket takes an optional body; a message needs its text
      const ticket = await rawRequest(`${srv.url}/workflow/v1/tickets/${id}/close`, emptyRequest('POST', JSON_UTF8, EMPTY[0]!, [['X-Api-Key', SERVER_KEY]]));
      expect(ticket.status).toBe(404);
      expect(ticket.body.status).toEqual({ code: 'NOT_FOUND', message: 'ticket not found' });
      const c = new V3Customer(srv.url);
      await c.start();
      const message = await rawRequest(`${srv.url}/workflow/v1/sessions/${c.sessionId}/message`, emptyRequest('POST', FORM_UTF8, EMPTY[2]!, [['x-api-key', SERVER_KEY]]));
      expect(message.status).toBe(400);
      expect(message.body.status).toEqual({ code: 'INVALID_REQUEST', message: expect.stringMatching(/MessageText is required/) });
    });
  });
});
