/**
 * Files and images between the agent desktop and the website widget: the agent attaches an image in
 * the desktop and both sides show it inline (the image really loads through its signed link); an
 * image the customer uploads is previewed in the desktop too. A refused file (its content is not its
 * type) is reported to the agent and never reaches the customer. With UPDATE_SCREENSHOTS=1 it saves
 * packages/desktop/docs/desktop-files.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { API_KEY, closeServerAndBrowser, customerPage, openServerAndBrowser, sessionIdOf, startChatThroughForm, type TestServer } from './helpers.js';
import { axe, desktopBuilt, setReady, signIn, watchPage } from './desktop-helpers.js';

const SHOTS = fileURLToPath(new URL('../packages/desktop/docs/', import.meta.url));
/** A `w`x`h` PNG of two colour bands (made here, so the test needs no image file). */
function png(w: number, h: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rows.set(y < h / 2 ? [11, 92, 173] : [255, 209, 102], y * (w * 3 + 1) + 1 + x * 3);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
const PNG = png(160, 100);

/** The image under `scope` has loaded (a broken link has naturalWidth 0). */
const loaded = (img: Locator) => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0);

describe('desktop + widget: files and images', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    if (!desktopBuilt()) throw new Error('build the desktop first: npm run build -w @parley/desktop');
    ({ s, browser } = await openServerAndBrowser());
  });
  afterAll(() => closeServerAndBrowser(s, browser));

  it('an agent sends an image that both sides see inline; a customer image is previewed in the desktop', async () => {
    const ctx = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } });
    const agent: Page = await ctx.newPage();
    const seen = watchPage(agent);
    await signIn(agent, s.url, 'agent');
    await agent.locator('.connection[data-status="ready"]').waitFor();
    await setReady(agent);

    const customer: Page = await (await browser.newContext()).newPage();
    const cseen = watchPage(customer);
    await customer.goto(s.page('desktop-files', customerPage(s)));
    await startChatThroughForm(customer, { firstname: 'Iris', lastname: 'Park', email: 'iris@example.com', subject: 'Broken lid' });
    const win = customer.locator('.pz-win');
    await agent.locator('.offer', { hasText: 'Iris' }).waitFor();
    await agent.keyboard.press('Alt+KeyA');
    await agent.getByRole('tab', { name: /Iris/ }).waitFor();

    // The agent attaches an image: the desktop and the widget show it, and it loads.
    await agent.getByTestId(/^attach-/).setInputFiles({ name: 'label.png', mimeType: 'image/png', buffer: PNG });
    const mine = agent.locator('.msg .file-preview img[alt="Image: label.png"]');
    await mine.waitFor();
    await expect.poll(() => loaded(mine)).toBe(true);
    const thumb = win.locator('img.pz-thumb');
    await thumb.waitFor();
    await expect.poll(() => loaded(thumb)).toBe(true);
    await win.getByRole('link', { name: 'label.png' }).waitFor();

    // A file whose content is not its type is refused with the server's reason; nothing reaches the customer.
    await agent.getByTestId(/^attach-/).setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('<script>alert(1)</script>') });
    await agent.getByText(/Sending the file failed: the file's content is not image\/png/).waitFor();

    // The customer uploads an image (the v3 API the widget uses): the desktop previews it.
    const sessionId = await sessionIdOf(customer);
    // The widget keeps its client key (a JWT) in the page's storage.
    const clientKey = await customer.evaluate(() => {
      for (const store of [localStorage, sessionStorage])
        for (let i = 0; i < store.length; i++) {
          const v = store.getItem(store.key(i)!) ?? '';
          const m = /eyJ[\w-]+\.[\w-]+\.[\w-]+/.exec(v);
          if (m) return m[0];
        }
      return document.cookie.match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/)?.[0] ?? null;
    });
    expect(clientKey).toBeTruthy();
    const form = new FormData();
    form.set('file', new Blob([PNG], { type: 'image/png' }), 'photo.png');
    const up = await fetch(`${s.url}/nexus/v3/chat/sessions/${sessionId}/images`, { method: 'POST', headers: { 'x-api-key': API_KEY, 'x-nexus-client-key': clientKey! }, body: form });
    expect(up.status).toBe(200);
    const theirs = agent.locator('.msg.from-customer .file-preview img[alt="Image: photo.png"]');
    await theirs.waitFor();
    await expect.poll(() => loaded(theirs)).toBe(true);

    expect(await axe(agent)).toEqual([]);
    if (process.env.UPDATE_SCREENSHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await agent.screenshot({ path: `${SHOTS}desktop-files.png` });
    }
    expect(seen.errors).toEqual([]);
    expect(cseen.errors).toEqual([]);
  });
});
