// Builds the browser files into dist/ and checks the size budget.
//   dist/widgets.min.js                everything: bus + WebChatService + App + WebChat UI
//   dist/widgets.min.css               the UI's styles
//   dist/cxbus.min.js                  the bus alone (lazy-loading pattern)
//   dist/plugins/widgets-core.min.js   everything but the bus, onto the page's window.CXBus
//   dist/plugins/webchat-service.min.js  WebChatService alone
//   dist/transports/<type>.min.js      a transport WebChatService loads on first use, from next to
//                                      the script it came from (purecloud-v2-sockets, gms-chat-v2,
//                                      v3-message-stream: the v3 transport's WebSocket)
//   dist/addons/<name>.min.js          UI parts loaded on first use (emoji picker, markdown renderer,
//                                      survey / transcript / leave-a-message forms)
import { build, transform } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const BUDGET = 30 * 1024; // widgets.min.js + widgets.min.css, gzipped

const hasUi = existsSync(join(here, 'src/ui/index.ts'));
const cssFile = join(here, 'src/ui/widgets.css');

const imports = {
  bus: "import './src/entries/bus-global.ts';",
  service: "import './src/entries/service-global.ts';",
  ui: hasUi ? "import './src/ui/index.ts';" : '',
  boot: "import { boot } from './src/app.ts'; boot(globalThis.CXBus); globalThis.CXBus.loaded.push('widgets-core');",
};

const entries = {
  'widgets.min.js': [imports.bus, imports.service, imports.ui, imports.boot],
  'cxbus.min.js': [imports.bus],
  'plugins/widgets-core.min.js': ["if (!globalThis.CXBus) console.error('[Parley] load cxbus.min.js before widgets-core.min.js');", imports.service, imports.ui, imports.boot],
  'plugins/webchat-service.min.js': [imports.service],
  'transports/purecloud-v2-sockets.min.js': ["import './src/transports/purecloud-v2-sockets.ts';"],
  'transports/gms-chat-v2.min.js': ["import './src/transports/gms-chat-v2.ts';"],
  'transports/v3-message-stream.min.js': ["import './src/transports/v3-message-stream.ts';"],
  'addons/emoji.min.js': ["import './src/addons/emoji.ts';"],
  'addons/markdown.min.js': ["import './src/addons/markdown.ts';"],
  'addons/extras.min.js': ["import './src/addons/extras.ts';"],
};

// Where a bundle finds dist/transports/, relative to its own URL.
const transportsPath = (out) => (out.startsWith('plugins/') ? '../transports/' : 'transports/');

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'plugins'), { recursive: true });
mkdirSync(join(dist, 'transports'), { recursive: true });
mkdirSync(join(dist, 'addons'), { recursive: true });

const sizes = {};
for (const [out, lines] of Object.entries(entries)) {
  const result = await build({
    stdin: { contents: lines.filter(Boolean).join('\n'), resolveDir: here, sourcefile: out.replace('.min.js', '.entry.ts'), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020', // the browsers widgets.min.css (chrome80) needs anyway; keeps ?. and ?? short
    platform: 'browser',
    legalComments: 'none',
    define: { PARLEY_TRANSPORTS_PATH: JSON.stringify(transportsPath(out)) },
    write: false,
    logLevel: 'warning',
  });
  const code = result.outputFiles[0].contents;
  writeFileSync(join(dist, out), code);
  sizes[out] = code;
}

let css = '';
// rich-message.css: the rich-message view's styles, kept beside it (docs/rich-messages.md)
const richCss = join(here, 'src/ui/rich-message.css');
if (existsSync(cssFile)) css = (await transform(readFileSync(cssFile, 'utf8') + (existsSync(richCss) ? readFileSync(richCss, 'utf8') : ''), { loader: 'css', minify: true, target: 'chrome80' })).code;
writeFileSync(join(dist, 'widgets.min.css'), css);
sizes['widgets.min.css'] = Buffer.from(css);

const gz = (b) => gzipSync(b, { level: 9 }).length;
const kib = (n) => (n / 1024).toFixed(1) + ' KiB';
console.log(`widgets build${hasUi ? '' : ' (no src/ui/index.ts yet: built without the UI)'}`);
for (const [name, b] of Object.entries(sizes)) console.log(`  dist/${name.padEnd(44)} ${kib(b.length).padStart(10)}  ${kib(gz(b)).padStart(9)} gzipped`);
const total = gz(sizes['widgets.min.js']) + gz(sizes['widgets.min.css']);
console.log(`  widgets.min.js + widgets.min.css: ${kib(total)} gzipped (budget ${kib(BUDGET)})`);
if (total > BUDGET) {
  console.error(`widgets build: over budget by ${kib(total - BUDGET)}`);
  process.exit(1);
}
