/** Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by file. */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface ProfileSummary {
  totalMs: number;
  idlePercent: number;
  gcPercent: number;
  topFunctions: { fn: string; where: string; selfPercent: number }[];
  topFiles: { file: string; selfPercent: number }[];
  /** Inclusive time of notable entry points (everything they call). */
  inclusive: { fn: string; where: string; totalPercent: number }[];
  /** For the top self-time functions: the call paths (callers, nearest first) that account for their samples. */
  callers: { fn: string; where: string; paths: { path: string; percent: number }[] }[];
}

const short = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/.*\/node_modules\//, 'node_modules/')
    .replace(/.*\/packages\//, 'packages/') || '(native)';

export function summarize(file: string | object, top = 25): ProfileSummary {
  const p = (typeof file === 'string' ? JSON.parse(readFileSync(file, 'utf8')) : file) as { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const counts = new Map<number, number>();
  for (const s of p.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
  const total = p.samples.length || 1;
  const selfFn = new Map<string, number>();
  const selfFile = new Map<string, number>();
  let idle = 0;
  let gc = 0;
  for (const [id, c] of counts) {
    const n = byId.get(id)!;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') idle += c;
    if (name === '(garbage collector)') gc += c;
    const key = `${name}\u0000${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    selfFn.set(key, (selfFn.get(key) ?? 0) + c);
    if (name === '(idle)' || name === '(program)') continue;
    const f = name === '(garbage collector)' ? '(garbage collector)' : short(n.callFrame.url);
    selfFile.set(f, (selfFile.get(f) ?? 0) + c);
  }
  // Inclusive time: samples under each node, summed per function (each sample counted once per function).
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map<string, number>();
  for (const [id, c] of counts) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      const key = `${n.callFrame.functionName || '(anonymous)'}\u0000${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + c);
    }
  }
  const pct = (c: number) => Math.round((c / total) * 1000) / 10;
  const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url).replace(/^packages\/server\/dist\//, '')}:${n.callFrame.lineNumber + 1}`;
  const keyOf = (n: Node) => `${n.callFrame.functionName || '(anonymous)'}\u0000${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const topKeys = [...selfFn.entries()]
    .filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(program)') && !k.startsWith('(garbage'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([k]) => k);
  const callers = topKeys.map((k) => {
    const paths = new Map<string, number>();
    for (const [id, c] of counts) {
      const n = byId.get(id)!;
      if (keyOf(n) !== k) continue;
      const chain: string[] = [];
      for (let cur = parent.get(id); cur !== undefined && chain.length < 6; cur = parent.get(cur)) {
        const pn = byId.get(cur)!;
        if (pn.callFrame.functionName === '(root)') break;
        chain.push(label(pn));
      }
      const path = chain.join(' < ') || '(top)';
      paths.set(path, (paths.get(path) ?? 0) + c);
    }
    const [fn, where] = k.split('\u0000');
    return {
      fn: fn!,
      where: where!,
      paths: [...paths.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([path, c]) => ({ path, percent: pct(c) })),
    };
  });
  const split = (k: string) => {
    const [fn, where] = k.split('\u0000');
    return { fn: fn!, where: where! };
  };
  return {
    totalMs: Math.round((p.endTime - p.startTime) / 1000),
    idlePercent: pct(idle),
    gcPercent: pct(gc),
    topFunctions: [...selfFn.entries()]
      .filter(([k]) => !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, c]) => ({ ...split(k), selfPercent: pct(c) })),
    topFiles: [...selfFile.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([file, c]) => ({ file, selfPercent: pct(c) })),
    inclusive: [...incl.entries()]
      .filter(([k]) => /packages\/server/.test(k) && !/^\(/.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, c]) => ({ ...split(k), totalPercent: pct(c) })),
    callers,
  };
}
