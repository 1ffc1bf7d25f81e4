/**
 * The agent desktop in Chromium against the real server: login, presence, an offer with its alert,
 * accept by keyboard, messages and typing both ways, an internal note the customer never sees,
 * script-free rendering of customer text, wrap-up, and a dropped realtime socket resumed without
 * gap or duplicate; seed 000's segments (a customer writing during the wrap-up) in one tab.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeDesktopAndBrowser, Customer, type DesktopServer, eventually, openDesktopAndBrowser, setReady, signIn, watchPage } from './desktop-helpers.js';

let server: DesktopServer;
let browser: Browser;

beforeAll(async () => ({ server, browser } = await openDesktopAndBrowser()));
afterAll(() => closeDesktopAndBrowser(server, browser));

async function newAgentPage(): Promise<{ page: Page; seen: ReturnType<typeof watchPage> }> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const seen = watchPage(page);
  return { page, seen };
}

describe('desktop: agent', () => {
  it('refuses a wrong password with a message, then signs in', async () => {
    const { page, seen } = await newAgentPage();
    await page.goto(`${server.url}/desktop/`);
    await page.getByLabel('Username').fill('agent');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Wrong username or password');
    await page.getByLabel('Password').fill('agent-pass-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.locator('.connection[data-status="ready"]').waitFor();
    // The token survives a reload (sessionStorage).
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    // A revoked/expired token: the next request answers 401 and the login comes back.
    await page.evaluate(() => sessionStorage.setItem('parley.desktop.token', 'not-a-token'));
    await page.reload();
    await page.getByText('Your session expired').waitFor();
    expect(seen.errors).toEqual([]);
    await page.context().close();
  });

  it('offer, accept with Alt+A, talk both ways with typing, internal note, safe rendering, wrap-up', async () => {
    const { page, seen } = await newAgentPage();
    await signIn(page, server.url, 'agent');
    await page.locator('.connection[data-status="ready"]').waitFor();
    await setReady(page);

    const customer = await new Customer(server.url).start({ firstName: 'Jonny', subject: 'Order 42' }, { OrderNumber: 'A-1001' });
    // The offer: a visual alert, announced in the live region, with a countdown.
    const offer = page.locator('.offer');
    await offer.waitFor({ timeout: 10_000 });
    await expect(offer.textContent()).resolves.toContain('Jonny');
    await page.locator('.countdown').waitFor();
    await eventually(async () => (await page.locator('#announcer').textContent())?.includes('New chat offer'), 'offer announcement');
    await page.keyboard.press('Alt+KeyA');
    await page.getByRole('tab', { name: /Jonny/ }).waitFor();
    await page.locator('.state-pill', { hasText: 'Handling' }).waitFor();

    // Customer info and user data.
    const panel = page.locator('.customer');
    await expect(panel.textContent()).resolves.toContain('Order 42');
    await expect(panel.textContent()).resolves.toContain('A-1001');

    // Customer -> agent, announced; typing indicator.
    await customer.send('', 'TypingStarted');
    await page.locator('.typing', { hasText: /Jonny( Smith)? is typing/ }).waitFor();
    await customer.send('Hello, where is my order?');
    await page.locator('.msg.from-customer', { hasText: 'where is my order' }).waitFor();
    await eventually(async () => (await page.locator('.typing').textContent())?.trim() === '', 'typing indicator off after the message');
    await eventually(async () => (await page.locator('#announcer').textContent())?.includes('where is my order'), 'message announcement');

    // Agent -> customer: typing then Ctrl+Enter.
    const composer = page.getByLabel(/Message to Jonny/);
    await composer.click();
    await composer.pressSequentially('Let me check', { delay: 10 });
    await customer.waitFor((m) => m.type === 'TypingStarted' && m.from.type === 'Agent', 'agent TypingStarted');
    await page.keyboard.press('Control+Enter');
    await customer.waitFor((m) => m.type === 'Text' && m.text === 'Let me check', 'agent text');
    await customer.waitFor((m) => m.type === 'TypingStopped' && m.from.type === 'Agent', 'agent TypingStopped');
    await page.locator('.msg.mine', { hasText: 'Let me check' }).waitFor();
    expect(await composer.inputValue()).toBe('');

    // An internal note: styled apart, never delivered to the customer.
    await page.keyboard.press('Alt+KeyI');
    const note = page.getByLabel(/Internal note \(agents only/);
    await note.fill('Customer is a VIP, be nice');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.msg.vis-int', { hasText: 'be nice' }).waitFor();
    await expect(page.locator('.msg.vis-int .vis-label').first().textContent()).resolves.toBe('Internal note');
    await page.getByLabel('Internal note', { exact: true }).uncheck();

    // Canned response picker.
    await page.keyboard.press('Alt+KeyC');
    await page.getByLabel('Search canned responses').fill('moment');
    await page.getByRole('option', { name: /One moment/ }).waitFor();
    await page.keyboard.press('Enter');
    expect(await page.getByLabel(/Message to Jonny/).inputValue()).toContain('one moment please');
    // The picker hands focus back to the composer on the next frame; a loaded CI machine can be slower than the keyboard.
    await page.waitForFunction((el) => el === document.activeElement, await composer.elementHandle());
    await page.keyboard.press('Control+Enter');
    await customer.waitFor((m) => m.type === 'Text' && (m.text ?? '').includes('one moment please'), 'canned response');

    // Push URL.
    await page.getByRole('button', { name: 'Push URL' }).click();
    await page.getByLabel('Page to push to the customer').fill('https://example.com/orders/42');
    await page.getByRole('button', { name: 'Push', exact: true }).click();
    await customer.waitFor((m) => m.type === 'PushUrl' && m.url === 'https://example.com/orders/42', 'pushed url');

    // Two quick messages: the second is typed while the first is on its way; both go, in order.
    const box = page.getByLabel(/Message to Jonny/);
    await box.fill('quick one');
    await page.keyboard.press('Control+Enter');
    await box.fill('quick two');
    await page.keyboard.press('Control+Enter');
    await customer.waitFor((m) => m.text === 'quick two', 'the second quick message');
    const quick = customer.received.filter((m) => m.text?.startsWith('quick')).map((m) => m.text);
    expect(quick).toEqual(['quick one', 'quick two']);

    // Script in customer text is shown as text; only http(s) becomes a link.
    await customer.send('<img src=x onerror="alert(1)"> <script>alert(2)</script> javascript:alert(3) see https://example.org/help');
    const evil = page.locator('.msg.from-customer', { hasText: 'onerror' });
    await evil.waitFor();
    expect(await evil.locator('img, script').count()).toBe(0);
    const links = evil.locator('a');
    expect(await links.count()).toBe(1);
    expect(await links.getAttribute('href')).toBe('https://example.org/help');
    expect(await links.getAttribute('rel')).toBe('noopener noreferrer');

    // The customer never got the internal note.
    await customer.poll();
    expect(customer.received.some((m) => (m.text ?? '').includes('be nice'))).toBe(false);
    expect(customer.received.some((m) => m.visibility === 'Int')).toBe(false);

    // Done -> wrap-up code -> complete.
    await page.keyboard.press('Alt+KeyD');
    await page.locator('.state-pill', { hasText: 'Wrap-up' }).waitFor();
    await page.getByLabel('Wrap-up code').selectOption('resolved');
    await page.getByRole('button', { name: 'Complete' }).click();
    await page.locator('.state-pill', { hasText: 'Completed' }).waitFor();
    const s = await server.parley.store.tx((tx) => tx.listInteractions({ sessionId: customer.sessionId }));
    expect(s.at(-1)?.state).toBe('Completed');
    expect(s.at(-1)?.wrapUpCode).toBe('resolved');
    await page.getByRole('button', { name: 'Close tab' }).click();
    await page.getByText('No conversation open').waitFor();

    expect(seen.dialogs).toEqual([]);
    expect(seen.errors).toEqual([]);
    await page.context().close();
  });

  it('follow-up on a finished asynchronous session, from the conversation and from History', async () => {
    const { page, seen } = await newAgentPage();
    await signIn(page, server.url, 'agent');
    await page.locator('.connection[data-status="ready"]').waitFor();
    await setReady(page);
    const customer = await new Customer(server.url).start({ firstName: 'Asha', async: 'true' });
    await page.locator('.offer', { hasText: 'Asha' }).waitFor();
    await page.keyboard.press('Alt+KeyA');
    await page.getByRole('tab', { name: /Asha/ }).waitFor();
    await page.getByLabel('Presence', { exact: true }).selectOption('NotReady');
    await customer.send('Question about my invoice');
    await page.locator('.msg', { hasText: 'invoice' }).waitFor();
    await page.getByRole('button', { name: 'Mark done' }).click();
    await page.getByLabel('Wrap-up code').selectOption('follow-up');
    await page.getByRole('button', { name: 'Complete' }).click();
    await page.locator('.state-pill', { hasText: 'Completed' }).waitFor();

    // The async session stays open: follow up from the tab.
    await page.getByRole('button', { name: 'Follow up' }).click();
    await page.locator('.state-pill', { hasText: 'Handling' }).waitFor();
    await page.getByLabel(/Message to Asha/).fill('Following up: your invoice is fixed');
    await page.keyboard.press('Control+Enter');
    await customer.waitFor((m) => m.text === 'Following up: your invoice is fixed', 'the follow-up message');
    await page.getByRole('button', { name: 'Mark done' }).click();
    await page.getByLabel('Wrap-up code').selectOption('resolved');
    await page.getByRole('button', { name: 'Complete' }).click();
    await page.locator('.state-pill', { hasText: 'Completed' }).waitFor();
    await page.getByRole('button', { name: 'Close tab' }).click();

    // ... and from History.
    await page.getByRole('button', { name: 'History' }).click();
    const row = page.getByRole('row', { name: /Asha/ });
    await row.getByRole('button', { name: /Follow up/ }).click();
    await page.getByRole('tab', { name: /Asha/ }).waitFor();
    await page.locator('.state-pill', { hasText: 'Handling' }).waitFor();
    const all = await server.parley.store.tx((tx) => tx.listInteractions({ sessionId: customer.sessionId }));
    expect(all.map((i) => i.state)).toEqual(['Completed', 'Completed', 'Handling']);
    expect(seen.errors).toEqual([]);
    await page.context().close();
  });

  it("seed 000's segments: the customer writes during the wrap-up; the wrap-up stays, the next interaction is offered to the same agent, the conversation goes on in the same tab", async () => {
    const demo = (await server.parley.store.tx((tx) => tx.getDeployment('demo')))!;
    await server.parley.store.tx((tx) => tx.updateDeployment({ ...demo, asyncPolicy: { ...demo.asyncPolicy, afterCompletion: 'route' } }));
    await server.parley.directory.changed();
    const { page, seen } = await newAgentPage();
    try {
      await signIn(page, server.url, 'agent');
      await page.locator('.connection[data-status="ready"]').waitFor();
      await setReady(page);
      const customer = await new Customer(server.url).start({ firstName: 'Bruno', endpoint: 'async' });
      await page.locator('.offer', { hasText: 'Bruno' }).waitFor();
      await page.keyboard.press('Alt+KeyA');
      await page.getByRole('tab', { name: /Bruno/ }).waitFor();
      await customer.send('Is my parcel on its way?');
      await page.locator('.msg', { hasText: 'parcel' }).waitFor();
      await page.getByRole('button', { name: 'Mark done' }).click();
      await page.locator('.state-pill', { hasText: 'Wrap-up' }).waitFor();

      await customer.send('thank you!');
      await page.locator('.msg', { hasText: 'thank you!' }).waitFor();
      await page.locator('.offer', { hasText: 'Bruno' }).waitFor();
      // The wrap-up is not disturbed by the offer of the next interaction.
      await page.locator('.state-pill', { hasText: 'Wrap-up' }).waitFor();
      await page.keyboard.press('Alt+KeyA');
      await page.locator('.offer', { hasText: 'Bruno' }).waitFor({ state: 'hidden' });
      await page.locator('.state-pill', { hasText: 'Wrap-up' }).waitFor();
      await page.getByLabel('Wrap-up code').selectOption('resolved');
      await page.getByRole('button', { name: 'Complete' }).click();
      await page.locator('.state-pill', { hasText: 'Handling' }).waitFor();
      expect(await page.getByRole('tab', { name: /Bruno/ }).count()).toBe(1);

      await page.getByLabel(/Message to Bruno/).fill('You are welcome! Anything else?');
      await page.keyboard.press('Control+Enter');
      await customer.waitFor((m) => m.text === 'You are welcome! Anything else?', 'the message of the next interaction');
      const all = await server.parley.store.tx((tx) => tx.listInteractions({ sessionId: customer.sessionId }));
      expect(all.map((i) => [i.state, i.wrapUpCode])).toEqual([
        ['Completed', 'resolved'],
        ['Handling', null],
      ]);
      expect(all[0]!.agentAccountId).toBe(all[1]!.agentAccountId);
      expect(seen.errors).toEqual([]);
    } finally {
      await server.parley.store.tx((tx) => tx.updateDeployment(demo));
      await server.parley.directory.changed();
      await page.context().close();
    }
  });
});
