/**
 * What an exchange makes SQLite write: the pages its commits append to the WAL, by table and index
 * (frame headers' page numbers, named with SQLite's dbstat). A commit writes every page it changed
 * whole, so an index that moves with every message costs a page per message (issue 16).
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, startServer, V3Customer, type Running } from './helpers.js';

const WAL_HEADER = 32;
const FRAME_HEADER = 24;

/** Pages appended to the WAL from byte `from` on, counted per b-tree name. */
function pagesSince(dbFile: string, from: number): Map<string, number> {
  const wal = readFileSync(`${dbFile}-wal`);
  const pageSize = wal.readUInt32BE(8);
  const db = new Database(dbFile, { readonly: true });
  try {
    const names = new Map((db.prepare('SELECT pageno, name FROM dbstat').all() as { pageno: number; name: string }[]).map((r) => [r.pageno, r.name]));
    const out = new Map<string, number>();
    for (let at = Math.max(from, WAL_HEADER); at + FRAME_HEADER + pageSize <= wal.length; at += FRAME_HEADER + pageSize) {
      const name = names.get(wal.readUInt32BE(at)) ?? 'other';
      out.set(name, (out.get(name) ?? 0) + 1);
    }
    return out;
  } finally {
    db.close();
  }
}

describe('SQLite: pages an exchange writes to the WAL', () => {
  let srv: Running | null = null;
  afterEach(async () => {
    await srv?.close();
    srv = null;
  });

  it("an agent's message writes no index of the customer's clock, and nothing writes an index of the activity clock", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-wal-'));
    const dbFile = join(dir, 'parley.db');
    srv = await startServer({ LONG_POLL_MS: '300', PARLEY_DATA_DIR: dir, DATABASE_URL: `sqlite:${dbFile}` }, undefined, { routeEveryMs: 3_600_000, sweepEveryMs: 0 });
    const agent = await new Agent(srv.url).login();
    const customers: V3Customer[] = [];
    for (let i = 0; i < 3; i++) {
      const c = new V3Customer(srv.url);
      await c.start();
      await agent.acceptFor(c.sessionId);
      customers.push(c);
    }
    const exchange = async (c: V3Customer, n: number) => {
      expect((await c.send('Text', `question ${n}`)).status).toBe(200);
      await c.pollUntil((seen) => seen.some((m) => m.text === `question ${n}`));
      expect((await agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Text', text: `answer ${n}` })).status).toBe(200);
      await c.pollUntil((seen) => seen.some((m) => m.text === `answer ${n}`));
    };
    for (const c of customers) await exchange(c, 0);
    await new Promise((r) => setTimeout(r, 300));
    const from = statSync(`${dbFile}-wal`).size;
    const rounds = 10;
    for (let n = 1; n <= rounds; n++) for (const c of customers) await exchange(c, n);
    await new Promise((r) => setTimeout(r, 300));
    const pages = pagesSince(dbFile, from);
    const exchanges = rounds * customers.length;
    const per = (name: string) => (pages.get(name) ?? 0) / exchanges;
    const total = [...pages.values()].reduce((a, b) => a + b, 0) / exchanges;
    console.log(`WAL pages per exchange: ${total.toFixed(1)}; ${[...pages].map(([k, v]) => `${k} ${(v / exchanges).toFixed(2)}`).join(', ')}`);
    // Before issue 16's sixth session: 18.8 pages, of them 2.0 for (state, last_customer_at) and 2.0
    // for (state, last_activity_at), an index nothing read.
    expect(per('sessions_active_customer')).toBeLessThanOrEqual(1.1);
    expect(pages.has('sessions_active_activity')).toBe(false);
    expect(per('sessions')).toBeLessThanOrEqual(2.1);
    expect(total).toBeLessThanOrEqual(16.5);
  });
});
