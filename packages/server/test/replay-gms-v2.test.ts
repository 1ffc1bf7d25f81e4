import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, startServer, type Running } from './helpers.js';
import { GMS } from './compat-helpers.js';
import { rawRequest } from './raw-request.js';
import { agentJoinsAndSays, browserMultipart, FORM_TYPE, jqueryForm, PNG, until } from './replay-helpers.js';

/**
 * GMS chat v2 (no transport.type, `webchat.dataURL`) as the Genesys Widgets client sends it
 * (reference §2): every call a jQuery form POST with `charset=UTF-8`, the `apikey` header and
 * alias/userId/secureKey; the request goes to `{dataURL}/` with a trailing slash. Header names in
 * mixed case. Every answer is `{statusCode: 0, alias, userId, secureKey, chatId, chatEnded, nextPosition, messages}`.
 */
describe('replay: GMS chat v2 client requests', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(() => srv.close());

  const dataURL = () => `${srv.url}${GMS}/customer-support`;

  async function requestChat() {
    const r = await rawRequest(`${dataURL()}/`, {
      method: 'POST',
      headers: [
        ['Content-Type', FORM_TYPE],
        ['apikey', API_KEY],
        ['X-Requested-With', 'XMLHttpRequest'],
      ],
      body: jqueryForm([
        ['alias', ''],
        ['secureKey', ''],
        ['userId', ''],
        ['nickname', 'Jonny'],
        ['firstName', 'Jonny'],
        ['lastName', 'Smith'],
        ['emailAddress', 'j@x.io'],
        ['subject', 'product questions'],
        ['text', ''],
        ['userData[GCTI_LanguageCode]', 'en'],
        ['userData[customerId]', '59606'],
        ['userData[_genesys_source]', 'web'],
        ['userData[_genesys_referrer]', ''],
        ['userData[_genesys_url]', 'http://shop.example/page?a=1&b=2'],
        ['userData[_genesys_pageTitle]', 'Shop'],
        ['userData[_genesys_browser]', 'Chrome'],
        ['userData[_genesys_OS]', 'Linux'],
        ['userData[_genesys_widgets]', '9.0.018.07'],
      ]),
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      statusCode: 0,
      alias: expect.any(String),
      userId: expect.any(String),
      secureKey: expect.any(String),
      chatId: expect.any(String),
      chatEnded: false,
      nextPosition: expect.any(Number),
      messages: expect.any(Array),
    });
    return { alias: r.body.alias as string, userId: r.body.userId as string, secureKey: r.body.secureKey as string, chatId: r.body.chatId as string };
  }

  it('request chat, refresh, send, typing, custom notice, updateData, file limits, upload, download, restore, disconnect', async () => {
    const c = await requestChat();
    const keys: [string, string][] = [
      ['alias', c.alias],
      ['userId', c.userId],
      ['secureKey', c.secureKey],
    ];
    let slash = false;
    const call = async (action: string, fields: [string, string | number][] = []) => {
      // every other call with the trailing slash the client adds when enableUrlTrailingSlash is on
      slash = !slash;
      const r = await rawRequest(`${dataURL()}/${c.chatId}/${action}${slash ? '/' : ''}`, {
        method: 'POST',
        headers: [
          ['Content-Type', FORM_TYPE],
          ['APIKEY', API_KEY],
        ],
        body: jqueryForm([...keys, ...fields]),
      });
      expect([action, r.status, r.body.statusCode]).toEqual([action, 200, 0]);
      expect(r.body).toMatchObject({
        alias: c.alias,
        userId: c.userId,
        secureKey: c.secureKey,
        chatId: c.chatId,
        chatEnded: expect.any(Boolean),
        nextPosition: expect.any(Number),
        messages: expect.any(Array),
      });
      return r.body;
    };

    const first = await call('refresh', [
      ['transcriptPosition', 1],
      ['message', ''],
    ]);
    expect(first.messages.some((m: any) => m.type === 'ParticipantJoined' && m.from.type === 'Client')).toBe(true);
    await call('send', [
      ['message', 'hi there'],
      ['messageType', 'text'],
    ]);
    await call('startTyping', [
      ['transcriptPosition', 2],
      ['message', 'typ'],
    ]);
    await call('stopTyping', [
      ['transcriptPosition', 2],
      ['message', 'typ'],
    ]);
    await call('customNotice', [['message', 'the visitor opened the pricing page']]);
    await call('updateData', [['userData[foo]', 'bar']]);
    const limits = await call('file/limits');
    expect(limits.userData).toMatchObject({ 'upload-max-file-size': expect.any(String), 'upload-file-types': expect.stringContaining('png') });

    await agentJoinsAndSays(srv.url, c.chatId, 'Hello, how can I help?');
    const all = await until(
      () =>
        call('refresh', [
          ['transcriptPosition', 1],
          ['message', ''],
        ]),
      (b) => b.messages.some((m: any) => m.type === 'Message' && m.from.type === 'Agent'),
    );
    expect(all.messages.map((m: any) => m.index)).toEqual(all.messages.map((_: unknown, i: number) => i + 1));
    expect(all.messages.filter((m: any) => m.type === 'Message').map((m: any) => [m.from.type, m.text])).toEqual([
      ['Client', 'hi there'],
      ['Agent', 'Hello, how can I help?'],
    ]);
    expect(all.messages.some((m: any) => m.type === 'CustomNotice' && m.text === 'the visitor opened the pricing page')).toBe(true);

    const mp = browserMultipart({ name: 'dot.png', type: 'image/png', bytes: PNG }, keys);
    const up = await rawRequest(`${dataURL()}/${c.chatId}/file`, {
      method: 'POST',
      headers: [
        ['Content-Type', mp.type],
        ['apikey', API_KEY],
      ],
      body: mp.body,
    });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ statusCode: 0, userData: { 'file-id': expect.any(String) } });
    const fileId = up.body.userData['file-id'];
    const down = await rawRequest(`${dataURL()}/${c.chatId}/file/${fileId}/download?${jqueryForm(keys)}`, { method: 'GET' });
    expect(down.status).toBe(200);
    expect(down.headers['content-type']).toBe('image/png');

    // restore after a reload: the client asks from position 1 again and gets the transcript once, in order
    const restored = await call('refresh', [
      ['transcriptPosition', 1],
      ['message', ''],
    ]);
    const indexes = restored.messages.map((m: any) => m.index);
    expect(indexes).toEqual(indexes.map((_: unknown, i: number) => i + 1));
    expect(restored.messages.some((m: any) => m.type === 'FileUploaded')).toBe(true);
    const later = await call('refresh', [
      ['transcriptPosition', indexes.length + 1],
      ['message', ''],
    ]);
    expect(later.messages).toEqual([]);

    const bye = await call('disconnect');
    expect(bye.chatEnded).toBe(true);
  });

  it('a gone chat answers statusCode 2 with chatEnded (the client publishes restoreFailed)', async () => {
    const c = await requestChat();
    const keys: [string, string][] = [
      ['alias', c.alias],
      ['userId', c.userId],
      ['secureKey', c.secureKey],
    ];
    await rawRequest(`${dataURL()}/${c.chatId}/disconnect`, {
      method: 'POST',
      headers: [
        ['Content-Type', FORM_TYPE],
        ['apikey', API_KEY],
      ],
      body: jqueryForm(keys),
    });
    const send = await rawRequest(`${dataURL()}/${c.chatId}/send`, {
      method: 'POST',
      headers: [
        ['Content-Type', FORM_TYPE],
        ['apikey', API_KEY],
      ],
      body: jqueryForm([...keys, ['message', 'late'], ['messageType', 'text']]),
    });
    expect(send.body).toMatchObject({ statusCode: 2, chatEnded: true, errors: [{ code: 102 }] });
  });
});
