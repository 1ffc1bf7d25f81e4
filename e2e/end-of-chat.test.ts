/**
 * Issue 18, the end of a chat and offline hours, in Chromium against a real server: the survey
 * answered in the widget and seen by the supervisor in the desktop (session panel and the
 * Satisfaction report); the transcript downloaded and e-mailed to a real SMTP server started here;
 * outside business hours, "leave a message" creates a conversation an agent then picks up in the
 * desktop. Hostile text stays inert everywhere; the new parts are axe clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { Agent, closeServerAndBrowser, customerPage, openServerAndBrowser, startChatThroughForm, type TestServer, until, watch } from './helpers.js';
import { signIn } from './desktop-helpers.js';
import { startSmtpServer } from '../packages/server/test/smtp-test-server.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const HOSTILE = '<img src=x onerror=alert(1)><svg onload=alert(2)>';
const SHOTS = fileURLToPath(new URL('../packages/widgets/screenshots/', import.meta.url));

/** A screenshot of the widget's window for packages/widgets/README-ui.md: always taken, written with UPDATE_SCREENSHOTS=1. */
async function shot(page: Page, name: string): Promise<void> {
  const path = process.env.UPDATE_SCREENSHOTS === '1' ? `${SHOTS}${name}.png` : undefined;
  if (path) mkdirSync(SHOTS, { recursive: true });
  await page.evaluate(() => document.fonts?.ready);
  expect((await page.locator('.pz-win').screenshot({ path })).length).toBeGreaterThan(1000);
}

async function seriousAxe(page: Page, selector: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async (sel) => {
    const r = await (window as any).axe.run({ include: [[sel]] }, { resultTypes: ['violations'] });
    return r.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
  }, selector);
}

async function endChat(page: Page): Promise<void> {
  await page.evaluate(() => (window as any).CXBus.command('WebChat.endChat'));
  await page.locator('.pz-sys', { hasText: 'Chat ended' }).waitFor();
}

