// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { createBus, type CXBusApi } from '../bus/cxbus.js';
import { createWebChat } from './webchat.js';

/** A stand-in WebChatService that records what the UI asks of it. */
function fakeService(bus: CXBusApi) {
  const S = bus.registerPlugin('WebChatService');
  if (!S) throw new Error('taken');
  const calls: [string, any][] = [];
  for (const name of ['startChat', 'sendMessage', 'endChat', 'registerTypingPreviewInput', 'sendFile']) {
    S.registerCommand(name, (e) => {
      calls.push([name, e.data]);
      if (name === 'startChat') S.publish('started', {});
      if (name === 'endChat') S.publish('ended');
      e.deferred.resolve({});
    });
  }
  S.ready();
  return { S, calls };
}

const flush = () => new Promise((r) => setTimeout(r, 0));
const q = <T extends Element = HTMLElement>(sel: string) => document.querySelector<T>(sel)!;

describe('WebChat plugin', () => {
  let bus: CXBusApi;
  let svc: ReturnType<typeof fakeService>;
  let events: string[];
  beforeEach(async () => {
    document.body.replaceChildren();
    sessionStorage.clear();
    localStorage.clear();
    bus = createBus();
    svc = fakeService(bus);
    events = [];
    for (const ev of ['opened', 'closed', 'started', 'submitted', 'completed', 'minimized', 'unminimized', 'cancelled', 'messageAdded']) bus.subscribe('WebChat.' + ev, (e) => events.push(e.event));
    createWebChat(bus, { widgets: { main: {}, webchat: { chatButton: { enabled: true, openDelay: 0 } } } });
    await flush();
  });

  it('rejects injectMessage without a started chat, and a second open', async () => {
    await expect(bus.command('WebChat.injectMessage', { text: 'x' })).rejects.toBe('No chat session to inject into.');
    await bus.command('WebChat.open', {});
    await expect(bus.command('WebChat.open')).rejects.toBe('already opened');
    await expect(bus.command('WebChat.injectMessage', { text: 'x' })).rejects.toBe('No chat session to inject into.');
  });

  it('maps formJSON inputs to start options and userData, then injects as text', async () => {
    await bus.command('WebChat.open', {
      userData: { a: '1' },
      formJSON: {
        inputs: [
          { name: 'firstname', label: 'Name', value: 'Ann' },
          { name: 'account', label: 'Account', value: '42' },
          { name: 'plan', type: 'hidden', value: 'gold' },
        ],
      },
      form: { autoSubmit: true },
    });
    await flush();
    const start = svc.calls.find((c) => c[0] === 'startChat')![1];
    expect(start).toMatchObject({ firstname: 'Ann', userData: { a: '1', account: '42', plan: 'gold' } });
    expect(events).toEqual(expect.arrayContaining(['WebChat.opened', 'WebChat.submitted', 'WebChat.started']));
    const el = await bus.command('WebChat.injectMessage', { type: 'html', text: '<b>hi</b><img src=x onerror=alert(1)>', bubble: { time: false } });
    expect(el).toBeInstanceOf(HTMLElement);
    expect((el as HTMLElement).querySelector('b')?.textContent).toBe('hi');
    expect((el as HTMLElement).querySelector('[onerror]')).toBeNull();
    expect((el as HTMLElement).querySelector('time')).toBeNull();
  });

  it("the deployment's form fields (from availability) rebuild the built-in form; a formJSON input named like a required field becomes required", async () => {
    const fields = { email: 'required', firstname: 'optional', subject: false };
    svc.S.registerCommand('parleyRequest', (e) => e.deferred.resolve(e.data.path === '/availability' ? { open: true, form: { fields } } : {}));
    const labels = () => [...document.querySelectorAll('.pz-fld label')].map((l) => l.textContent);
    await bus.command('WebChat.open', {});
    await flush();
    await flush();
    expect(labels()).toEqual(['First name', 'Email (required)']);
    await bus.command('WebChat.close');
    // the page's own form: its e-mail input is required because the deployment requires it
    await bus.command('WebChat.open', {
      formJSON: {
        inputs: [
          { name: 'firstname', label: 'Name' },
          { name: 'email', label: 'Mail' },
        ],
      },
    });
    await flush();
    await flush();
    expect(labels()).toEqual(['Name', 'Mail (required)']);
    expect(q<HTMLInputElement>('input[name=email]').getAttribute('aria-required')).toBe('true');
  });

  it('form: false starts at once; minimize toggles; close asks, ends the chat and returns focus to the button', async () => {
    await bus.command('WebChat.open', { form: false });
    await flush();
    expect(svc.calls.map((c) => c[0])).toContain('startChat');
    await bus.command('WebChat.minimize');
    expect(q('.pz-win').classList.contains('pz-min')).toBe(true);
    await bus.command('WebChat.minimize');
    expect(q('.pz-win').classList.contains('pz-min')).toBe(false);
    const closing = bus.command('WebChat.close');
    await flush();
    const cf = q('.pz-cf');
    expect(cf.hidden).toBe(false);
    [...cf.querySelectorAll('button')].find((b) => b.textContent === 'Close')!.click();
    await closing;
    expect(svc.calls.map((c) => c[0])).toContain('endChat');
    expect(q('.pz-win').hidden).toBe(true);
    expect(document.activeElement).toBe(q('.pz-cb'));
    expect(events).toEqual(expect.arrayContaining(['WebChat.minimized', 'WebChat.unminimized', 'WebChat.completed', 'WebChat.closed']));
  });

  it('renders agent text as text, announces it once, and skips announcements on restore', async () => {
    await bus.command('WebChat.open', { form: false });
    await flush();
    const msg = (index: string, text: string, restoring = false) =>
      svc.S.publish('messageReceived', { restoring, messages: [{ type: 'Message', index, text, from: { name: 'Ann', type: 'Agent' } }], originalMessages: [] });
    msg('1', '<img src=x onerror=alert(1)>');
    msg('1', '<img src=x onerror=alert(1)>');
    msg('2', 'old', true);
    await flush();
    expect(q('.pz-log').querySelector('img')).toBeNull();
    expect(q('.pz-log').querySelectorAll('.pz-msg')).toHaveLength(2);
    expect(q('.pz-sr').children).toHaveLength(1);
    expect(q('.pz-sr').textContent).toContain('<img src=x onerror=alert(1)>');
  });

  it('says "reconnecting" while the server or the network is down, and stops once it is back; the chat goes on', async () => {
    await bus.command('WebChat.open', { form: { autoSubmit: true } });
    await flush();
    const status = q('.pz-conn');
    expect(status.hidden).toBe(true);
    expect(status.getAttribute('role')).toBe('status');
    svc.S.publish('chatServerWentOffline');
    await flush();
    expect(status.hidden).toBe(false);
    expect(status.textContent).toBe('Connection lost. Reconnecting…');
    svc.S.publish('chatServerBackOnline');
    await flush();
    expect(status.hidden).toBe(true);
    svc.S.publish('disconnected');
    await flush();
    expect(status.hidden).toBe(false);
    svc.S.publish('reconnected');
    await flush();
    expect(status.hidden).toBe(true);
    expect(svc.calls.some((c) => c[0] === 'endChat')).toBe(false);
  });

  it('follows App.themeChanged', async () => {
    const app = bus.registerPlugin('App');
    if (!app) throw new Error('taken');
    expect(q('.pz').classList.contains('pz-light')).toBe(true);
    app.publish('themeChanged', { theme: 'dark' });
    await flush();
    expect(q('.pz').classList.contains('pz-dark')).toBe(true);
  });

  it('invite, chat button, overlay (sanitized), hide and show', async () => {
    await bus.command('WebChat.invite');
    const inv = q('.pz-inv');
    expect(inv.hidden).toBe(false);
    [...inv.querySelectorAll('button')].find((b) => b.textContent === 'No thanks')!.click();
    expect(inv.hidden).toBe(true);
    await bus.command('WebChat.reInvite');
    expect(inv.hidden).toBe(false);
    await bus.command('WebChat.hideChatButton');
    expect(q('.pz-cb').hidden).toBe(true);
    let shown = 0;
    bus.subscribe('WebChat.chatButtonDisplayed', () => shown++);
    await bus.command('WebChat.showChatButton', { openDelay: 0 });
    expect(q('.pz-cb').hidden).toBe(false);
    expect(shown).toBe(1);
    await expect(bus.command('WebChat.showOverlay', { html: 'x' })).rejects.toBe('WebChat is not open.');
    [...inv.querySelectorAll('button')].find((b) => b.textContent === 'Start chat')!.click();
    await flush();
    expect(q('.pz-win').hidden).toBe(false);
    expect(q('.pz-cb').hidden).toBe(true);
    await bus.command('WebChat.showOverlay', { html: '<p>Terms</p><script>alert(1)</script>', hideFooter: true });
    expect(q('.pz-ov').hidden).toBe(false);
    expect(q('.pz-ov').innerHTML).toBe('<p>Terms</p>');
    await bus.command('WebChat.hideOverlay');
    expect(q('.pz-ov').hidden).toBe(true);
    await bus.command('WebChat.hide');
    expect(q('.pz').hidden).toBe(true);
    await bus.command('WebChat.show');
    expect(q('.pz').hidden).toBe(false);
  });

  it('puts older messages (fetchHistory) above the transcript', async () => {
    await bus.command('WebChat.open', { form: false });
    await flush();
    const pub = (index: string, text: string, oldMessages = false) =>
      svc.S.publish('messageReceived', { oldMessages, messages: [{ type: 'Message', index, text, from: { name: 'Ann', type: 'Agent' } }], originalMessages: [] });
    pub('5', 'new');
    pub('1', 'older', true);
    await flush();
    expect([...document.querySelectorAll('.pz-b')].map((b) => b.textContent)).toEqual(['older', 'new']);
    expect(q('.pz-sr').textContent).not.toContain('older');
  });

  it('groups consecutive messages of one sender (the name once), also when an older page goes in above', async () => {
    await bus.command('WebChat.open', { form: false });
    await flush();
    q('.pz-log').replaceChildren(); // without "Chat started", the older page lands right above 'a'
    const pub = (index: string, text: string, name: string, oldMessages = false) =>
      svc.S.publish('messageReceived', { oldMessages, messages: [{ type: 'Message', index, text, from: { name, type: 'Agent' } }], originalMessages: [] });
    pub('5', 'a', 'Ann');
    pub('6', 'b', 'Ann');
    pub('7', 'c', 'Bob');
    await flush();
    const grouped = () => [...document.querySelectorAll('.pz-log .pz-msg')].map((m) => `${m.querySelector('.pz-b')!.textContent}${m.classList.contains('pz-grp') ? '+' : ''}`);
    expect(grouped()).toEqual(['a', 'b+', 'c']);
    pub('1', 'older', 'Ann', true);
    await flush();
    expect(grouped()).toEqual(['older', 'a+', 'b+', 'c']);
  });

  describe('banner (seed 004) and bot messages', () => {
    const PROMO = {
      title: 'Do you want to exit from chat? <b>x</b>',
      options: [
        { title: 'Exit', text: 'talk to bot' },
        { title: 'Offer', url: 'https://example.com/offer' },
        { title: 'Evil', url: 'javascript:alert(1)' },
      ],
    };
    const ui = (name: string, data: unknown, restoring = false) => svc.S.publish('uiEvent', { name, data, restoring });
    const bn = () => q('.pz-bn');
    beforeEach(async () => {
      await bus.command('WebChat.open', { form: false });
      await flush();
    });

    it('shows the title as text and one control per option; a text option sends its text; a URL option is a safe link', async () => {
      expect(bn().hidden).toBe(true);
      ui('ui-event-update-promotion', PROMO);
      await flush();
      expect(bn().hidden).toBe(false);
      expect(bn().getAttribute('role')).toBe('region');
      const label = document.getElementById(bn().getAttribute('aria-labelledby')!)!;
      expect(label.textContent).toBe(PROMO.title);
      expect(bn().querySelector('b')).toBeNull();
      const exit = bn().querySelector('button')!;
      expect(exit.textContent).toBe('Exit');
      const links = [...bn().querySelectorAll('a')];
      expect(links.map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('target'), a.getAttribute('rel')])).toEqual([
        ['Offer', 'https://example.com/offer', '_blank', 'noopener noreferrer'],
      ]);
      // announced once, politely
      expect(q('.pz-sr').textContent).toContain('Do you want to exit from chat?');
      exit.focus();
      exit.click();
      exit.click(); // a second click while the first is being sent does nothing
      await flush();
      expect(svc.calls.filter((c) => c[0] === 'sendMessage').map((c) => c[1])).toEqual([{ message: 'talk to bot' }]);
      // closing moves focus from the banner back to the message box
      ui('ui-event-close-promotion', {});
      await flush();
      expect(bn().hidden).toBe(true);
      expect(bn().childElementCount).toBe(0);
      expect(document.activeElement).toBe(q('.pz-ft textarea'));
    });

    it('a title-only banner gets a fixed label; restored events are applied in order and not announced', async () => {
      ui('ui-event-update-promotion', { title: "Please type 'talk to bot'", options: [] }, true);
      await flush();
      expect(bn().hidden).toBe(false);
      expect(bn().querySelector('button,a')).toBeNull();
      ui('ui-event-close-promotion', {}, true);
      await flush();
      expect(bn().hidden).toBe(true);
      ui('ui-event-update-promotion', { options: [{ title: 'Exit', text: 'talk to bot' }] }, true);
      await flush();
      expect(bn().hidden).toBe(false);
      expect(bn().getAttribute('aria-label')).toBe('Chat notice');
      expect(bn().hasAttribute('aria-labelledby')).toBe(false);
      expect(q('.pz-sr').textContent).toBe('');
      // the banner goes with the chat
      await bus.command('WebChat.endChat');
      await flush();
      expect(bn().hidden).toBe(true);
    });

    it('a text option without a title reads "Back to the bot"; the banner goes when the last agent leaves', async () => {
      ui('ui-event-update-promotion', { title: 'Agent here', options: [{ text: 'talk to bot' }] });
      await flush();
      expect(bn().querySelector('button')!.textContent).toBe('Back to the bot');
      svc.S.publish('agentDisconnected', { numAgentsConnected: 1 });
      await flush();
      expect(bn().hidden).toBe(false);
      svc.S.publish('agentDisconnected', { numAgentsConnected: 0 });
      await flush();
      expect(bn().hidden).toBe(true);
    });

    it('UI event messages are not transcript bubbles; bot messages are bot bubbles with their nickname; notices are system lines', async () => {
      svc.S.publish('messageReceived', {
        messages: [
          { type: 'Notice', index: 1, event: 'ui-event-update-promotion', data: PROMO, from: { name: '', type: 'System' } },
          { type: 'Message', index: 2, text: 'Hi! I am the bot.', from: { name: 'Parley Bot', type: 'External' } },
          { type: 'Message', index: 3, text: 'From a workflow', from: { name: '', type: 'Workflow' } },
          { type: 'Notice', index: 4, text: 'Are you still there?', from: { name: '', type: 'System' } },
          { type: 'Message', index: 5, text: 'I am an agent', from: { name: 'Ann', type: 'Agent' } },
        ],
        originalMessages: [],
      });
      await flush();
      expect([...document.querySelectorAll('.pz-log .pz-msg')].map((m) => [m.classList.contains('pz-bot'), m.querySelector('.pz-who')!.textContent, m.querySelector('.pz-b')!.textContent])).toEqual([
        [true, 'Parley Bot', 'Hi! I am the bot.'],
        [true, 'Bot', 'From a workflow'],
        [false, 'Ann', 'I am an agent'],
      ]);
      expect([...document.querySelectorAll('.pz-log .pz-sys span')].map((e) => e.textContent)).toContain('Are you still there?');
      expect(q('.pz-log').textContent).not.toContain('exit from chat');
      expect(q('.pz-sr').textContent).toContain('Are you still there?');
    });
  });
});
