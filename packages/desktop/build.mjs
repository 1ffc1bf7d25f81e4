// Builds the desktop: src/ -> dist/ (index.html, app.js, app.css). `node build.mjs --watch` rebuilds on change.
import { build, context } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
const options = {
  entryPoints: { app: join(here, 'src/main.tsx') },
  outdir: out,
  bundle: true,
  format: 'esm',
  target: ['es2020'],
  minify: true,
  sourcemap: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
};

await mkdir(out, { recursive: true });
await copyFile(join(here, 'src/index.html'), join(out, 'index.html'));
await copyFile(join(here, 'src/app.css'), join(out, 'app.css'));
await copyFile(join(here, 'src/favicon.ico'), join(out, 'favicon.ico'));
if (process.argv.includes('--watch')) {
  const ctx = await context(options);
  await ctx.watch();
  console.log('desktop: watching src/');
} else {
  await build(options);
}
