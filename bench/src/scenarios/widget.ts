/**
 * Figure 5: the widget. Gzipped size of every file in packages/widgets/dist, and in headless
 * Chromium the time from navigation start to an open, usable chat window (the WebChat open after
 * `CXBus.command('WebChat.open', {form: false})`, its input enabled once the chat started on the
 * server), compared with the load of an empty page from the same server. A fresh browser context
 * (cold cache) for every run; medians.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
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
  /** BENCH_WIDGETS_BASE: this tree's widgets against an older build, alternating in the same browser and server. */
  ab?: WidgetAb;
  error?: string;
}

export interface WidgetAb {
  baseDir: string;
  runs: number;
  /** Both builds' files are served from disk by the browser's request routing (the same path for both), the API by the server. */
  current: { chatUsableMs: number[]; chatOpenMs: number[]; medianUsableMs: number; medianOpenMs: number; gzipBytes: number };
  base: { chatUsableMs: number[]; chatOpenMs: number[]; medianUsableMs: number; medianOpenMs: number; gzipBytes: number };
  /** current / base, time to a usable chat (medians). */
  usableRatio: number;
  error?: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

export const TREE_WIDGETS = join(repoRoot, 'packages/widgets/dist');

export function widgetSizes(dist = TREE_WIDGETS): WidgetFile[] {
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

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

export async function widgetLoad(sys: Running, runs: number, log: (s: string) => void, baseWidgets?: string): Promise<WidgetResult> {
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
    const open = async (path: string, widgetsDir?: string) => {
      const ctx = await browser.newContext();
      if (widgetsDir)
        await ctx.route(`${base}/widgets/**`, (route) => {
          const file = join(widgetsDir, new URL(route.request().url()).pathname.slice('/widgets/'.length));
          if (!file.startsWith(widgetsDir) || !existsSync(file) || statSync(file).isDirectory()) return route.fulfill({ status: 404, body: 'not found' });
          return route.fulfill({ status: 200, contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', body: readFileSync(file) });
        });
      // The two test pages are served from the server's origin (so the widget's requests are same-origin);
      // scripts, styles and the API are the real server's.
      await ctx.route(`${base}/bench/*`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: pages[new URL(route.request().url()).pathname] ?? 'not found' }));
      const page = await ctx.newPage();
      return { ctx, page };
    };
    const widgetPageTimes = async (widgetsDir?: string) => {
      const { ctx, page } = await open('/bench/widget.html', widgetsDir);
      try {
        await page.goto(`${base}/bench/widget.html`, { waitUntil: 'load' });
        await page.waitForFunction(() => (window as unknown as { __usable?: number }).__usable !== undefined, undefined, { timeout: 20_000, polling: 50 });
        return await page.evaluate(() => ({
          load: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd,
          open: (window as unknown as { __open: number }).__open,
          usable: (window as unknown as { __usable: number }).__usable,
        }));
      } finally {
        await ctx.close();
      }
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
        const t = await widgetPageTimes();
        if (i > 0) {
          result.widgetPageLoadMs.push(Math.round(t.load * 10) / 10);
          result.chatOpenMs.push(Math.round(t.open * 10) / 10);
          result.chatUsableMs.push(Math.round(t.usable * 10) / 10);
        }
      }
    }
    if (baseWidgets) result.ab = await widgetAb(baseWidgets, runs, widgetPageTimes, log);
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

const gzipTotal = (dir: string) =>
  widgetSizes(dir)
    .filter((f) => f.file === 'widgets.min.js' || f.file === 'widgets.min.css')
    .reduce((a, f) => a + f.gzipBytes, 0);

/** This tree's widgets against `baseDir` (an older packages/widgets/dist), alternating run by run (A B, B A, …), one unmeasured pass each first. */
async function widgetAb(baseDir: string, runs: number, times: (widgetsDir: string) => Promise<{ open: number; usable: number }>, log: (s: string) => void): Promise<WidgetAb> {
  const side = (dir: string) => ({ dir, chatUsableMs: [] as number[], chatOpenMs: [] as number[] });
  const current = side(TREE_WIDGETS);
  const older = side(baseDir);
  let error: string | undefined;
  try {
    for (let i = 0; i <= runs; i++) {
      for (const s of i % 2 ? [older, current] : [current, older]) {
        const t = await times(s.dir);
        if (i === 0) continue;
        s.chatUsableMs.push(Math.round(t.usable * 10) / 10);
        s.chatOpenMs.push(Math.round(t.open * 10) / 10);
      }
    }
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
    log(`  widget A/B failed: ${error}`);
  }
  const done = (s: ReturnType<typeof side>) => ({
    chatUsableMs: s.chatUsableMs,
    chatOpenMs: s.chatOpenMs,
    medianUsableMs: median(s.chatUsableMs),
    medianOpenMs: median(s.chatOpenMs),
    gzipBytes: gzipTotal(s.dir),
  });
  const ab: WidgetAb = { baseDir, runs, current: done(current), base: done(older), usableRatio: NaN, ...(error ? { error } : {}) };
  ab.usableRatio = Number((ab.current.medianUsableMs / ab.base.medianUsableMs).toPrecision(3));
  log(`widget A/B: chat usable ${ab.current.medianUsableMs} ms (this tree) vs ${ab.base.medianUsableMs} ms (${baseDir}): ${ab.usableRatio}× (medians of ${ab.current.chatUsableMs.length})`);
  return ab;
}
