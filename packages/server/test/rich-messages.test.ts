import { createServer } from 'node:http';
import { richContent } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlow, questionExtra } from '../src/flows/definition.js';
import { Agent, http, startServer, V3Customer, type Running } from './helpers.js';
import { GmsCustomer, GuestCustomer, guestCreateBody } from './compat-helpers.js';

const SERVER_KEY = 'sk-test-server-key-rich-123456';
const HOSTILE = '<img src=x onerror=alert(1)>';

const quickReplies = { kind: 'quickReplies', replies: [{ text: 'Yes' }, { text: 'No thanks', value: 'no' }] };
const card = {
  kind: 'card',
  card: {
    title: 'Blue shirt',
    description: 'Cotton, all sizes',
    image: 'https://shop.example/shirt.png',
    actions: [
      { type: 'link', text: 'See it', url: 'https://shop.example/shirt' },
      { type: 'reply', text: 'Buy' },
    ],
  },
};

/** docs/rich-messages.md: rich content from the workflow API, the agent API and flows, on every transport, always with its text. */
describe('rich messages', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer({ PARLEY_DEMO_SERVER_KEY: SERVER_KEY, PARLEY_DEMO_BOT: 'true' }, undefined, { sweepEveryMs: 0 });
  });
  afterAll(() => srv.close());
  const wf = (sessionId: string, body: Record<string, unknown>) => http(`${srv.url}/workflow/v1/sessions/${sessionId}/message`, { method: 'POST', headers: { 'x-api-key': SERVER_KEY }, json: body });

  it('a workflow-API rich message reaches Chat API v3 as data.rich with its text', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    const r = await wf(c.sessionId, { MessageText: 'Anything else?', Rich: quickReplies, Nickname: 'Router' });
    expect(r.status).toBe(200);
    expect(r.body.message).toMatchObject({ type: 'Text', text: 'Anything else?', data: { rich: quickReplies } });
    const seen = await c.pollUntil((s) => s.some((m) => m.text === 'Anything else?'));
    expect(seen.find((m) => m.text === 'Anything else?')).toMatchObject({ type: 'Text', from: { type: 'External' }, data: { rich: quickReplies } });
    // Form bodies (seed 002's encoding) carry it with brackets: Rich[replies][0][text]=Yes
    const form = await http(`${srv.url}/workflow/v1/sessions/${c.sessionId}/message`, { method: 'POST', headers: { 'x-api-key': SERVER_KEY }, form: { MessageText: 'Form', Rich: quickReplies } });
    expect(form.body.message).toMatchObject({ text: 'Form', data: { rich: quickReplies } });
    // Without MessageText the text is the plain-text form of the content: every choice and link is in it.
    const bare = await wf(c.sessionId, { Rich: card });
    expect(bare.status).toBe(200);
    expect(bare.body.message.text).toBe('Blue shirt\nCotton, all sizes\nhttps://shop.example/shirt.png\nSee it: https://shop.example/shirt\n• Buy');
  });

  it('reaches GMS chat v2 as a Message with its text, and data.rich beside it', async () => {
    const c = new GmsCustomer(srv.url);
    await c.start();
    expect((await wf(c.chatId, { MessageText: 'Pick one', Rich: quickReplies })).status).toBe(200);
    const seen = await c.refreshUntil((s) => s.some((m) => m.text === 'Pick one'));
    expect(seen.find((m) => m.text === 'Pick one')).toMatchObject({ type: 'Message', text: 'Pick one', from: { type: 'External' }, data: { rich: quickReplies } });
  });

  it('reaches guest chat v2 on the stream and in the history as a standard body with data.rich', async () => {
    const c = new GuestCustomer(srv.url);
    await c.create(guestCreateBody('demo'));
    const stream = c.stream();
    expect((await wf(c.id, { Rich: quickReplies })).status).toBe(200);
    const body = await stream.until((frames) => frames.map((f) => f.eventBody).find((b) => b?.data?.rich?.replies?.[0]?.text === 'Yes'));
    expect(body).toMatchObject({ bodyType: 'standard', body: '• Yes\n• No thanks', data: { rich: quickReplies } });
    await stream.close();
    const history = await c.call('GET', '/messages?maxResults=50');
    expect(history.body.entities.find((m: any) => m.data?.rich?.replies?.[0]?.text === 'Yes')).toMatchObject({ body: '• Yes\n• No thanks', bodyType: 'standard' });
  });

  it('refuses rich content out of bounds, with other link schemes, or unknown fields, naming the field', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    const bad = [
      { kind: 'buttons', buttons: [{ type: 'link', text: 'go', url: 'javascript:alert(1)' }] },
      { kind: 'card', card: { title: 't', image: 'data:image/png;base64,AA' } },
      { kind: 'quickReplies', replies: Array.from({ length: 14 }, (_, i) => ({ text: `o${i}` })) },
      { kind: 'quickReplies', replies: [{ text: 'x'.repeat(101) }] },
      { kind: 'quickReplies', replies: [{ text: 'x' }], html: '<b>x</b>' },
      { kind: 'html', html: HOSTILE },
    ];
    for (const Rich of bad) {
      const r = await wf(c.sessionId, { MessageText: 'x', Rich });
      expect(r.status, JSON.stringify(Rich)).toBe(400);
      expect(r.body.status.message).toMatch(/Rich/);
    }
    expect((await wf(c.sessionId, {})).body.status.message).toMatch(/MessageText is required/);
  });

  it('the agent API sends quick replies; the customer taps one and it comes back as their text', async () => {
    const c = new V3Customer(srv.url);
    await c.start({ firstName: 'Rich', email: 'rich@example.com' });
    await c.send('Text', 'agent');
    await c.pollUntil((s) => s.some((m) => m.data?.interactionState === 'Queued'));
    const agent = await new Agent(srv.url).login();
    await agent.acceptFor(c.sessionId);
    const hostile = { kind: 'quickReplies', replies: [{ text: HOSTILE }, { text: 'Fine' }] };
    const sent = await agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Text', text: 'Did that help?', rich: hostile });
    expect(sent.status).toBe(200);
    expect(sent.body.message).toMatchObject({ text: 'Did that help?', data: { rich: hostile } });
    const seen = await c.pollUntil((s) => s.some((m) => m.text === 'Did that help?'));
    expect(seen.find((m) => m.text === 'Did that help?')).toMatchObject({ from: { type: 'Agent' }, data: { rich: hostile } });
    await c.send('Text', 'Fine');
    const log = (await agent.call('GET', `/sessions/${c.sessionId}/messages`)).body.messages;
    expect(log.find((m: any) => m.text === 'Fine')).toMatchObject({ type: 'Text', from: { type: 'Customer' } });
    // Only on Text, and only what the schema takes.
    expect((await agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Notice', text: 'n', rich: hostile })).status).toBe(400);
    expect((await agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Text', rich: { kind: 'buttons', buttons: [] } })).status).toBe(400);
    const bare = await agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Text', rich: { kind: 'quickReplies', replies: [{ text: 'A' }, { text: 'B' }] } });
    expect(bare.body.message.text).toBe('• A\n• B');
  });

  it("the demo flow's question comes with quick replies; tapping Agent routes to an agent", async () => {
    const c = new V3Customer(srv.url);
    await c.start({ firstName: 'Tap', email: 'tap@example.com' });
    const seen = await c.pollUntil((s) => s.some((m) => m.data?.rich));
    const question = seen.find((m) => m.data?.rich);
    expect(question).toMatchObject({
      text: "Type 'hours', or 'agent' to talk to a person.",
      from: { type: 'External', nickname: 'Parley Bot' },
      data: { rich: { kind: 'quickReplies', replies: [{ text: 'Hours' }, { text: 'Agent' }] } },
    });
    await c.send('Text', 'Agent');
    await c.pollUntil((s) => s.some((m) => m.data?.interactionState === 'Queued'));
  });

  it('a bot reply may carry rich content; the bot-reply API refuses content that does not parse', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    await c.pollUntil((s) => s.some((m) => m.data?.rich));
    const reply = (replies: unknown[]) => http(`${srv.url}/workflow/v1/sessions/${c.sessionId}/bot-reply`, { method: 'POST', headers: { 'x-api-key': SERVER_KEY }, json: { replies } });
    expect((await reply([{ text: 'Which size?', rich: { kind: 'listPicker', items: [{ title: 'S' }, { title: 'M' }] } }])).status).toBe(200);
    const seen = await c.pollUntil((s) => s.some((m) => m.text === 'Which size?'));
    expect(seen.find((m) => m.text === 'Which size?')?.data).toEqual({ rich: { kind: 'listPicker', items: [{ title: 'S' }, { title: 'M' }] } });
    expect((await reply([{ text: 'x', rich: { kind: 'buttons', buttons: [{ type: 'link', text: 'go', url: 'javascript:x' }] } }])).status).toBe(400);
  });
});

describe('flow questions with options, and bots, send quick replies', () => {
  it("a question's options are bounded as quick replies are", () => {
    const flow = (options: unknown) => ({ id: 'f', start: 'q', steps: { q: { ask: 'Which?', options, fallback: 'q' } } });
    const ok = parseFlow(flow(['A', ' B ']));
    expect(richContent.parse(questionExtra(ok.steps.q!).data!.rich)).toEqual({ kind: 'quickReplies', replies: [{ text: 'A' }, { text: 'B' }] });
    expect(questionExtra(parseFlow(flow(undefined)).steps.q!)).toEqual({});
    expect(() => parseFlow(flow(Array.from({ length: 14 }, (_, i) => `o${i}`)))).toThrow(/steps\.q/);
    expect(() => parseFlow(flow(['x'.repeat(101)]))).toThrow(/steps\.q/);
    expect(() => parseFlow(flow(['a\nb']))).toThrow(/steps\.q/);
    expect(() => parseFlow(flow([]))).toThrow(/steps\.q/);
  });

  it('a question asked again after an invalid answer carries its options again; a webhook bot sends rich replies, and unparseable content is dropped', async () => {
    const bot = createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            replies: [
              { text: 'Pick a size', rich: { kind: 'listPicker', items: [{ title: 'S' }, { title: 'M' }] } },
              { text: 'Kept as text', rich: { kind: 'buttons', buttons: [{ type: 'link', text: 'x', url: 'javascript:alert(1)' }] } },
            ],
          }),
        ),
      );
    });
    await new Promise<void>((r) => bot.listen(0, '127.0.0.1', () => r()));
    const srv = await startServer({}, undefined, { sweepEveryMs: 0 });
    try {
      await srv.parley.store.tx(async (tx) => {
        const d = (await tx.getDeployment('demo'))!;
        const flow = {
          id: 'rich',
          start: 'q',
          steps: {
            q: { ask: 'Yes or no?', options: ['Yes', 'No'], validate: '^(yes|no)$', invalid: 'Please tap Yes or No.', next: 'bot' },
            bot: { webhook: { url: `http://127.0.0.1:${(bot.address() as any).port}/bot`, timeoutMs: 2000, retries: 0 }, fallback: 'q' },
          },
        };
        await tx.updateDeployment({ ...d, settings: { ...d.settings, flow } });
      });
      const c = new V3Customer(srv.url);
      await c.start();
      const qr = { rich: { kind: 'quickReplies', replies: [{ text: 'Yes' }, { text: 'No' }] } };
      await c.pollUntil((s) => s.some((m) => m.text === 'Yes or no?'));
      expect(c.seen.find((m) => m.text === 'Yes or no?')?.data).toEqual(qr);
      await c.send('Text', 'maybe');
      await c.pollUntil((s) => s.some((m) => m.text === 'Please tap Yes or No.'));
      expect(c.seen.find((m) => m.text === 'Please tap Yes or No.')?.data).toEqual(qr);
      await c.send('Text', 'yes');
      await c.pollUntil((s) => s.some((m) => m.text === 'Kept as text'));
      expect(c.seen.find((m) => m.text === 'Pick a size')?.data).toEqual({ rich: { kind: 'listPicker', items: [{ title: 'S' }, { title: 'M' }] } });
      expect(c.seen.find((m) => m.text === 'Kept as text')?.data).toBeUndefined();
    } finally {
      await srv.close();
      bot.closeAllConnections();
      await new Promise((r) => bot.close(r));
    }
  });
});