describe('the end of a chat and offline hours (issue 18)', () => {
  let s: TestServer;
  let browser: Browser;
  let agent: Agent;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    ({ s, browser } = await openServerAndBrowser({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_FROM: 'Shop <chat@shop.example>' }));
    agent = await new Agent(s.url).login();
  });
  afterAll(async () => {
    await closeServerAndBrowser(s, browser);
    await smtp?.close();
  });

  async function customer(name: string) {
    const ctx = await browser.newContext({ acceptDownloads: true });
    const page = await ctx.newPage();
    const w = watch(page);
    await page.goto(s.page(name, customerPage(s)));
    return { ctx, page, w };
  }

  it('the survey after the chat: answered once in the widget, seen by the supervisor in the session and in the report', async () => {
    const sup = await (await browser.newContext()).newPage();
    const supWatch = watch(sup);
    await signIn(sup, s.url, 'supervisor');
    const { ctx, page, w } = await customer('survey');
    const sid = await startChatThroughForm(page, { firstname: 'Rita', lastname: 'Rater', email: 'rita@example.com', subject: 'Refund' });
    await agent.acceptNext(sid);
    await agent.send(sid, 'Your refund is on its way.');
    await page.locator('.pz-msg', { hasText: 'refund is on its way' }).waitFor();

    await sup.getByRole('button', { name: 'Supervisor' }).click();
    await sup
      .getByRole('row', { name: /Rita/ })
      .getByRole('button', { name: /Monitor/ })
      .click();
    await sup.getByRole('tab', { name: /Rita/ }).waitFor();

    await endChat(page);
    const panel = page.getByRole('region', { name: 'After the chat' });
    await panel.waitFor();
    expect(await seriousAxe(page, '.pz-after')).toEqual([]);
    await panel.getByRole('button', { name: 'Send rating' }).click();
    await panel.getByText('Choose a rating from 1 to 5.').waitFor();
    await panel.getByLabel('4 Good').check();
    await panel.getByLabel('Comment (optional)').fill(`Quick! ${HOSTILE}`);
    await panel.scrollIntoViewIfNeeded();
    await shot(page, 'after-chat-survey');
    await panel.getByRole('button', { name: 'Send rating' }).click();
    await panel.getByText('Thank you for your feedback.').waitFor();

    // The supervisor's open session shows the rating, the comment as text.
    await sup.getByRole('tab', { name: /Rita/ }).click();
    const result = sup.locator('.survey-result');
    await result.getByText('4 / 5').waitFor({ timeout: 15_000 });
    expect(await result.locator('.survey-comment').textContent()).toBe(`Quick! ${HOSTILE}`);
    expect(await result.locator('img, svg').count()).toBe(0);

    // ...and the report counts it.
    await sup.getByRole('button', { name: 'Supervisor' }).click();
    const report = sup.getByRole('region', { name: 'Satisfaction' });
    await report.getByRole('button', { name: 'Update report' }).click();
    await report.getByRole('row', { name: /Support 1 4\.00/ }).waitFor();
    await report.getByLabel('By').selectOption('agent');
    await report.getByRole('row', { name: /Demo Agent 1 4\.00/ }).waitFor();

    expect([...w.errors, ...supWatch.errors]).toEqual([]);
    expect([...w.dialogs, ...supWatch.dialogs]).toEqual([]);
    await ctx.close();
    await sup.context().close();
  });

  it('the transcript: downloaded as a text file with hostile text as plain text, and e-mailed to the SMTP server', async () => {
    const { ctx, page, w } = await customer('transcript');
    // the type of every Blob the page turns into a URL (the downloaded file's)
    await page.evaluate(() => {
      const make = URL.createObjectURL;
      (window as any).__blobTypes = [];
      URL.createObjectURL = (b: Blob | MediaSource) => ((window as any).__blobTypes.push((b as Blob).type), make(b));
    });
    const sid = await startChatThroughForm(page, { firstname: 'Tom', lastname: 'Copy', email: 'tom@example.com', subject: 'Copy' });
    await agent.acceptNext(sid);
    await agent.send(sid, `Here you go ${HOSTILE}`);
    await page.locator('.pz-msg', { hasText: 'Here you go' }).waitFor();
    await endChat(page);
    const panel = page.getByRole('region', { name: 'After the chat' });

    const download = page.waitForEvent('download');
    await panel.getByRole('button', { name: 'Download transcript' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('chat-transcript.txt');
    const text = readFileSync((await file.path())!, 'utf8');
    expect(text).toContain(`Here you go ${HOSTILE}`);
    expect(text).toMatch(/\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\] Tom Copy: |Tom/);
    expect(await page.evaluate(() => (window as any).__blobTypes)).toEqual(['text/plain;charset=utf-8']);

    // whatever the answer says, the file is plain text named .txt: never markup a browser would run
    await page.route('**/transcript?*', async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      body.data = { ...body.data, fileName: 'evil.html', contentType: 'text/html', content: `<html>${HOSTILE}</html>` };
      await route.fulfill({ response: res, json: body });
    });
    const forged = page.waitForEvent('download');
    await panel.getByRole('button', { name: 'Download transcript' }).click();
    expect((await forged).suggestedFilename()).toBe('chat-transcript.txt');
    expect(await page.evaluate(() => (window as any).__blobTypes)).toEqual(['text/plain;charset=utf-8', 'text/plain;charset=utf-8']);
    await page.unroute('**/transcript?*');

    const email = panel.getByLabel('E-mail the transcript to');
    await email.fill('not an address');
    await panel.getByRole('button', { name: 'Send', exact: true }).click();
    await panel.getByText('Please enter an email address like name@example.com.').waitFor();
    await email.fill('tom@example.com');
    await panel.getByRole('button', { name: 'Send', exact: true }).click();
    await panel.getByText('The transcript was sent to tom@example.com.').waitFor();
    const [mail] = await smtp.waitForMail(1);
    expect(mail!.to).toEqual(['tom@example.com']);
    expect(mail!.raw).toContain('Subject: Your chat transcript');
    expect(mail!.raw.replace(/=\r\n/g, '')).toContain('Here you go');
    expect(await page.locator('.pz-after img, .pz-after svg').count()).toBe(0);
    expect(w.errors).toEqual([]);
    expect(w.dialogs).toEqual([]);
    await ctx.close();
  });

  it('outside business hours: no chat, the leave-a-message form creates a conversation an agent then picks up in the desktop', async () => {
    const admin = await fetch(`${s.url}/agent/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'agent-pass-1' }),
    }).then((r) => r.json());
    const put = await fetch(`${s.url}/admin/v1/deployments/demo/business-hours`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
      body: JSON.stringify({ timeZone: 'Europe/Paris', weekly: {} }),
    });
    expect(put.status).toBe(200);
    try {
      const { ctx, page, w } = await customer('offline');
      await page.locator('.pz-cb').click();
      const form = page.locator('.pz-leave');
      await form.getByText('We are closed right now').waitFor();
      expect(await page.locator('form.pz-form:not(.pz-leave)').isHidden()).toBe(true);
      expect(await seriousAxe(page, '.pz-leave')).toEqual([]);
      await form.getByRole('button', { name: 'Send message' }).click();
      await form.getByText('Name is required.').waitFor();
      await form.getByLabel('Name').fill(`Otto ${HOSTILE}`);
      await form.getByLabel('Email').fill('otto@example.com');
      await form.getByLabel('Subject').fill('Broken order');
      await form.getByLabel('Message').fill(`Please call me back ${HOSTILE}`);
      await shot(page, 'leave-message');
      await form.getByRole('button', { name: 'Send message' }).click();
      await form.getByText('Thank you. Your message was sent; we will reply to otto@example.com.').waitFor();

      // An agent, later, in the desktop: the conversation waits in the queue with the message.
      const desk = await (await browser.newContext()).newPage();
      const deskWatch = watch(desk);
      await signIn(desk, s.url, 'agent');
      const waiting = desk.locator('.waiting');
      await waiting.getByText(`Otto ${HOSTILE}`).first().waitFor();
      await waiting.getByRole('button', { name: /Pick/ }).first().click();
      await desk.locator('.msg', { hasText: 'Please call me back' }).waitFor();
      expect(await desk.locator('.msg', { hasText: 'Please call me back' }).textContent()).toContain(HOSTILE);
      expect(await desk.locator('.conversation').getByText('Asynchronous').count()).toBeGreaterThan(0);
      expect(await desk.locator('.msg img, .msg svg').count()).toBe(0);
      expect([...w.errors, ...deskWatch.errors]).toEqual([]);
      expect([...w.dialogs, ...deskWatch.dialogs]).toEqual([]);
      await ctx.close();
      await desk.context().close();
    } finally {
      await fetch(`${s.url}/admin/v1/deployments/demo/business-hours`, { method: 'DELETE', headers: { authorization: `Bearer ${admin.token}` } });
    }
  });
});
