/** Re-renders results/latest.md from results/latest.json (e.g. after changing the report): `npx tsx bench/src/render.ts [json] [md]`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchRoot } from './lib/proc.js';
import { ratios, renderMarkdown } from './report.js';

const json = process.argv[2] ?? join(benchRoot, 'results/latest.json');
const md = process.argv[3] ?? join(benchRoot, 'results/latest.md');
const r = JSON.parse(readFileSync(json, 'utf8'));
r.profiles ??= [];
r.ratios = ratios(r);
writeFileSync(md, renderMarkdown(r));
console.log(`wrote ${md}`);
