/**
 * The desktop with several conversations and several staff: tabs with unread counts, reject,
 * a dropped realtime socket resumed without gap or duplicate (REST keeps working meanwhile),
 * transfer to another agent, conference, and a supervisor who monitors, whispers, changes an
 * agent's presence and barges in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { closeDesktopAndBrowser, Customer, type DesktopServer, eventually, openDesktopAndBrowser, setReady, signIn, watchPage } from './desktop-helpers.js';

let server: DesktopServer;
let browser: Browser;

beforeAll(async () => ({ server, browser } = await openDesktopAndBrowser()));
afterAll(() => closeDesktopAndBrowser(server, browser));

async function openDesktop(username: string, setup?: (page: Page) => Promise<void>) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const seen = watchPage(page);
  if (setup) await setup(page);
  await signIn(page, server.url, username);
  await page.locator('.connection[data-status="ready"]').waitFor();
  return { page, seen };
}

async function setNotReady(page: Page) {
  await page.getByLabel('Presence', { exact: true }).selectOption('NotReady');
  await page.locator('.presence-NotReady').waitFor();
}

const count = (page: Page, selector: string, text: string) => page.locator(selector, { hasText: text }).count();

describe('desktop: several conversations and staff', () => {
  it('two conversations side by side, reject an offer, pick it from the queue, unread counts', async () => {
    const { page, seen } = await openDesktop('agent');
    await setReady(page);
    const a = await new Customer(server.url).start({ firstName: 'Alice', lastName: 'A' });
    await page.locator('.offer', { hasText: 'Alice' }).waitFor();
    await page.getByRole('button', { name: 'Accept chat from Alice' }).click();
    await page.getByRole('tab', { name: /Alice/ }).waitFor();

    const b = await new Customer(server.url).start({ firstName: 'Bob', lastName: 'B' });
    await page.locator('.offer', { hasText: 'Bob' }).waitFor();
    await page.keyboard.press('Alt+KeyR');
    await page.locator('.offer').waitFor({ state: 'detached' });
    // Nobody else is ready: it waits in the queue; pick it.
    await page.getByRole('button', { name: 'Pick chat from Bob' }).click();
    const tabB = page.getByRole('tab', { name: /Bob/ });
    await tabB.waitFor();
    await eventually(async () => (await tabB.getAttribute('aria-selected')) === 'true', 'Bob active');

    await a.send('ping from Alice');
    const tabA = page.getByRole('tab', { name: /Alice/ });
    await tabA.locator('.badge', { hasText: '1' }).waitFor();
    await page.getByRole('button', { name: /Conversations \(1 unread\)/ }).waitFor();
    await b.send('hello from Bob');
    await page.locator('.msg', { hasText: 'hello from Bob' }).waitFor();
    expect(await tabB.locator('.badge').count()).toBe(0);
    await page.keyboard.press('Alt+Digit1');
    await page.locator('.msg', { hasText: 'ping from Alice' }).waitFor();
    expect(await tabA.locator('.badge').count()).toBe(0);
    // Arrow keys move between tabs.
    await tabA.focus();
    await page.keyboard.press('ArrowRight');
    await eventually(async () => (await tabB.getAttribute('aria-selected')) === 'true', 'arrow to Bob');

    await setNotReady(page);
    // Transfer Bob to another queue: the tab goes, the interaction waits in Billing.
    await tabB.click();
    await page.getByRole('button', { name: 'Transfer…' }).click();
    const dlg = page.getByRole('dialog', { name: 'Transfer the chat' });
    const queue = dlg.getByLabel('Queue', { exact: true });
    await queue.locator('option', { hasText: 'Billing' }).waitFor({ state: 'attached' });
    await queue.selectOption('Billing');
    await dlg.getByRole('button', { name: 'Transfer' }).click();
    await tabB.waitFor({ state: 'detached' });
    const moved = await server.parley.store.tx((tx) => tx.listInteractions({ sessionId: b.sessionId }));
    expect(moved.at(-1)).toMatchObject({ state: 'Queued', queue: 'Billing', agentAccountId: null });
    // Pick it again from the Billing queue and finish it, so later tests start clean.
    await page.getByRole('button', { name: /Pick chat from Bob/ }).click();
    await tabB.waitFor();
    await page.locator('.state-pill', { hasText: 'Handling' }).waitFor();
    await page.getByRole('button', { name: 'Mark done' }).click();
    await page.getByLabel('Wrap-up code').selectOption('resolved');
    await page.getByRole('button', { name: 'Complete' }).click();
    await page.locator('.state-pill', { hasText: 'Completed' }).waitFor();
    expect(seen.errors).toEqual([]);
    await page.context().close();
  });

  it('a dropped socket shows Reconnecting…, REST keeps working, and the resume has no gap and no duplicate', async () => {
    let blocked = false;
    const routes: WebSocketRoute[] = [];
    const subscribes: { sessionId: string; after?: string }[] = [];
    const { page, seen } = await openDesktop('agent2', async (p) => {
      await p.routeWebSocket(/\/agent\/v1\/events$/, (ws) => {
        if (blocked) {
          ws.close({ code: 4000, reason: 'test: network down' });
          return;
        }
        routes.push(ws);
        const upstream = ws.connectToServer();
        ws.onMessage((m) => {
          const f = JSON.parse(String(m));
          if (f.type === 'subscribe') subscribes.push(f);
          upstream.send(m);
        });
      });
    });
    await setReady(page);
    const c = await new Customer(server.url).start({ firstName: 'Carol', lastName: 'C' });
    await page.locator('.offer', { hasText: 'Carol' }).waitFor();
    await page.keyboard.press('Alt+KeyA');
    await page.getByRole('tab', { name: /Carol/ }).waitFor();
    await c.send('before the drop');
    await page.locator('.msg', { hasText: 'before the drop' }).waitFor();
    await setNotReady(page);

    blocked = true;
    await routes.at(-1)!.close({ code: 4000, reason: 'test: drop' });
    const status = page.getByRole('status').filter({ hasText: 'Reconnecting…' });
    await status.waitFor();
    expect(await status.getAttribute('aria-live')).toBe('polite');

    // While the socket is down: sending works (REST), and new customer messages still arrive (long poll).
    await page.getByLabel(/Message to Carol/).fill('sent while offline');
    await page.keyboard.press('Control+Enter');
    await c.waitFor((m) => m.text === 'sent while offline', 'the agent message sent while the socket was down');
    await c.send('during the drop 1');
    await c.send('during the drop 2');
    await page.locator('.msg', { hasText: 'during the drop 2' }).waitFor();

    const before = subscribes.length;
    blocked = false;
    await page.locator('.connection[data-status="ready"]').waitFor({ timeout: 15_000 });
    await eventually(() => subscribes.length > before, 'a re-subscribe');
    const resub = subscribes.at(-1)!;
    expect(resub.after).toMatch(/^\d+-\d$/);
    await c.send('after the resume');
    await page.locator('.msg', { hasText: 'after the resume' }).waitFor();
    for (const t of ['before the drop', 'sent while offline', 'during the drop 1', 'during the drop 2', 'after the resume']) {
      expect(await count(page, '.msg', t), t).toBe(1);
    }
    // The transcript is in log order.
    const indexes = await page.locator('.msg').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.index!));
    const nums = indexes.map((i) => Number(i.replace('-', '')));
    expect([...nums].sort((x, y) => x - y)).toEqual(nums);

    // Finish: done, wrap-up, complete.
    await page.getByRole('button', { name: 'Mark done' }).click();
    await page.getByLabel('Wrap-up code').selectOption('resolved');
    await page.getByRole('button', { name: 'Complete' }).click();
    await page.locator('.state-pill', { hasText: 'Completed' }).waitFor();
    expect(seen.errors).toEqual([]);
    await page.context().close();
  });

  it('transfer to another agent, conference, and a supervisor who monitors, whispers, sets presence and barges in', async () => {
    const one = await openDesktop('agent');
    const two = await openDesktop('agent2');
    await setReady(one.page);
    const d = await new Customer(server.url).start({ firstName: 'Dora', lastName: 'D' });
    await one.page.locator('.offer', { hasText: 'Dora' }).waitFor();
    await one.page.getByRole('button', { name: 'Accept chat from Dora' }).click();
    await one.page.getByRole('tab', { name: /Dora/ }).waitFor();
    await setNotReady(one.page);
    await d.send('I need billing help');
    await one.page.locator('.msg', { hasText: 'I need billing help' }).waitFor();
    await one.page.getByLabel(/Message to Dora/).fill('Transferring you to a colleague');
    await one.page.keyboard.press('Control+Enter');
    await one.page.locator('.msg.mine', { hasText: 'Transferring you' }).waitFor();

    // Transfer to agent2 (who is ready): the dialog lists agents with presence.
    await setReady(two.page);
    await one.page.keyboard.press('Alt+KeyT');
    const dlg = one.page.getByRole('dialog', { name: 'Transfer the chat' });
    await dlg.waitFor();
    await dlg.getByLabel('An agent').check();
    const agentSelect = dlg.getByLabel('Agent', { exact: true });
    await eventually(async () => (await agentSelect.locator('option', { hasText: 'Second Agent' }).count()) > 0, 'agent list');
    const secondId = await agentSelect.locator('option', { hasText: 'Second Agent' }).getAttribute('value');
    await agentSelect.selectOption(secondId!);
    await dlg.getByRole('button', { name: 'Transfer' }).click();
    await one.page.getByRole('tab', { name: /Dora/ }).waitFor({ state: 'detached' });

    await two.page.locator('.offer', { hasText: 'Dora' }).waitFor();
    await two.page.keyboard.press('Alt+KeyA');
    await two.page.getByRole('tab', { name: /Dora/ }).waitFor();
    await two.page.locator('.msg', { hasText: 'I need billing help' }).waitFor();
    await two.page.locator('.msg', { hasText: 'Transferring you' }).waitFor();
    await setNotReady(two.page);

    // Conference: agent2 invites agent back; agent's desktop opens the conversation.
    await two.page.getByRole('button', { name: 'Conference…' }).click();
    const conf = two.page.getByRole('dialog', { name: /Invite an agent/ });
    const confSelect = conf.getByLabel('Agent', { exact: true });
    await eventually(async () => (await confSelect.locator('option', { hasText: 'Demo Agent' }).count()) > 0, 'agent list');
    await confSelect.selectOption((await confSelect.locator('option', { hasText: 'Demo Agent' }).getAttribute('value'))!);
    await conf.getByRole('button', { name: 'Invite' }).click();
    await one.page.getByRole('tab', { name: /Dora/ }).waitFor();
    await one.page.getByRole('tab', { name: /Dora/ }).click();
    await one.page.getByLabel(/Message to Dora/).fill('Hi again, I am here too');
    await one.page.keyboard.press('Control+Enter');
    await two.page.locator('.msg', { hasText: 'I am here too' }).waitFor();
    await d.waitFor((m) => m.text === 'Hi again, I am here too', 'the conference message');

    // An internal consult between the two agents.
    await two.page.getByLabel('Internal note', { exact: true }).check();
    await two.page.getByLabel(/Internal note \(agents only/).fill('consult: refund allowed?');
    await two.page.keyboard.press('Control+Enter');
    await one.page.locator('.msg.vis-int', { hasText: 'refund allowed' }).waitFor();
    await two.page.getByLabel('Internal note', { exact: true }).uncheck();

    // The supervisor.
    const sup = await openDesktop('supervisor');
    await sup.page.getByRole('button', { name: 'Supervisor' }).click();
    await sup.page.getByRole('heading', { name: 'Queues' }).waitFor();
    await sup.page
      .getByRole('row', { name: /Support/ })
      .first()
      .waitFor();
    await sup.page.getByRole('row', { name: /^Second Agent (Ready|Not ready)/ }).waitFor();
    const sessionRow = sup.page.getByRole('row', { name: /Dora/ });
    await sessionRow.getByRole('button', { name: /Monitor/ }).click();
    await sup.page.getByRole('tab', { name: /Dora/ }).waitFor();
    await sup.page.locator('.msg.vis-int', { hasText: 'refund allowed' }).waitFor();
    expect(await sup.page.getByLabel(/Message to Dora/).count()).toBe(0);

    await sup.page.getByLabel(/Whisper to the agent/).fill('Offer 10% off');
    await sup.page.getByRole('button', { name: 'Whisper' }).click();
    await two.page.locator('.msg.vis-vip', { hasText: 'Offer 10% off' }).waitFor();
    await sup.page.locator('.msg.vis-vip', { hasText: 'Offer 10% off' }).waitFor();

    // Presence of an agent, from the supervisor's table; the agent's desktop follows.
    await setReady(one.page);
    await sup.page.getByRole('button', { name: 'Supervisor' }).click();
    await sup.page.getByRole('button', { name: 'Refresh' }).click();
    await sup.page.getByRole('button', { name: /^Set not ready \(Demo Agent\)$/ }).click();
    await one.page.locator('.presence-NotReady').waitFor();

    // Barge in: the supervisor joins visibly and writes to the customer.
    await sup.page.getByRole('button', { name: /^Conversations/ }).click();
    await sup.page.getByRole('tab', { name: /Dora/ }).click();
    await sup.page.getByRole('button', { name: 'Barge in' }).click();
    await sup.page.getByLabel(/Message to Dora/).fill('Supervisor here, happy to help');
    await sup.page.keyboard.press('Control+Enter');
    await d.waitFor((m) => m.text === 'Supervisor here, happy to help', 'the barge-in message');
    await d.waitFor((m) => m.type === 'ParticipantJoined' && m.from.type === 'Supervisor', 'the supervisor joining');

    // The customer never saw the note or the whisper.
    await d.poll();
    expect(d.received.some((m) => /refund allowed|10% off/.test(m.text ?? ''))).toBe(false);

    // agent2 finishes.
    await two.page.getByRole('button', { name: 'Mark done' }).click();
    await two.page.getByLabel('Wrap-up code').selectOption('resolved');
    await two.page.getByRole('button', { name: 'Complete' }).click();
    await two.page.locator('.state-pill', { hasText: 'Completed' }).waitFor();

    for (const x of [one, two, sup]) {
      expect(x.seen.errors).toEqual([]);
      expect(x.seen.dialogs).toEqual([]);
      await x.page.context().close();
    }
  });
});
