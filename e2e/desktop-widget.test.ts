/**
 * The whole story of issue 4 in two browsers: a customer in the website widget and agents and a
 * supervisor in the desktop. Offer, accept, messages and typing both ways, an internal note the
 * customer never sees, a supervisor who monitors and whispers, a transfer to a second agent, done
 * and wrap-up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeServerAndBrowser, customerPage, openServerAndBrowser, startChatThroughForm, type TestServer } from './helpers.js';
import { desktopBuilt, eventually, setReady, signIn, watchPage } from './desktop-helpers.js';

describe('desktop + widget: a whole conversation', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    if (!desktopBuilt()) throw new Error('build the desktop first: npm run build -w @parley/desktop');
    ({ s, browser } = await openServerAndBrowser());
  });
  afterAll(() => closeServerAndBrowser(s, browser));

  async function desktop(username: string) {
    const page = await (await browser.newContext()).newPage();
    const seen = watchPage(page);
    await signIn(page, s.url, username);
    await page.locator('.connection[data-status="ready"]').waitFor();
    return { page, seen };
  }

  it('customer in the widget, agent and supervisor in the desktop', async () => {
    const agent = await desktop('agent');
    const agent2 = await desktop('agent2');
    const sup = await desktop('supervisor');
    await setReady(agent.page);

    const customer: Page = await (await browser.newContext()).newPage();
    const cseen = watchPage(customer);
    await customer.goto(s.page('desktop-story', customerPage(s, { webchat: { userData: { customerId: '59606' } } })));
    await startChatThroughForm(customer, { firstname: 'Jonny', lastname: 'Smith', email: 'jonny@example.com', subject: 'Order 42' });
    const win = customer.locator('.pz-win');

    // Offer -> accept.
    await agent.page.locator('.offer', { hasText: 'Jonny' }).waitFor();
    await agent.page.keyboard.press('Alt+KeyA');
    await agent.page.getByRole('tab', { name: /Jonny/ }).waitFor();
    // The panel fills in once the session's details arrive: wait for them rather than read it once.
    await agent.page.locator('.customer', { hasText: '59606' }).waitFor();
    await win.locator('.pz-sys', { hasText: 'Demo Agent' }).first().waitFor();

    // Customer typing and message -> desktop.
    const ta = win.locator('.pz-ft textarea');
    await ta.click();
    await ta.pressSequentially('Hi, my parcel is late', { delay: 15 });
    await agent.page.locator('.typing', { hasText: /is typing/ }).waitFor();
    await ta.press('Enter');
    await agent.page.locator('.msg.from-customer', { hasText: 'my parcel is late' }).waitFor();

    // Agent typing and message -> widget.
    const composer = agent.page.getByLabel(/Message to Jonny/);
    await composer.click();
    await composer.pressSequentially('Sorry to hear that', { delay: 15 });
    await customer.locator('.pz-typing').waitFor({ state: 'visible' });
    await agent.page.keyboard.press('Control+Enter');
    await win.locator('.pz-agent .pz-b', { hasText: 'Sorry to hear that' }).waitFor();
    await customer.locator('.pz-typing').waitFor({ state: 'hidden' });

    // Internal note: the agents' side only.
    await agent.page.keyboard.press('Alt+KeyI');
    await agent.page.getByLabel(/Internal note \(agents only/).fill('NOTE: carrier delay known');
    await agent.page.keyboard.press('Control+Enter');
    await agent.page.locator('.msg.vis-int', { hasText: 'carrier delay' }).waitFor();
    await agent.page.keyboard.press('Alt+KeyI');

    // The supervisor monitors (sees the note) and whispers to the agent.
    await sup.page.getByRole('button', { name: 'Supervisor' }).click();
    await sup.page
      .getByRole('row', { name: /Jonny/ })
      .getByRole('button', { name: /Monitor/ })
      .click();
    await sup.page.locator('.msg.vis-int', { hasText: 'carrier delay' }).waitFor();
    await sup.page.getByLabel(/Whisper to the agent/).fill('WHISPER: offer free shipping');
    await sup.page.getByRole('button', { name: 'Whisper' }).click();
    await agent.page.locator('.msg.vis-vip', { hasText: 'free shipping' }).waitFor();

    // Transfer to the second agent.
    await setReady(agent2.page);
    await agent.page.keyboard.press('Alt+KeyT');
    const dlg = agent.page.getByRole('dialog', { name: 'Transfer the chat' });
    await dlg.getByLabel('An agent').check();
    const select = dlg.getByLabel('Agent', { exact: true });
    await eventually(async () => (await select.locator('option', { hasText: 'Second Agent' }).count()) > 0, 'agents listed');
    await select.selectOption((await select.locator('option', { hasText: 'Second Agent' }).getAttribute('value'))!);
    await dlg.getByRole('button', { name: 'Transfer' }).click();
    await agent2.page.locator('.offer', { hasText: 'Jonny' }).waitFor();
    await agent2.page.keyboard.press('Alt+KeyA');
    await agent2.page.getByRole('tab', { name: /Jonny/ }).waitFor();
    await agent2.page.locator('.msg', { hasText: 'my parcel is late' }).waitFor();
    await agent2.page.getByLabel(/Message to Jonny/).fill('Hello, I am taking over');
    await agent2.page.keyboard.press('Control+Enter');
    await win.locator('.pz-agent .pz-b', { hasText: 'I am taking over' }).waitFor();
    await ta.fill('Thanks!');
    await ta.press('Enter');
    await agent2.page.locator('.msg.from-customer', { hasText: 'Thanks!' }).waitFor();

    // Done -> wrap-up -> complete.
    await agent2.page.keyboard.press('Alt+KeyD');
    await agent2.page.getByLabel('Wrap-up code').selectOption('resolved');
    await agent2.page.getByRole('button', { name: 'Complete' }).click();
    await agent2.page.locator('.state-pill', { hasText: 'Completed' }).waitFor();

    // The customer never saw the note or the whisper.
    const seenByCustomer = await win.textContent();
    expect(seenByCustomer).not.toContain('carrier delay');
    expect(seenByCustomer).not.toContain('free shipping');
    for (const x of [agent.seen, agent2.seen, sup.seen, cseen]) {
      expect(x.errors).toEqual([]);
      expect(x.dialogs).toEqual([]);
    }
  });
});
