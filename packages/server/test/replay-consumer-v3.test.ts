import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, startServer, V3, type Running } from './helpers.js';
import { rawRequest } from './raw-request.js';
import { agentJoinsAndSays, browserMultipart, FORM_TYPE, jqueryForm, PNG, until } from './replay-helpers.js';

/**
 * Chat API v3 (`pureengage-v3-rest`) as the Genesys Widgets client sends it (reference §1): jQuery
 * form bodies with bracket nesting and `charset=UTF-8`, a random operationId on every request (in
 * the body, or the query of a GET), the configured `x-api-key` and, once started,
 * `x-nexus-client-key`. Header names are sent in mixed case; the answers are the documented ones.
 */
describe('replay: Chat API v3 client requests', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer({ LONG_POLL_MS: '300' });
  });
  afterAll(() => srv.close());

  const start = async (path = V3, operationId = randomUUID()) => {
    const r = await rawRequest(`${srv.url}${path}`, {
      method: 'POST',
      headers: [
        ['Content-Type', FORM_TYPE],
        ['X-API-Key', API_KEY],
        ['Accept', 'application/json, text/javascript, */*; q=0.01'],
      ],
      body: jqueryForm([
        ['data[firstName]', 'Jonny'],
        ['data[lastName]', 'Smith'],
        ['data[nickname]', 'Jonny'],
        ['data[endpoint]', 'default'],
        ['data[stream]', 'live'],
        ['data[email]', 'j@x.io'],
        ['data[subject]', 'product questions'],
        ['data[userData][_genesys_source]', 'web'],
        ['data[userData][_genesys_referrer]', ''],
        ['data[userData][_genesys_url]', 'http://shop.example/page?a=1&b=2'],
        ['data[userData][_genesys_pageTitle]', 'Shop & more'],
        ['data[userData][_genesys_browser]', 'Chrome'],
        ['data[userData][_genesys_OS]', 'Linux'],
        ['data[userData][customerId]', '59606'],
        ['operationId', operationId],
      ]),
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: { code: 'SUCCESS' }, data: { clientToken: expect.any(String) }, operationId });
    const claims = JSON.parse(Buffer.from(r.body.data.clientToken.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sessionId: expect.any(String), transportId: expect.any(String), participantId: expect.any(String) });
    return { token: r.body.data.clientToken as string, sessionId: claims.sessionId as string, participantId: claims.participantId as string };
  };

  it('start, poll, send, typing, user data, upload, download, history pages, restore, end', async () => {
    const s = await start();
    const keys: [string, string][] = [
      ['x-api-key', API_KEY],
      ['X-Nexus-Client-Key', s.token],
    ];
    const base = `${srv.url}${V3}/${s.sessionId}`;
    const poll = (op: string, query = '') => rawRequest(`${base}/messages?operationId=${op}${query}`, { method: 'GET', headers: keys });
    const post = (path: string, fields: [string, string][], method = 'POST') => rawRequest(`${base}${path}`, { method, headers: [['Content-Type', FORM_TYPE], ...keys], body: jqueryForm(fields) });

    const first = await poll('op-poll-1');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: { code: 'SUCCESS' }, data: { messages: expect.any(Array), lastDeliveredIndex: expect.anything(), chatEnded: false }, operationId: 'op-poll-1' });

    const sent = await post('/messages', [
      ['operationId', 'op-send-1'],
      ['data[type]', 'Text'],
      ['data[text]', 'hi there'],
    ]);
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ status: { code: 'SUCCESS' }, operationId: 'op-send-1' });
    for (const type of ['TypingStarted', 'TypingStopped']) {
      const t = await post('/messages', [
        ['operationId', `op-${type}`],
        ['data[type]', type],
        ['data[text]', 'typ'],
      ]);
      expect([type, t.status, t.body.status.code]).toEqual([type, 200, 'SUCCESS']);
    }
    const ud = await post(
      '/userdata',
      [
        ['data[foo]', 'bar'],
        ['operationId', 'op-ud-1'],
      ],
      'PUT',
    );
    expect(ud.status).toBe(200);
    expect(ud.body).toMatchObject({ status: { code: 'SUCCESS' }, operationId: 'op-ud-1' });

    await agentJoinsAndSays(srv.url, s.sessionId, 'Hello, how can I help?');
    const seen: any[] = [];
    await until(
      async () => {
        const r = await poll(`op-poll-${seen.length + 2}`);
        expect(r.status).toBe(200);
        seen.push(...r.body.data.messages);
        return seen;
      },
      (all) => all.some((m) => m.type === 'Text' && m.from.type === 'Agent'),
    );
    const agentText = seen.find((m) => m.type === 'Text' && m.from.type === 'Agent');
    expect(agentText).toMatchObject({
      text: 'Hello, how can I help?',
      index: expect.stringMatching(/^\d+-\d+$/),
      utcTime: expect.any(String),
      from: { participantId: expect.any(String), nickname: expect.any(String) },
    });
    expect(seen.some((m) => m.type === 'ParticipantJoined' && m.from.type === 'Agent')).toBe(true);

    const mp = browserMultipart({ name: 'dot.png', type: 'image/png', bytes: PNG }, [['operationId', 'op-upload-1']]);
    const up = await rawRequest(`${base}/images`, { method: 'POST', headers: [['Content-Type', mp.type], ...keys], body: mp.body });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ status: { code: 'SUCCESS' }, operationId: 'op-upload-1' });
    const content = up.body.data.message.content[0];
    expect(content).toMatchObject({ type: 'image', mime: 'image/png' });
    const file = await rawRequest(`${srv.url}${V3.replace(/\/sessions$/, '')}${content.url}`, { method: 'GET' });
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');

    // restore after a reload: the newest page, then older pages by index, in log order
    const newest = await poll('op-restore-1', '&count=2');
    expect(newest.status).toBe(200);
    expect(newest.body.data.messages).toHaveLength(2);
    const older = await poll('op-restore-2', `&count=20&index=${newest.body.data.messages[0].index}`);
    expect(older.status).toBe(200);
    const texts = [...older.body.data.messages, ...newest.body.data.messages].filter((m: any) => m.type === 'Text').map((m: any) => m.text);
    expect(texts).toEqual(['hi there', 'Hello, how can I help?']);
    const indexes = [...older.body.data.messages, ...newest.body.data.messages].map((m: any) => m.index);
    expect(new Set(indexes).size).toBe(indexes.length);

    const end = await rawRequest(`${base}/participants/${s.participantId}`, { method: 'DELETE', headers: [['Content-Type', FORM_TYPE], ...keys], body: jqueryForm([['operationId', 'op-end-1']]) });
    expect(end.status).toBe(200);
    expect(end.body).toMatchObject({ status: { code: 'SUCCESS' }, data: { chatEnded: true }, operationId: 'op-end-1' });
    const after = await poll('op-poll-after');
    expect(after.body.data.chatEnded).toBe(true);
  });

  it('a dataURL with a trailing slash and an end with operationId in the query and no body work too', async () => {
    const s = await start(`${V3}/`);
    const keys: [string, string][] = [
      ['X-Api-Key', API_KEY],
      ['x-nexus-client-key', s.token],
    ];
    const poll = await rawRequest(`${srv.url}${V3}/${s.sessionId}/messages/?operationId=op-slash`, { method: 'GET', headers: keys });
    expect(poll.status).toBe(200);
    expect(poll.body.operationId).toBe('op-slash');
    const end = await rawRequest(`${srv.url}${V3}/${s.sessionId}/participants/${s.participantId}?operationId=op-end-q`, { method: 'DELETE', headers: [['Content-Type', FORM_TYPE], ...keys] });
    expect(end.status).toBe(200);
    expect(end.body).toMatchObject({ data: { chatEnded: true }, operationId: 'op-end-q' });
  });

  it('a gone session answers INVALID_SESSION (the client publishes sessionLost / restoreFailed)', async () => {
    const s = await start();
    const keys: [string, string][] = [
      ['x-api-key', API_KEY],
      ['x-nexus-client-key', s.token],
    ];
    await rawRequest(`${srv.url}${V3}/${s.sessionId}/participants/${s.participantId}?operationId=op-e`, { method: 'DELETE', headers: keys });
    const send = await rawRequest(`${srv.url}${V3}/${s.sessionId}/messages`, {
      method: 'POST',
      headers: [['Content-Type', FORM_TYPE], ...keys],
      body: jqueryForm([
        ['operationId', 'op-late'],
        ['data[type]', 'Text'],
        ['data[text]', 'late'],
      ]),
    });
    expect(send.status).toBe(404);
    expect(send.body.status.code).toBe('INVALID_SESSION');
    const stranger = await rawRequest(`${srv.url}${V3}/00000000-0000-4000-8000-000000000000/messages?operationId=op-x`, { method: 'GET', headers: [['x-api-key', API_KEY]] });
    expect([401, 404]).toContain(stranger.status);
  });
});
