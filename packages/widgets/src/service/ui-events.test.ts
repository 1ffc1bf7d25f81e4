/**
 * Seed 004 on the service side: messages whose `event` is `ui-event-*` reach page code on the bus
 * as `WebChatService.uiEvent` {name, data, restoring, message} and as `WebChatService.<name>`
 * (the data); a restore replays them in order with `restoring: true`. Against a real server with
 * the demo bot; the UI events are sent through the workflow API.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BusEvent } from '../bus/cxbus.js';
import { clearCookies, openPage, startServer, v3Config, type Page, type TestServer } from './server.testkit.js';

const SERVER_KEY = 'sk_test_ui_events_0123456789';
const PROMO = {
  title: 'Do you want to exit from chat?',
  options: [
    { title: 'Exit', text: 'talk to bot' },
    { title: 'FAQ', url: 'https://example.com/faq' },
  ],
};

let srv: TestServer;
const pages: Page[] = [];

/** A page whose bus also records the UI events (the test kit records the standard events only). */
function page(): Page & { ui: BusEvent[] } {
  const p = openPage(v3Config(srv.url));
  const ui: BusEvent[] = [];
  for (const ev of ['uiEvent', 'ui-event-update-promotion', 'ui-event-close-promotion', 'ui-event-custom']) p.bus.subscribe('WebChatService.' + ev, (e) => ui.push(e));
  pages.push(p);
  return Object.assign(p, { ui });
}

async function uiEvent(sessionId: string, name: string, data?: unknown): Promise<void> {
  const res = await fetch(`${srv.url}/workflow/v1/sessions/${sessionId}/ui-events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': SERVER_KEY },
    body: JSON.stringify({ name, data }),
  });
  if (!res.ok) throw new Error(`ui-events: ${res.status} ${await res.text()}`);
}

async function until<T>(fn: () => T, what: string, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 30));
  }
}

beforeAll(async () => {
  srv = await startServer({ PARLEY_DEMO_BOT: 'true', PARLEY_DEMO_SERVER_KEY: SERVER_KEY });
});
afterAll(() => srv.close());
beforeEach(() => clearCookies());
afterEach(async () => {
  for (const p of pages.splice(0)) {
    if (p.svc.data('sessionActive')) await p.cmd('WebChatService.endChat').catch(() => undefined);
    p.unload();
  }
});

describe('WebChatService UI events (seed 004)', () => {
  it('publishes uiEvent and the named event; bot messages come from an External participant', async () => {
    const p = page();
    const sid = (await p.cmd('WebChatService.startChat', { nickname: 'Ann' })).data.sessionId;
    const greet = await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.type === 'Message' && /agent/.test(m.text)));
    const bot = greet.data.messages.find((m: any) => m.type === 'Message');
    expect(bot.from).toMatchObject({ type: 'External', name: 'Parley Bot' });
    await p.next('botConnected');

    await uiEvent(sid, 'ui-event-update-promotion', PROMO);
    await until(() => p.ui.length >= 2, 'the update events');
    expect(p.ui.map((e) => e.event)).toEqual(['WebChatService.uiEvent', 'WebChatService.ui-event-update-promotion']);
    expect(p.ui[0]!.data).toMatchObject({ name: 'ui-event-update-promotion', data: PROMO, restoring: false, message: { type: 'Notice', event: 'ui-event-update-promotion' } });
    expect(p.ui[1]!.data).toEqual(PROMO);

    await uiEvent(sid, 'ui-event-close-promotion', {});
    await until(() => p.ui.length >= 4, 'the close events');
    expect(p.ui.slice(2).map((e) => [e.event, e.data.name ?? e.data])).toEqual([
      ['WebChatService.uiEvent', 'ui-event-close-promotion'],
      ['WebChatService.ui-event-close-promotion', {}],
    ]);
    // ordinary messages never publish UI events
    await p.cmd('WebChatService.sendMessage', { message: 'hours' });
    await p.next('messageReceived', (e) => e.data.messages.some((m: any) => /Monday/.test(m.text ?? '')));
    expect(p.ui).toHaveLength(4);
  }, 20_000);

  it('a restore replays the UI events in order, marked restoring', async () => {
    const first = page();
    const sid = (await first.cmd('WebChatService.startChat', { nickname: 'Reloader' })).data.sessionId;
    await uiEvent(sid, 'ui-event-update-promotion', PROMO);
    await uiEvent(sid, 'ui-event-close-promotion', {});
    await uiEvent(sid, 'ui-event-update-promotion', { title: 'Second banner', options: [] });
    await until(() => first.ui.length >= 6, 'three events');
    first.unload();

    const second = page();
    await second.next('restored');
    await until(() => second.ui.length >= 6, 'the replay');
    const ui = second.ui.filter((e) => e.event === 'WebChatService.uiEvent').map((e) => [e.data.name, e.data.restoring]);
    expect(ui).toEqual([
      ['ui-event-update-promotion', true],
      ['ui-event-close-promotion', true],
      ['ui-event-update-promotion', true],
    ]);
    expect(second.ui.at(-1)!.data).toEqual({ title: 'Second banner', options: [] });
  }, 20_000);
});
