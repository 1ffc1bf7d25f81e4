/**
 * Figure 5: the widget. Gzipped size of every file in packages/widgets/dist, and in headless
 * Chromium the time from navigation start to an open, usable chat window (the WebChat open after
 * `CXBus.command('WebChat.open', {form: false})`, its input enabled once the chat started on the
 * server), compared with the load of an empty page from the same server. A fresh browser context
 * (cold cache) for every run; medians.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { repoRoot } from '../lib/proc.js';
import { API_KEY, V3_PREFIX, type Running } from '../systems.js';

export interface WidgetFile {
  file: string;
  bytes: number;
  gzipBytes: number;
  brotliBytes: number;
}

export interface WidgetResult {
  files: WidgetFile[];
  runs: number;
  emptyPageLoadMs: number[];
  widgetPageLoadMs: number[];
  chatOpenMs: number[];
  chatUsableMs: number[];
  median: { emptyPageLoadMs: number; widgetPageLoadMs: number; chatOpenMs: number; chatUsableMs: number; usableOverEmptyMs: number };
  error?: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

export function widgetSizes(): WidgetFile[] {
  const dist = join(repoRoot, 'packages/widgets/dist');
  return walk(dist)
    .filter((f) => /\.(js|css|mjs)$/.test(f))
    .sort()
    .map((f) => {
      const buf = readFileSync(f);
      return { file: relative(dist, f), bytes: buf.length, gzipBytes: gzipSync(buf, { level: 9 }).length, brotliBytes: brotliCompressSync(buf).length };
    });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round((s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) * 10) / 10 : NaN;
};

const EMPTY = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>empty</title></head><body><main><h1>A page</h1><p>No widget.</p></main></body></html>`;

function widgetPage(): string {
  const config = {
    main: { theme: 'light', lang: 'en' },
    webchat: { transport: { type: 'pureengage-v3-rest', dataURL: V3_PREFIX, headers: { 'x-api-key': API_KEY } }, chatButton: { enabled: true, openDelay: 0 } },
  };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>widget</title>
<link rel="stylesheet" href="/widgets/widgets.min.css"></head>
<body><main><h1>A page</h1><p>With the widget.</p></main>
<script>window._genesys = { widgets: ${JSON.stringify(config)} };</script>
<script src="/widgets/widgets.min.js"></script>
<script>
(function () {
  var opened = false;
  CXBus.command('WebChat.open', { form: false });
  function check() {
    var win = document.querySelector('.pz-win');
    var ta = document.querySelector('.pz-ft textarea');
    var foot = document.querySelector('.pz-ft');
    if (!opened && win && !win.hidden && win.getClientRects().length) { opened = true; window.__open = performance.now(); }
    if (opened && ta && !ta.disabled && foot && !foot.hidden) { window.__usable = performance.now(); return; }
    requestAnimationFrame(check);
  }
  check();
})();
</script>
</body></html>`;
}

export async function widgetLoad(sys: Running, runs: number, log: (s: string) => void): Promise<WidgetResult> {
  const files = widgetSizes();
  const result: WidgetResult = {
    files,
    runs,
    emptyPageLoadMs: [],
    widgetPageLoadMs: [],
    chatOpenMs: [],
    chatUsableMs: [],
    median: { emptyPageLoadMs: NaN, widgetPageLoadMs: NaN, chatOpenMs: NaN, chatUsableMs: NaN, usableOverEmptyMs: NaN },
  };
  const base = sys.urls[0]!;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const pages: Record<string, string> = { '/bench/empty.html': EMPTY, '/bench/widget.html': widgetPage() };
    const open = async (path: string) => {
      const ctx = await browser.newContext();
      // The two test pages are served from the server's origin (so the widget's requests are same-origin);
      // scripts, styles and the API are the real server's.
      await ctx.route(`${base}/bench/*`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: pages[new URL(route.request().url()).pathname] ?? 'not found' }));
      const page = await ctx.newPage();
      return { ctx, page };
    };
    // One unmeasured pass of each warms the server and the browser process.
    for (let i = 0; i <= runs; i++) {
      {
        const { ctx, page } = await open('/bench/empty.html');
        await page.goto(`${base}/bench/empty.html`, { waitUntil: 'load' });
        const load = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd);
        if (i > 0) result.emptyPageLoadMs.push(Math.round(load * 10) / 10);
        await ctx.close();
      }
      {
        const { ctx, page } = await open('/bench/widget.html');
        await page.goto(`${base}/bench/widget.html`, { waitUntil: 'load' });
        await page.waitForFunction(() => (window as unknown as { __usable?: number }).__usable !== undefined, undefined, { timeout: 20_000, polling: 50 });
        const t = await page.evaluate(() => ({
          load: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd,
          open: (window as unknown as { __open: number }).__open,
          usable: (window as unknown as { __usable: number }).__usable,
        }));
        if (i > 0) {
          result.widgetPageLoadMs.push(Math.round(t.load * 10) / 10);
          result.chatOpenMs.push(Math.round(t.open * 10) / 10);
          result.chatUsableMs.push(Math.round(t.usable * 10) / 10);
        }
        await ctx.close();
      }
    }
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
    log(`  widget failed: ${result.error}`);
  } finally {
    await browser.close();
  }
  result.median = {
    emptyPageLoadMs: median(result.emptyPageLoadMs),
    widgetPageLoadMs: median(result.widgetPageLoadMs),
    chatOpenMs: median(result.chatOpenMs),
    chatUsableMs: median(result.chatUsableMs),
    usableOverEmptyMs: Math.round((median(result.chatUsableMs) - median(result.emptyPageLoadMs)) * 10) / 10,
  };
  log(`widget: empty page ${result.median.emptyPageLoadMs} ms, chat usable ${result.median.chatUsableMs} ms (median of ${result.chatUsableMs.length})`);
  return result;
}
