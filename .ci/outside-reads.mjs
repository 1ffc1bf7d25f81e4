// Reads an `strace -f -y -z -e trace=open,openat,openat2` log and lists the files opened outside
// the clone and the allowed system and Node directories. With any, it prints them, records one
// failed test in the vitest JSON report (so CI's count shows it) and exits 1.
// Usage: node outside-reads.mjs STRACE_LOG CLONE_DIR NODE_HOME REPORT_JSON
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const [log, clone, nodeHome, report] = process.argv.slice(2);
const allowed = [clone, nodeHome, '/usr', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/proc', '/sys', '/dev'];
const inside = (p) => allowed.some((dir) => p === dir || p.startsWith(dir.endsWith('/') ? dir : dir + '/'));

// `= 3</resolved/path>`: the descriptor an open returned, with the file it refers to.
const opened = /\bopen(?:at2?)?\(.*\)\s+=\s+\d+<(.*)>$/;
const outside = new Set();
for (const line of readFileSync(log, 'utf8').split('\n')) {
  const m = opened.exec(line);
  if (!m) continue;
  const path = m[1].replace(/\\x([0-9a-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  if (path.startsWith('/') && !inside(path)) outside.add(path);
}

if (outside.size === 0) {
  console.log(`self-contained: no file outside ${clone} was opened`);
  process.exit(0);
}
const list = [...outside].sort();
console.log(`self-contained: ${list.length} file(s) outside the clone were opened:`);
for (const p of list.slice(0, 50)) console.log('  ' + p);
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  r.numFailedTests += 1;
  r.numTotalTests += 1;
  r.success = false;
  r.testResults.push({
    name: 'self-contained check (.ci/self-contained)',
    status: 'failed',
    assertionResults: [{ status: 'failed', title: 'no file outside the clone is opened', fullName: 'no file outside the clone is opened', failureMessages: list.slice(0, 50) }],
  });
  writeFileSync(report, JSON.stringify(r));
}
process.exit(1);
