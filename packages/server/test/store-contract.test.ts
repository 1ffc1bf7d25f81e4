/**
 * The Store port's contract, run against every adapter: SQLite in memory, SQLite on a file, and
 * PostgreSQL (each test in a fresh schema, dropped after; several stores on one schema play
 * several nodes). PostgreSQL is skipped when unreachable, and fails under CI=true.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Message, Visibility } from '@parley/protocol';
import { SqliteStore } from '../src/adapters/store-sqlite/index.js';
import { executeText, PostgresStore, prepareText, type PostgresStoreOptions } from '../src/adapters/store-postgres/index.js';
import { migrations as pgMigrations } from '../src/adapters/store-postgres/migrations.js';
import { appendMessage as appendTo } from '../src/core/log-append.js';
import { parseIndex } from '../src/core/message-index.js';
import { searchWords } from '../src/core/search-index.js';
import type { SearchFilter } from '../src/ports/store/search.js';
import type { Contact } from '../src/ports/store/contacts.js';
import type {
  Account,
  AgentConnection,
  AgentProfile,
  Deployment,
  FlowRun,
  Interaction,
  MessageDraft,
  Participant,
  Queue,
  Session,
  Store,
  StoreTx,
  StoredFile,
  Survey,
  BusinessHours,
} from '../src/ports/store.js';
import type { NewWebhookDelivery, Webhook } from '../src/ports/store/webhooks.js';
import type { NewAuditEntry } from '../src/ports/store/audit.js';
import { describeWithService, probePostgres } from './external-services.js';

// ---- fixtures ------------------------------------------------------------------------------

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
let counter = 0;
const uid = (prefix: string) => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
const ALL = ['All', 'Int', 'Vip'] as const;

function deployment(over: Partial<Deployment> = {}): Deployment {
  return {
    id: uid('dep'),
    name: 'Shop “ünïcode” 🛒',
    allowedOrigins: ['https://shop.example', 'http://localhost:8080'],
    asyncPolicy: { mode: 'client', afterCompletion: 'notice', noticeWindowSeconds: 300, noticeText: 'We will be back' },
    defaultQueue: 'Support',
    createdAt: iso(T0),
    settings: {
      appName: 'Parley',
      idle: { alertAfterSeconds: 60, alertText: 'Still there?', closeAfterSeconds: 120, closeText: 'Bye', asyncCloseAfterSeconds: 0 },
      flow: { start: 'greet', steps: { greet: { say: 'Hi', next: null } }, z: 1, a: [true] },
    },
    ...over,
  };
}
function session(deploymentId: string, over: Partial<Session> = {}): Session {
  return {
    id: uid('ses'),
    deploymentId,
    async: false,
    state: 'Active',
    customerParticipantId: uid('cust'),
    transportId: uid('tr'),
    userData: { FirstName: 'Ann', 'weird key "x"': 'v\n2', zeta: '1', alpha: '2' },
    createdAt: iso(T0),
    endedAt: null,
    lastIndexNum: 0,
    lastCustomerAt: iso(T0),
    lastActivityAt: iso(T0),
    ...over,
  };
}
function participant(sessionId: string, over: Partial<Participant> = {}): Participant {
  return {
    id: uid('par'),
    sessionId,
    type: 'Customer',
    nickname: 'Ann',
    accountId: null,
    state: 'Connected',
    joinedAt: iso(T0),
    leftAt: null,
    cursorNum: 0,
    ...over,
  };
}
function interaction(s: Session, over: Partial<Interaction> = {}): Interaction {
  return {
    id: uid('int'),
    sessionId: s.id,
    deploymentId: s.deploymentId,
    state: 'Queued',
    queue: 'Support',
    priority: 0,
    agentAccountId: null,
    wrapUpCode: null,
    createdAt: iso(T0),
    updatedAt: iso(T0),
    completedAt: null,
    skills: ['billing', 'fr'],
    language: 'fr',
    queuedAt: iso(T0),
    handledAt: null,
    offerExpiresAt: null,
    declinedBy: [],
    preferredAgentId: null,
    preferredUntil: null,
    ...over,
  };
}
function account(over: Partial<Account> = {}): Account {
  return { id: uid('acc'), username: uid('user'), displayName: 'Agent Smith', passwordHash: 'scrypt$abc', role: 'agent', createdAt: iso(T0), tokenGeneration: 0, disabled: false, ...over };
}
function draft(over: Partial<MessageDraft> = {}): MessageDraft {
  return { id: uid('msg'), type: 'Text', from: { participantId: 'p-1', type: 'Customer', nickname: 'Ann' }, visibility: 'All', text: 'hello', ...over };
}

async function seed(store: Store, sessionOver: Partial<Session> = {}): Promise<{ dep: Deployment; ses: Session }> {
  const dep = deployment();
  const ses = session(dep.id, sessionOver);
  await store.tx(async (tx) => {
    await tx.insertDeployment(dep);
    await tx.insertSession(ses);
  });
  return { dep, ses };
}
const read = <T>(store: Store, fn: (tx: StoreTx) => Promise<T>) => store.tx(fn);
const appendMessage = async (...args: Parameters<typeof appendTo>) => (await appendTo(...args)).message;
const fullLog = (store: Store, sessionId: string) => read(store, (tx) => tx.listMessages(sessionId, { visibilities: [...ALL], limit: 1_000_000 }));

/** The log is in strictly increasing index order, indexes are well formed, and the session's last index matches. */
async function expectConsistentLog(store: Store, sessionId: string, expectedCount: number): Promise<Message[]> {
  const log = await fullLog(store, sessionId);
  expect(log).toHaveLength(expectedCount);
  const nums = log.map((m) => {
    expect(m.index).toMatch(/^\d+-\d$/);
    const n = parseIndex(m.index)!;
    // Genesys clients drop the '-' and compare the digits as a number: that must be the same order.
    expect(Number(m.index.replace('-', ''))).toBe(n);
    return n;
  });
  for (let i = 1; i < nums.length; i++) expect(nums[i]).toBeGreaterThan(nums[i - 1]!);
  const s = await read(store, (tx) => tx.getSession(sessionId));
  expect(s!.lastIndexNum).toBe(nums.length ? nums[nums.length - 1] : 0);
  return log;
}

/** Lets `n` parties line up before going on (first attempt only; retries pass straight through). */
function barrier(n: number, enabled: boolean, timeoutMs = 5_000) {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const timer = setTimeout(() => open(), timeoutMs);
  return {
    wait(): Promise<void> {
      if (!enabled) return Promise.resolve();
      if (++arrived >= n) {
        clearTimeout(timer);
        open();
      }
      return opened;
    },
    dispose: () => clearTimeout(timer),
  };
}

// ---- backends ------------------------------------------------------------------------------

interface Opened {
  store: Store;
  /** Another store on the same database: a second node (PostgreSQL only). */
  node?: (opts?: PostgresStoreOptions) => Promise<Store>;
  /** The PostgreSQL schema of this test. */
  schema?: string;
  close(): Promise<void>;
}
interface Backend {
  name: string;
  /** Transactions really run at the same time (so barriers inside them make sense). */
  parallel: boolean;
  numRuns: number;
  open(opts?: PostgresStoreOptions): Promise<Opened>;
}

const sqliteMemory: Backend = {
  name: 'SQLite :memory:',
  parallel: false,
  numRuns: 100,
  async open() {
    const store = new SqliteStore(':memory:');
    return { store, close: () => store.close() };
  },
};
const sqliteFile: Backend = {
  name: 'SQLite file',
  parallel: false,
  numRuns: 60,
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'parley-store-contract-'));
    const store = new SqliteStore(join(dir, 'nested', 'parley.db'));
    return {
      store,
      async close() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

function postgresBackend(url: string): Backend & { admin(): pg.Pool } {
  let admin: pg.Pool | undefined;
  const adminPool = () => (admin ??= new pg.Pool({ connectionString: url, max: 4 }));
  // Fresh, migrated schemas are prepared a few tests ahead and dropped behind, so the ~100ms of
  // DDL per test overlaps with the tests instead of adding to them. Every test still gets its own.
  const AHEAD = 3;
  const prepared: Promise<string>[] = [];
  const drops: Promise<unknown>[] = [];
  const prepare = () => {
    const schema = freshSchemaName();
    const ready = PostgresStore.connect(url, { schema, max: 1 }).then(async (s) => {
      await s.close();
      return schema;
    });
    ready.catch(() => undefined); // reported by the test that takes it
    return ready;
  };
  const drop = (schema: string) => adminPool().query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  afterAll(async () => {
    const unused = await Promise.allSettled(prepared.splice(0));
    await Promise.allSettled([...drops, ...unused.flatMap((r) => (r.status === 'fulfilled' ? [drop(r.value)] : []))]);
    await admin?.end();
  });
  return {
    name: 'PostgreSQL',
    parallel: true,
    numRuns: 25,
    admin: adminPool,
    async open(opts = {}) {
      const schema = await (prepared.shift() ?? prepare());
      while (prepared.length < AHEAD) prepared.push(prepare());
      const stores: Store[] = [];
      const node = async (more: PostgresStoreOptions = {}) => {
        const s = await PostgresStore.connect(url, { ...opts, ...more, schema });
        stores.push(s);
        return s;
      };
      const store = await node();
      return {
        store,
        node,
        schema,
        async close() {
          await Promise.all(stores.map((s) => s.close()));
          const dropped = drop(schema);
          dropped.catch(() => undefined);
          drops.push(dropped);
        },
      };
    },
  };
}

/** Unique per test, process and run, so parallel files and CI re-runs never share a schema. */
function freshSchemaName(): string {
  return `parley_test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}_${++counter}`;
}

// ---- the contract --------------------------------------------------------------------------

function storeContract(backend: Backend): void {
  let h: Opened;
  let store: Store;
  beforeEach(async () => {
    h = await backend.open();
    store = h.store;
  });
  afterEach(async () => {
    await h?.close();
  });
  /** Stores that are separate nodes where the backend has them; else the one store. */
  const nodes = async (n: number, opts?: PostgresStoreOptions): Promise<Store[]> => (h.node ? Promise.all(Array.from({ length: n }, () => h.node!(opts))) : Array.from({ length: n }, () => store));

  describe('deployments and API keys', () => {
    it('round-trips a deployment; unknown ids are null', async () => {
      const d = deployment();
      await store.tx((tx) => tx.insertDeployment(d));
      expect(await read(store, (tx) => tx.getDeployment(d.id))).toEqual(d);
      expect(await read(store, (tx) => tx.getDeployment('nope'))).toBeNull();
    });

    it('refuses a second deployment with the same id', async () => {
      const d = deployment();
      await store.tx((tx) => tx.insertDeployment(d));
      await expect(store.tx((tx) => tx.insertDeployment({ ...d, name: 'other' }))).rejects.toThrow();
      expect((await read(store, (tx) => tx.getDeployment(d.id)))!.name).toBe(d.name);
    });

    it('finds a deployment by API key hash; addApiKey re-binds an existing hash (upsert)', async () => {
      const a = deployment();
      const b = deployment();
      await store.tx(async (tx) => {
        await tx.insertDeployment(a);
        await tx.insertDeployment(b);
        await tx.addApiKey(a.id, 'hash-1', 'first');
        await tx.addApiKey(a.id, 'hash-2', 'second');
      });
      expect((await read(store, (tx) => tx.getDeploymentByApiKeyHash('hash-1')))!.id).toBe(a.id);
      expect((await read(store, (tx) => tx.getDeploymentByApiKeyHash('hash-2')))!.id).toBe(a.id);
      expect(await read(store, (tx) => tx.getDeploymentByApiKeyHash('hash-3'))).toBeNull();
      await store.tx((tx) => tx.addApiKey(b.id, 'hash-1', 'moved'));
      expect((await read(store, (tx) => tx.getDeploymentByApiKeyHash('hash-1')))!.id).toBe(b.id);
      await store.tx((tx) => tx.addApiKey(b.id, 'hash-1', 'again'));
      expect((await read(store, (tx) => tx.getDeploymentByApiKeyHash('hash-1')))!).toEqual(b);
    });

    it('refuses an API key for an unknown deployment', async () => {
      await expect(store.tx((tx) => tx.addApiKey('no-such-deployment', 'hash-x', 'x'))).rejects.toThrow();
      expect(await read(store, (tx) => tx.getDeploymentByApiKeyHash('hash-x'))).toBeNull();
    });

    it('lists deployments by createdAt, ties in insertion order', async () => {
      const late = deployment({ id: 'a-late', createdAt: iso(T0 + 2000) });
      const early = deployment({ id: 'z-early', createdAt: iso(T0) });
      const tie1 = deployment({ id: 'm-tie', createdAt: iso(T0 + 1000) });
      const tie2 = deployment({ id: 'b-tie', createdAt: iso(T0 + 1000) });
      await store.tx(async (tx) => {
        for (const d of [late, early, tie1, tie2]) await tx.insertDeployment(d);
      });
      expect((await read(store, (tx) => tx.listDeployments())).map((d) => d.id)).toEqual(['z-early', 'm-tie', 'b-tie', 'a-late']);
    });
  });

  describe('sessions', () => {
    it('round-trips a session, with and without forUpdate; unknown ids are null', async () => {
      const { ses } = await seed(store, { async: true, lastIndexNum: 17_356_000_000_000_9 });
      expect(await read(store, (tx) => tx.getSession(ses.id))).toEqual(ses);
      expect(await read(store, (tx) => tx.getSession(ses.id, true))).toEqual(ses);
      expect(await read(store, (tx) => tx.getSession('nope', true))).toBeNull();
      const s = (await read(store, (tx) => tx.getSession(ses.id)))!;
      expect(typeof s.lastIndexNum).toBe('number');
      expect(s.async).toBe(true);
      const { ses: sync } = await seed(store, { async: false });
      expect((await read(store, (tx) => tx.getSession(sync.id)))!.async).toBe(false);
    });

    it('keeps userData keys in their order', async () => {
      const { ses } = await seed(store);
      const s = (await read(store, (tx) => tx.getSession(ses.id)))!;
      expect(Object.keys(s.userData)).toEqual(Object.keys(ses.userData));
    });

    it('refuses a session of an unknown deployment', async () => {
      await expect(store.tx((tx) => tx.insertSession(session('no-such-deployment')))).rejects.toThrow();
    });

    it('updateSession applies the given fields only, ignores undefined ones, and an empty patch is a no-op', async () => {
      const { dep, ses } = await seed(store);
      const other = session(dep.id);
      await store.tx((tx) => tx.insertSession(other));
      await store.tx((tx) => tx.updateSession(ses.id, { state: 'Ended', endedAt: iso(T0 + 5), userData: { b: '2', a: '1' } }));
      await store.tx((tx) => tx.updateSession(ses.id, { state: undefined, userData: undefined }));
      await store.tx((tx) => tx.updateSession(ses.id, {}));
      const s = (await read(store, (tx) => tx.getSession(ses.id)))!;
      expect(s).toEqual({ ...ses, state: 'Ended', endedAt: iso(T0 + 5), userData: { b: '2', a: '1' } });
      expect(Object.keys(s.userData)).toEqual(['b', 'a']);
      expect(await read(store, (tx) => tx.getSession(other.id))).toEqual(other);
    });

    it('updateSession can clear endedAt back to null', async () => {
      const { ses } = await seed(store, { state: 'Ended', endedAt: iso(T0) });
      await store.tx((tx) => tx.updateSession(ses.id, { endedAt: null }));
      expect((await read(store, (tx) => tx.getSession(ses.id)))!.endedAt).toBeNull();
    });
  });

  describe('participants', () => {
    it('round-trips participants and lists a session’s by joinedAt, ties in insertion order', async () => {
      const { dep, ses } = await seed(store);
      const otherSession = session(dep.id);
      const late = participant(ses.id, { id: 'a-late', joinedAt: iso(T0 + 10), type: 'Agent', accountId: 'acc-1', nickname: 'Bob', cursorNum: 17_356_000_000_000_3 });
      const early = participant(ses.id, { id: 'z-early', joinedAt: iso(T0) });
      const tie1 = participant(ses.id, { id: 'm-tie', joinedAt: iso(T0 + 5) });
      const tie2 = participant(ses.id, { id: 'b-tie', joinedAt: iso(T0 + 5), state: 'Left', leftAt: iso(T0 + 6) });
      const elsewhere = participant(otherSession.id);
      await store.tx(async (tx) => {
        await tx.insertSession(otherSession);
        for (const p of [late, early, tie1, tie2, elsewhere]) await tx.insertParticipant(p);
      });
      expect(await read(store, (tx) => tx.getParticipant(late.id))).toEqual(late);
      expect(await read(store, (tx) => tx.getParticipant(tie2.id))).toEqual(tie2);
      expect(await read(store, (tx) => tx.getParticipant('nope'))).toBeNull();
      const listed = await read(store, (tx) => tx.listParticipants(ses.id));
      expect(listed.map((p) => p.id)).toEqual(['z-early', 'm-tie', 'b-tie', 'a-late']);
      expect(listed[3]).toEqual(late);
      expect(await read(store, (tx) => tx.listParticipants('nope'))).toEqual([]);
    });

    it('updateParticipant changes state, leftAt and cursorNum', async () => {
      const { ses } = await seed(store);
      const p = participant(ses.id);
      const q = participant(ses.id);
      await store.tx(async (tx) => {
        await tx.insertParticipant(p);
        await tx.insertParticipant(q);
      });
      await store.tx((tx) => tx.updateParticipant(p.id, { cursorNum: 17_356_000_000_000_7 }));
      await store.tx((tx) => tx.updateParticipant(p.id, { state: 'Left', leftAt: iso(T0 + 1), cursorNum: undefined }));
      await store.tx((tx) => tx.updateParticipant(p.id, {}));
      expect(await read(store, (tx) => tx.getParticipant(p.id))).toEqual({ ...p, state: 'Left', leftAt: iso(T0 + 1), cursorNum: 17_356_000_000_000_7 });
      expect(await read(store, (tx) => tx.getParticipant(q.id))).toEqual(q);
    });

    it('pruneOperations deletes records made before the cutoff, at most `limit`, never the server’s own (settings)', async () => {
      await store.tx(async (tx) => {
        await tx.putOperation('send:s:p', 'old-1', { n: 1 }, iso(T0));
        await tx.putOperation('send:s:p', 'old-2', { n: 2 }, iso(T0 + 1));
        await tx.putOperation('start:demo', 'old-3', { n: 3 }, iso(T0 + 2));
        await tx.putOperation('settings', 'demo.created', 'created', iso(T0));
        await tx.putOperation('send:s:p', 'new', { n: 4 }, iso(T0 + 10_000));
      });
      const cutoff = iso(T0 + 5_000);
      expect(await store.read((tx) => tx.pruneOperations(cutoff, 2))).toBe(2);
      expect(await store.read((tx) => tx.pruneOperations(cutoff, 2))).toBe(1);
      expect(await store.read((tx) => tx.pruneOperations(cutoff, 2))).toBe(0);
      const left = await read(store, async (tx) => [
        await tx.getOperation('send:s:p', 'old-1'),
        await tx.getOperation('start:demo', 'old-3'),
        await tx.getOperation('settings', 'demo.created'),
        await tx.getOperation('send:s:p', 'new'),
      ]);
      expect(left).toEqual([null, null, 'created', { n: 4 }]);
    });

    it('advanceCursor moves a cursor forward only, outside a transaction too (store.read)', async () => {
      const { ses } = await seed(store);
      const p = participant(ses.id);
      await store.tx((tx) => tx.insertParticipant(p));
      await store.read((tx) => tx.advanceCursor(p.id, 17_356_000_000_000_7));
      await store.read((tx) => tx.advanceCursor(p.id, 17_356_000_000_000_3));
      await store.tx((tx) => tx.advanceCursor(p.id, 17_356_000_000_000_5));
      expect((await store.read((tx) => tx.getParticipant(p.id)))!.cursorNum).toBe(17_356_000_000_000_7);
      await Promise.all([5, 9, 8].map((n) => store.read((tx) => tx.advanceCursor(p.id, 17_356_000_000_000_0 + n))));
      expect((await store.read((tx) => tx.getParticipant(p.id)))!.cursorNum).toBe(17_356_000_000_000_9);
    });

    it('store.read refuses a row lock (it would hold nothing outside a transaction)', async () => {
      const { ses } = await seed(store);
      await expect(store.read((tx) => tx.getSession(ses.id, true))).rejects.toThrow(/row lock/);
      expect((await store.read((tx) => tx.getSession(ses.id)))!.id).toBe(ses.id);
    });

    it('a transaction that locked a session reads its own changes to the participants and the log (PostgreSQL reads participants with the lock)', async () => {
      const { ses } = await seed(store);
      const p = participant(ses.id, { joinedAt: iso(T0) });
      await store.tx((tx) => tx.insertParticipant(p));
      const seen = await store.tx(async (tx) => {
        await tx.getSession(ses.id, true);
        const before = (await tx.listParticipants(ses.id)).map((x) => x.id);
        const joined = participant(ses.id, { joinedAt: iso(T0 + 1) });
        await tx.insertParticipant(joined);
        const afterJoin = (await tx.listParticipants(ses.id)).map((x) => x.id);
        await tx.updateParticipant(p.id, { state: 'Left', leftAt: iso(T0 + 2) });
        const left = (await tx.getParticipant(p.id))!.state;
        await tx.getSession(ses.id, true);
        const appended = await appendMessage(tx, ses.id, draft({ text: 'in the same transaction' }), T0 + 3);
        const log = await tx.listMessages(ses.id, { visibilities: ['All'], limit: 10 });
        const again = (await tx.listParticipants(ses.id)).map((x) => [x.id, x.state]);
        return { before, afterJoin, joined: joined.id, left, appended: appended.id, log: log.map((m) => m.id), again };
      });
      expect(seen.before).toEqual([p.id]);
      expect(seen.afterJoin).toEqual([p.id, seen.joined]);
      expect(seen.left).toBe('Left');
      expect(seen.log).toEqual([seen.appended]);
      expect(seen.again).toEqual([
        [p.id, 'Left'],
        [seen.joined, 'Connected'],
      ]);
    });

    it('refuses a participant of an unknown session', async () => {
      await expect(store.tx((tx) => tx.insertParticipant(participant('no-such-session')))).rejects.toThrow();
    });
  });

  describe('message log', () => {
    it('appendMessage numbers from the clock, fills in sessionId and utcTime, and moves lastIndexNum', async () => {
      const { ses } = await seed(store);
      const d = draft({ text: 'hi' });
      const m = await store.tx((tx) => appendMessage(tx, ses.id, d, T0 + 0.9));
      expect(m).toEqual({ ...d, sessionId: ses.id, index: `${T0}-0`, utcTime: iso(T0 + 0.9) });
      expect((await read(store, (tx) => tx.getSession(ses.id)))!.lastIndexNum).toBe(T0 * 10);
      expect(await fullLog(store, ses.id)).toEqual([m]);
    });

    it('keeps a draft’s own utcTime', async () => {
      const { ses } = await seed(store);
      const m = await store.tx((tx) => appendMessage(tx, ses.id, draft({ utcTime: '2020-02-02T02:02:02.000Z' }), T0));
      expect(m.utcTime).toBe('2020-02-02T02:02:02.000Z');
      expect((await fullLog(store, ses.id))[0]!.utcTime).toBe('2020-02-02T02:02:02.000Z');
    });

    it('continues from the last index when the clock stands still or steps back; ten in one ms borrow the next', async () => {
      const { ses } = await seed(store);
      const times = [T0, T0, T0 - 50_000, ...Array(8).fill(T0), T0 + 1, T0 + 100];
      const indexes: string[] = [];
      for (const t of times) indexes.push((await store.tx((tx) => appendMessage(tx, ses.id, draft(), t))).index);
      expect(indexes).toEqual([
        ...Array.from({ length: 10 }, (_, i) => `${T0}-${i}`),
        `${T0 + 1}-0`, // the eighth T0: ten in one millisecond borrow the next
        `${T0 + 1}-1`,
        `${T0 + 100}-0`,
      ]);
      await expectConsistentLog(store, ses.id, times.length);
    });

    it('several appends in one transaction are consecutive', async () => {
      const { ses } = await seed(store);
      const ms = await store.tx(async (tx) => [await appendMessage(tx, ses.id, draft(), T0), await appendMessage(tx, ses.id, draft(), T0), await appendMessage(tx, ses.id, draft(), T0 + 7)]);
      expect(ms.map((m) => m.index)).toEqual([`${T0}-0`, `${T0}-1`, `${T0 + 7}-0`]);
    });

    it('lockLogHead reads where the log stands (null for an unknown session)', async () => {
      const { ses } = await seed(store, { lastIndexNum: T0 * 10 + 4 });
      expect(await store.tx((tx) => tx.lockLogHead(ses.id))).toEqual({ lastIndexNum: T0 * 10 + 4 });
      expect(await store.tx((tx) => tx.lockLogHead('no-such-session'))).toBeNull();
    });

    it('insertMessage keeps the index and clocks it is given; a null lastCustomerAt leaves the customer clock', async () => {
      const { ses } = await seed(store, { lastCustomerAt: iso(T0 - 1000), lastActivityAt: iso(T0 - 1000) });
      const m: Message = { ...draft({ text: 'given' }), sessionId: ses.id, index: `${T0 + 5}-3`, utcTime: iso(T0 + 5) };
      await store.tx((tx) => tx.insertMessage(m, (T0 + 5) * 10 + 3, { lastActivityAt: iso(T0 + 6), lastCustomerAt: null }));
      const s = (await read(store, (tx) => tx.getSession(ses.id)))!;
      expect([s.lastIndexNum, s.lastActivityAt, s.lastCustomerAt]).toEqual([(T0 + 5) * 10 + 3, iso(T0 + 6), iso(T0 - 1000)]);
      expect(await read(store, (tx) => tx.listMessages(ses.id, { visibilities: ['All'], afterNum: (T0 + 5) * 10 + 2, limit: 10 }))).toEqual([m]);
      const next: Message = { ...m, id: uid('msg'), index: `${T0 + 9}-0` };
      await store.tx((tx) => tx.insertMessage(next, (T0 + 9) * 10, { lastActivityAt: iso(T0 + 9), lastCustomerAt: iso(T0 + 8) }));
      const after = (await read(store, (tx) => tx.getSession(ses.id)))!;
      expect([after.lastIndexNum, after.lastActivityAt, after.lastCustomerAt]).toEqual([(T0 + 9) * 10, iso(T0 + 9), iso(T0 + 8)]);
    });

    it('insertMessage refuses an index the session already holds, and the transaction writes nothing', async () => {
      const { ses } = await seed(store);
      const m = await store.tx((tx) => appendMessage(tx, ses.id, draft(), T0));
      const again: Message = { ...m, id: uid('msg'), text: 'duplicate' };
      await expect(store.tx((tx) => tx.insertMessage(again, T0 * 10, { lastActivityAt: iso(T0 + 1), lastCustomerAt: iso(T0 + 1) }))).rejects.toThrow();
      expect(await fullLog(store, ses.id)).toEqual([m]);
      expect((await read(store, (tx) => tx.getSession(ses.id)))!.lastActivityAt).toBe(iso(T0));
    });

    it('listMessages with no visibilities lists only whispers to the audience it names', async () => {
      const { ses } = await seed(store);
      await store.tx(async (tx) => {
        await appendMessage(tx, ses.id, draft({ text: 'public' }), T0);
        await appendMessage(tx, ses.id, draft({ text: 'to me', visibility: 'Vip', audienceAccountId: 'acc-1' }), T0);
      });
      expect(await read(store, (tx) => tx.listMessages(ses.id, { visibilities: [], limit: 10 }))).toEqual([]);
      expect((await read(store, (tx) => tx.listMessages(ses.id, { visibilities: [], audienceAccountId: 'acc-1', limit: 10 }))).map((m) => m.text)).toEqual(['to me']);
    });

    it('refuses to append to an unknown session', async () => {
      await expect(store.tx((tx) => appendMessage(tx, 'no-such-session', draft(), T0))).rejects.toThrow(/no session no-such-session/);
    });

    it('round-trips every message field, unicode and escapes included', async () => {
      const { ses } = await seed(store);
      const d = draft({
        type: 'File',
        from: { participantId: 'p-9', type: 'Agent', nickname: 'Zoë 🚀' },
        visibility: 'Int',
        text: 'line1\nline2\t"quoted" \\ back \u0000 nul \u2028 sep 𝄞',
        url: 'https://example.com/a?b=c&d=e',
        content: [{ type: 'image', mime: 'image/png', url: '/files/x', name: 'x.png', size: 123 }],
        event: 'Custom',
        data: { nested: { deep: [1, 'two', null, true] }, z: 1, a: 2 },
        subtype: 'Sub',
        interactionId: 'int-1',
      });
      const m = await store.tx((tx) => appendMessage(tx, ses.id, d, T0));
      const [listed] = await fullLog(store, ses.id);
      expect(listed).toEqual(m);
      expect(JSON.stringify(listed)).toBe(JSON.stringify(m));
    });

    it('listMessages filters by afterNum, beforeNum, visibility and session, and limits', async () => {
      const { dep, ses } = await seed(store);
      const other = session(dep.id);
      await store.tx((tx) => tx.insertSession(other));
      const vis = ['All', 'Int', 'Vip', 'All', 'Int', 'All', 'Vip', 'All'] as const;
      const ms = await store.tx(async (tx) => {
        const out: Message[] = [];
        for (const [i, v] of vis.entries()) {
          out.push(await appendMessage(tx, ses.id, draft({ visibility: v, text: `m${i}` }), T0 + i));
          await appendMessage(tx, other.id, draft({ text: `other${i}` }), T0 + i);
        }
        return out;
      });
      const num = (i: number) => parseIndex(ms[i]!.index)!;
      const texts = (list: Message[]) => list.map((m) => m.text);
      const q = (query: Parameters<StoreTx['listMessages']>[1]) => read(store, (tx) => tx.listMessages(ses.id, query));

      expect(texts(await q({ visibilities: ['All'], limit: 100 }))).toEqual(['m0', 'm3', 'm5', 'm7']);
      expect(texts(await q({ visibilities: ['All', 'Int'], limit: 100 }))).toEqual(['m0', 'm1', 'm3', 'm4', 'm5', 'm7']);
      expect(texts(await q({ visibilities: [...ALL], limit: 100 }))).toEqual(vis.map((_, i) => `m${i}`));
      expect(texts(await q({ visibilities: [], limit: 100 }))).toEqual([]);
      expect(texts(await q({ visibilities: [...ALL], limit: 3 }))).toEqual(['m0', 'm1', 'm2']);
      expect(texts(await q({ visibilities: [...ALL], limit: 0 }))).toEqual([]);
      expect(texts(await q({ visibilities: [...ALL], afterNum: num(2), limit: 100 }))).toEqual(['m3', 'm4', 'm5', 'm6', 'm7']);
      expect(texts(await q({ visibilities: [...ALL], afterNum: num(2), limit: 2 }))).toEqual(['m3', 'm4']);
      expect(texts(await q({ visibilities: [...ALL], beforeNum: num(2), limit: 100 }))).toEqual(['m0', 'm1']);
      expect(texts(await q({ visibilities: ['All'], afterNum: num(0), beforeNum: num(7), limit: 100 }))).toEqual(['m3', 'm5']);
      expect(texts(await q({ visibilities: [...ALL], afterNum: num(7), limit: 100 }))).toEqual([]);
      expect(texts(await q({ visibilities: [...ALL], afterNum: 0, limit: 100 }))).toHaveLength(8);
      expect(await read(store, (tx) => tx.listMessages('nope', { visibilities: [...ALL], limit: 100 }))).toEqual([]);
    });

    it('listMessages newest takes the newest `limit` and returns them in log order', async () => {
      const { ses } = await seed(store);
      const ms: Message[] = [];
      for (let i = 0; i < 6; i++) ms.push(await store.tx((tx) => appendMessage(tx, ses.id, draft({ text: `m${i}`, visibility: i === 4 ? 'Vip' : 'All' }), T0 + i)));
      const q = (query: Parameters<StoreTx['listMessages']>[1]) => read(store, (tx) => tx.listMessages(ses.id, query)).then((l) => l.map((m) => m.text));
      expect(await q({ visibilities: [...ALL], limit: 3, newest: true })).toEqual(['m3', 'm4', 'm5']);
      expect(await q({ visibilities: ['All'], limit: 3, newest: true })).toEqual(['m2', 'm3', 'm5']);
      expect(await q({ visibilities: [...ALL], limit: 2, newest: true, beforeNum: parseIndex(ms[3]!.index)! })).toEqual(['m1', 'm2']);
      expect(await q({ visibilities: [...ALL], limit: 100, newest: true })).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
      expect(await q({ visibilities: [...ALL], limit: 2, newest: false })).toEqual(['m0', 'm1']);
    });
  });

  describe('interactions', () => {
    it('round-trips an interaction, with and without forUpdate; unknown ids are null', async () => {
      const { ses } = await seed(store);
      const i = interaction(ses, { priority: 7, agentAccountId: 'acc-1', wrapUpCode: 'W1', state: 'Handling' });
      await store.tx((tx) => tx.insertInteraction(i));
      expect(await read(store, (tx) => tx.getInteraction(i.id))).toEqual(i);
      expect(await read(store, (tx) => tx.getInteraction(i.id, true))).toEqual(i);
      expect(await read(store, (tx) => tx.getInteraction('nope', true))).toBeNull();
    });

    it('refuses an interaction of an unknown session', async () => {
      const { dep } = await seed(store);
      await expect(store.tx((tx) => tx.insertInteraction(interaction(session(dep.id))))).rejects.toThrow();
    });

    it('latestInteraction is the one inserted last for the session, whatever its createdAt', async () => {
      const { dep, ses } = await seed(store);
      const other = session(dep.id);
      await store.tx((tx) => tx.insertSession(other));
      expect(await read(store, (tx) => tx.latestInteraction(ses.id))).toBeNull();
      const first = interaction(ses, { createdAt: iso(T0 + 10) });
      const second = interaction(ses, { createdAt: iso(T0) });
      await store.tx((tx) => tx.insertInteraction(first));
      await store.tx((tx) => tx.insertInteraction(second));
      await store.tx((tx) => tx.insertInteraction(interaction(other, { createdAt: iso(T0 + 99) })));
      expect(await read(store, (tx) => tx.latestInteraction(ses.id))).toEqual(second);
    });

    it('listInteractions filters by states, agent and session, ordered by createdAt then per-session sequence', async () => {
      const { dep, ses } = await seed(store);
      const s2 = session(dep.id);
      await store.tx((tx) => tx.insertSession(s2));
      const a = interaction(ses, { id: 'i-a', createdAt: iso(T0 + 20), state: 'Completed', agentAccountId: 'acc-1' });
      const b = interaction(ses, { id: 'i-b', createdAt: iso(T0 + 10), state: 'Handling', agentAccountId: 'acc-1' });
      const c = interaction(s2, { id: 'i-c', createdAt: iso(T0 + 10), state: 'Queued' });
      const d = interaction(s2, { id: 'i-d', createdAt: iso(T0), state: 'Offered', agentAccountId: 'acc-2' });
      // seq: a=1, b=2 (ses); c=1, d=2 (s2). Same createdAt: c (seq 1) before b (seq 2).
      await store.tx(async (tx) => {
        for (const i of [a, b, c, d]) await tx.insertInteraction(i);
      });
      const ids = (list: Interaction[]) => list.map((i) => i.id);
      const list = (f: Parameters<StoreTx['listInteractions']>[0]) => read(store, (tx) => tx.listInteractions(f)).then(ids);
      expect(await list({})).toEqual(['i-d', 'i-c', 'i-b', 'i-a']);
      expect(await list({ states: [] })).toEqual(['i-d', 'i-c', 'i-b', 'i-a']);
      expect(await list({ states: ['Queued', 'Offered'] })).toEqual(['i-d', 'i-c']);
      expect(await list({ agentAccountId: 'acc-1' })).toEqual(['i-b', 'i-a']);
      expect(await list({ sessionId: ses.id })).toEqual(['i-b', 'i-a']);
      expect(await list({ sessionId: s2.id, states: ['Offered'], agentAccountId: 'acc-2' })).toEqual(['i-d']);
      expect(await list({ sessionId: s2.id, agentAccountId: 'acc-1' })).toEqual([]);
      expect((await read(store, (tx) => tx.listInteractions({ sessionId: ses.id })))[0]).toEqual(b);
    });

    it('updateInteraction is a compare-and-set on state', async () => {
      const { ses } = await seed(store);
      const i = interaction(ses);
      const j = interaction(ses);
      await store.tx(async (tx) => {
        await tx.insertInteraction(i);
        await tx.insertInteraction(j);
      });
      expect(await store.tx((tx) => tx.updateInteraction(i.id, 'Offered', { state: 'Handling', agentAccountId: 'x' }))).toBe(false);
      expect(await read(store, (tx) => tx.getInteraction(i.id))).toEqual(i);
      const patch = { state: 'Handling', agentAccountId: 'acc-1', updatedAt: iso(T0 + 1), queue: 'Sales' } as const;
      expect(await store.tx((tx) => tx.updateInteraction(i.id, 'Queued', patch))).toBe(true);
      expect(await read(store, (tx) => tx.getInteraction(i.id))).toEqual({ ...i, ...patch });
      expect(await store.tx((tx) => tx.updateInteraction(i.id, 'Queued', { state: 'Completed' }))).toBe(false);
      expect(await store.tx((tx) => tx.updateInteraction(i.id, 'Handling', { state: 'Completed', wrapUpCode: 'W', completedAt: iso(T0 + 2), agentAccountId: undefined }))).toBe(true);
      expect(await read(store, (tx) => tx.getInteraction(i.id))).toEqual({ ...i, ...patch, state: 'Completed', wrapUpCode: 'W', completedAt: iso(T0 + 2) });
      expect(await store.tx((tx) => tx.updateInteraction('nope', 'Queued', { state: 'Handling' }))).toBe(false);
      expect(await read(store, (tx) => tx.getInteraction(j.id))).toEqual(j);
    });

    it('updateInteraction with nothing to set only checks the state', async () => {
      const { ses } = await seed(store);
      const i = interaction(ses);
      await store.tx((tx) => tx.insertInteraction(i));
      expect(await store.tx((tx) => tx.updateInteraction(i.id, 'Queued', {}))).toBe(true);
      expect(await store.tx((tx) => tx.updateInteraction(i.id, 'Handling', { agentAccountId: undefined }))).toBe(false);
      expect(await read(store, (tx) => tx.getInteraction(i.id))).toEqual(i);
    });
  });

  describe('accounts, files, settings', () => {
    it('round-trips accounts by id and username; usernames are unique; passwords change', async () => {
      const a = account({ role: 'supervisor' });
      await store.tx((tx) => tx.insertAccount(a));
      expect(await read(store, (tx) => tx.getAccount(a.id))).toEqual(a);
      expect(await read(store, (tx) => tx.getAccountByUsername(a.username))).toEqual(a);
      expect(await read(store, (tx) => tx.getAccount('nope'))).toBeNull();
      expect(await read(store, (tx) => tx.getAccountByUsername('nope'))).toBeNull();
      await expect(store.tx((tx) => tx.insertAccount(account({ username: a.username })))).rejects.toThrow();
      await store.tx((tx) => tx.updateAccountPassword(a.id, 'scrypt$new'));
      expect(await read(store, (tx) => tx.getAccount(a.id))).toEqual({ ...a, passwordHash: 'scrypt$new' });
    });

    it('round-trips files; a file needs its session', async () => {
      const { ses } = await seed(store);
      const f: StoredFile = { id: uid('file'), sessionId: ses.id, name: 'ünï.png', mime: 'image/png', size: 5_000_000_000, createdAt: iso(T0) };
      await store.tx((tx) => tx.insertFile(f));
      expect(await read(store, (tx) => tx.getFile(f.id))).toEqual(f);
      expect(await read(store, (tx) => tx.getFile('nope'))).toBeNull();
      await expect(store.tx((tx) => tx.insertFile({ ...f, id: uid('file'), sessionId: 'no-such-session' }))).rejects.toThrow();
    });

    it('settings: null when unset, putSetting inserts and overwrites', async () => {
      expect(await read(store, (tx) => tx.getSetting('k'))).toBeNull();
      await store.tx((tx) => tx.putSetting('k', 'v1'));
      await store.tx((tx) => tx.putSetting('other', ''));
      expect(await read(store, (tx) => tx.getSetting('k'))).toBe('v1');
      await store.tx((tx) => tx.putSetting('k', 'v2'));
      expect(await read(store, (tx) => tx.getSetting('k'))).toBe('v2');
      expect(await read(store, (tx) => tx.getSetting('other'))).toBe('');
    });
  });

  describe('conversation search', () => {
    /** Three sessions on one deployment, with indexed words as core writes them (core/search-index). */
    async function searchWorld() {
      const dep = deployment();
      const agentA = account();
      const agentB = account();
      const mk = (minutes: number) => session(dep.id, { createdAt: iso(T0 + minutes * 60_000) });
      const [s1, s2, s3] = [mk(0), mk(10), mk(20)];
      const texts: [Session, Visibility, string][] = [
        [s1, 'All', 'My parcel with order #4242 is LATE, écrit Zoë'],
        [s1, 'Int', 'internal: carrier delay known (DHL)'],
        [s2, 'All', 'Refund requested for order 4243; e-mail ann@example.com'],
        [s2, 'Vip', 'supervisor whisper: parcel refund approved'],
        [s3, 'All', 'Hello, where is my parcel?'],
      ];
      await store.tx(async (tx) => {
        await tx.insertDeployment(dep);
        await tx.insertAccount(agentA);
        await tx.insertAccount(agentB);
        for (const s of [s1, s2, s3]) await tx.insertSession(s);
        await tx.insertParticipant(participant(s1.id, { type: 'Agent', accountId: agentA.id, nickname: 'A' }));
        await tx.insertInteraction(interaction(s1, { state: 'Completed', queue: 'Support', agentAccountId: agentA.id, wrapUpCode: 'resolved' }));
        await tx.insertInteraction(interaction(s2, { state: 'Completed', queue: 'Billing', agentAccountId: agentB.id, wrapUpCode: 'refund' }));
        await tx.insertInteraction(interaction(s3, { state: 'Queued', queue: 'Support' }));
        for (const [s, visibility, text] of texts) {
          await appendMessage(tx, s.id, draft({ visibility, text }), T0 + 1000);
        }
        await tx.indexSessionCustomer(s1.id, searchWords('Zoë Ünal zoe@example.com 59606'));
        await tx.indexSessionCustomer(s2.id, searchWords('Ann Lee ann@example.com'));
        await tx.indexSessionCustomer(s3.id, searchWords('Bob'));
      });
      return { s1, s2, s3, agentA, agentB };
    }
    const find = (over: Partial<SearchFilter>) => read(store, (tx) => tx.searchSessions({ words: [], visibilities: ['All', 'Int'], limit: 10, offset: 0, ...over }));
    const words = (q: string) => searchWords(q).split(' ').filter(Boolean);

    it('finds sessions by words in any case and accent, as word prefixes, all words in one message, newest first', async () => {
      const { s1, s2, s3 } = await searchWorld();
      expect(await find({ words: words('PARCEL') })).toEqual({ sessionIds: [s3.id, s1.id], total: 2 });
      expect(await find({ words: words('ecrit zoe') })).toEqual({ sessionIds: [s1.id], total: 1 });
      expect(await find({ words: words('parc') })).toEqual({ sessionIds: [s3.id, s1.id], total: 2 });
      expect(await find({ words: words('4242') })).toEqual({ sessionIds: [s1.id], total: 1 });
      expect(await find({ words: words('ann@example.com') })).toEqual({ sessionIds: [s2.id], total: 1 });
      // Both words must be in one message: "parcel" and "delay" are in two of s1's.
      expect(await find({ words: words('parcel delay') })).toEqual({ sessionIds: [], total: 0 });
      expect(await find({ words: words('nothing-like-this') })).toEqual({ sessionIds: [], total: 0 });
      expect(await find({})).toEqual({ sessionIds: [s3.id, s2.id, s1.id], total: 3 });
    });

    it('matches only the visibilities asked for: Vip words are found only when Vip is asked', async () => {
      const { s1, s2 } = await searchWorld();
      expect(await find({ words: words('whisper approved') })).toEqual({ sessionIds: [], total: 0 });
      expect(await find({ words: words('whisper approved'), visibilities: ['All', 'Int', 'Vip'] })).toEqual({ sessionIds: [s2.id], total: 1 });
      expect(await find({ words: words('carrier'), visibilities: ['All'] })).toEqual({ sessionIds: [], total: 0 });
      expect(await find({ words: words('carrier') })).toEqual({ sessionIds: [s1.id], total: 1 });
    });

    it('filters by account taking part, start time, queue, agent, wrap-up code and customer; pages', async () => {
      const { s1, s2, s3, agentA, agentB } = await searchWorld();
      expect(await find({ involvingAccountId: agentA.id })).toEqual({ sessionIds: [s1.id], total: 1 });
      expect(await find({ involvingAccountId: agentB.id, words: words('parcel') })).toEqual({ sessionIds: [], total: 0 });
      expect(await find({ createdFrom: iso(T0 + 10 * 60_000) })).toEqual({ sessionIds: [s3.id, s2.id], total: 2 });
      expect(await find({ createdBefore: iso(T0 + 10 * 60_000) })).toEqual({ sessionIds: [s1.id], total: 1 });
      expect(await find({ queue: 'Support' })).toEqual({ sessionIds: [s3.id, s1.id], total: 2 });
      expect(await find({ agentAccountId: agentB.id })).toEqual({ sessionIds: [s2.id], total: 1 });
      expect(await find({ wrapUpCode: 'resolved' })).toEqual({ sessionIds: [s1.id], total: 1 });
      expect(await find({ customer: searchWords('ZOE UN') })).toEqual({ sessionIds: [s1.id], total: 1 });
      expect(await find({ customer: searchWords('lee') })).toEqual({ sessionIds: [s2.id], total: 1 });
      expect(await find({ customer: searchWords('ee') })).toEqual({ sessionIds: [], total: 0 });
      expect(await find({ limit: 2, offset: 0 })).toEqual({ sessionIds: [s3.id, s2.id], total: 3 });
      expect(await find({ limit: 2, offset: 2 })).toEqual({ sessionIds: [s1.id], total: 3 });
      expect(await find({ limit: 2, offset: 4 })).toEqual({ sessionIds: [], total: 3 });
    });

    it('indexSessionCustomer replaces the customer words of a session', async () => {
      const { s3 } = await searchWorld();
      await store.tx((tx) => tx.indexSessionCustomer(s3.id, searchWords('Robert Roe')));
      expect(await find({ customer: 'bob' })).toEqual({ sessionIds: [], total: 0 });
      expect(await find({ customer: 'roe' })).toEqual({ sessionIds: [s3.id], total: 1 });
    });
  });

  describe('contacts', () => {
    const contact = (over: Partial<Contact> = {}): Contact => ({ id: uid('con'), displayName: 'Zoë Ünal', createdAt: iso(T0), updatedAt: iso(T0), ...over });

    it('a key belongs to one contact; sessions and keys are listed in order; a session has one contact', async () => {
      const dep = deployment();
      const [a, b] = [contact(), contact({ displayName: 'Other' })];
      const [s1, s2, s3] = [session(dep.id, { createdAt: iso(T0) }), session(dep.id, { createdAt: iso(T0 + 60_000) }), session(dep.id, { createdAt: iso(T0 + 120_000) })];
      await store.tx(async (tx) => {
        await tx.insertDeployment(dep);
        for (const s of [s1, s2, s3]) await tx.insertSession(s);
        await tx.insertContact(a);
        await tx.insertContact(b);
        expect(await tx.addContactKey(a.id, { kind: 'email', value: 'zoe@example.com' })).toBe(true);
        expect(await tx.addContactKey(a.id, { kind: 'customerId', value: '59606' })).toBe(true);
        expect(await tx.addContactKey(b.id, { kind: 'email', value: 'zoe@example.com' })).toBe(false);
        expect(await tx.addContactKey(a.id, { kind: 'email', value: 'zoe@example.com' })).toBe(false);
        for (const s of [s1, s3]) await tx.linkContactSession(a.id, s.id);
        await tx.linkContactSession(b.id, s2.id);
        await tx.linkContactSession(b.id, s1.id);
      });
      expect(await read(store, (tx) => tx.findContactByKey({ kind: 'email', value: 'zoe@example.com' }))).toEqual(a);
      expect(await read(store, (tx) => tx.findContactByKey({ kind: 'customerId', value: 'zoe@example.com' }))).toBeNull();
      expect(await read(store, (tx) => tx.listContactKeys(a.id))).toEqual([
        { kind: 'customerId', value: '59606' },
        { kind: 'email', value: 'zoe@example.com' },
      ]);
      expect((await read(store, (tx) => tx.listContactSessions(a.id, 10))).map((s) => s.id)).toEqual([s3.id, s1.id]);
      expect((await read(store, (tx) => tx.listContactSessions(a.id, 1))).map((s) => s.id)).toEqual([s3.id]);
      expect(await read(store, (tx) => tx.getContactOfSession(s1.id))).toEqual(a);
      expect(await read(store, (tx) => tx.getContactOfSession(s2.id))).toEqual(b);
      await store.tx((tx) => tx.updateContact(a.id, { displayName: 'Zoë Ü.', updatedAt: iso(T0 + 1) }));
      expect(await read(store, (tx) => tx.getContact(a.id))).toEqual({ ...a, displayName: 'Zoë Ü.', updatedAt: iso(T0 + 1) });
    });

    it('notes persist newest first; only an empty contact is deleted', async () => {
      const a = contact();
      const empty = contact();
      await store.tx(async (tx) => {
        await tx.insertContact(a);
        await tx.insertContact(empty);
        for (const [i, text] of ['first', 'second “ünï”'].entries()) {
          await tx.insertContactNote({ id: uid('note'), contactId: a.id, authorAccountId: 'acc-1', authorName: 'Ann', text, createdAt: iso(T0 + i * 1000) });
        }
        await tx.deleteEmptyContact(a.id);
        await tx.deleteEmptyContact(empty.id);
      });
      expect((await read(store, (tx) => tx.listContactNotes(a.id, 10))).map((n) => n.text)).toEqual(['second “ünï”', 'first']);
      expect(await read(store, (tx) => tx.getContact(a.id))).toEqual(a);
      expect(await read(store, (tx) => tx.getContact(empty.id))).toBeNull();
    });
  });

  describe('reports', () => {
    it('lists interactions created in a period and their state changes in log order', async () => {
      const dep = deployment();
      const ses = session(dep.id);
      const [before, first, second, after] = [-1, 0, 1, 2].map((h) => interaction(ses, { createdAt: iso(T0 + h * 3_600_000) }));
      await store.tx(async (tx) => {
        await tx.insertDeployment(dep);
        await tx.insertSession(ses);
        for (const i of [before!, first!, second!, after!]) await tx.insertInteraction(i);
        let n = 0;
        for (const [i, state] of [
          [second!, 'Queued'],
          [first!, 'Queued'],
          [before!, 'Queued'],
          [first!, 'Handling'],
          [second!, 'Completed'],
        ] as const)
          await tx.recordStateChange({ sessionId: ses.id, indexNum: T0 * 10 + ++n, interactionId: i.id, state, at: iso(T0 + n) });
      });
      const from = iso(T0);
      const to = iso(T0 + 2 * 3_600_000);
      expect((await read(store, (tx) => tx.listInteractionsCreatedBetween(from, to, 10))).map((i) => i.id)).toEqual([first!.id, second!.id]);
      expect((await read(store, (tx) => tx.listInteractionsCreatedBetween(from, to, 1))).map((i) => i.id)).toEqual([first!.id]);
      const changes = await read(store, (tx) => tx.listStateChangesOfInteractionsCreatedBetween(from, to));
      const expected = [
        [first!.id, 'Queued', T0 * 10 + 2],
        [first!.id, 'Handling', T0 * 10 + 4],
        [second!.id, 'Queued', T0 * 10 + 1],
        [second!.id, 'Completed', T0 * 10 + 5],
      ].sort((x, y) => (x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : 0));
      expect(changes.map((c) => [c.interactionId, c.state, c.indexNum])).toEqual(expected);
      expect(changes[0]).toMatchObject({ sessionId: ses.id, at: expect.any(String) });
    });
  });

  describe('staff identities (single sign-on)', () => {
    it("link an (issuer, subject) to one account, once; list an account's identities oldest first; need the account", async () => {
      const a = account();
      await store.tx((tx) => tx.insertAccount(a));
      const first = { issuer: 'https://idp.example', subject: 'sub-ü-1', accountId: a.id, createdAt: iso(T0) };
      const second = { issuer: 'https://other.example', subject: 'sub-ü-1', accountId: a.id, createdAt: iso(T0 + 1) };
      await store.tx((tx) => tx.insertStaffIdentity(second));
      await store.tx((tx) => tx.insertStaffIdentity(first));
      expect(await read(store, (tx) => tx.getStaffIdentity(first.issuer, first.subject))).toEqual(first);
      expect(await read(store, (tx) => tx.getStaffIdentity(first.issuer, 'nope'))).toBeNull();
      expect(await read(store, (tx) => tx.listStaffIdentities(a.id))).toEqual([first, second]);
      expect(await read(store, (tx) => tx.listStaffIdentities('nobody'))).toEqual([]);
      await expect(store.tx((tx) => tx.insertStaffIdentity({ ...first, createdAt: iso(T0 + 5) }))).rejects.toThrow();
      await expect(store.tx((tx) => tx.insertStaffIdentity({ ...first, subject: 'other', accountId: 'no-such-account' }))).rejects.toThrow();
    });
  });

  describe('operations (idempotency records)', () => {
    it('stores a result per scope and operationId; unknown is null; a key is stored once', async () => {
      expect(await read(store, (tx) => tx.getOperation('send:s1', 'op-1'))).toBeNull();
      const result = { index: `${T0}-3`, nested: { b: [1, 2], a: 'ü' } };
      await store.tx((tx) => tx.putOperation('send:s1', 'op-1', result, iso(T0)));
      expect(await read(store, (tx) => tx.getOperation('send:s1', 'op-1'))).toEqual(result);
      expect(await read(store, (tx) => tx.getOperation('send:s2', 'op-1'))).toBeNull();
      expect(await read(store, (tx) => tx.getOperation('send:s1', 'op-2'))).toBeNull();
      await store.tx((tx) => tx.putOperation('send:s1', 'op-2', true, iso(T0)));
      expect(await read(store, (tx) => tx.getOperation('send:s1', 'op-2'))).toBe(true);
      await expect(store.tx((tx) => tx.putOperation('send:s1', 'op-1', { other: 1 }, iso(T0)))).rejects.toThrow();
      expect(await read(store, (tx) => tx.getOperation('send:s1', 'op-1'))).toEqual(result);
    });

    it('a lookup that locks a session holds that lock to the end of its transaction, whatever it finds', async () => {
      const { ses } = await seed(store);
      await store.tx((tx) => tx.putOperation('send:locked', 'op-found', { n: 1 }, iso(T0)));
      for (const operationId of ['op-found', 'op-new']) {
        const [a, b] = await nodes(2);
        let locked!: () => void;
        const lockTaken = new Promise<void>((r) => (locked = r));
        const first = a.tx(async (tx) => {
          const found = await tx.getOperation('send:locked', operationId, ses.id);
          locked();
          await new Promise((r) => setTimeout(r, 150));
          expect((await tx.getSession(ses.id, true))!.id).toBe(ses.id);
          await tx.updateSession(ses.id, { userData: { by: operationId } });
          return found;
        });
        await lockTaken;
        // A second writer's lock waits for the first to commit, so it reads what the first wrote.
        const seen = await b.tx(async (tx) => (await tx.getSession(ses.id, true))!.userData);
        expect(await first).toEqual(operationId === 'op-found' ? { n: 1 } : null);
        expect(seen).toEqual({ by: operationId });
      }
    });

    it('an undefined result is stored as null (reads back as "no record")', async () => {
      await store.tx((tx) => tx.putOperation('scope', 'op-u', undefined, iso(T0)));
      expect(await read(store, (tx) => tx.getOperation('scope', 'op-u'))).toBeNull();
    });
  });

  describe('routing, admin and supervision data', () => {
    it('round-trips the routing fields of an interaction and patches them by compare-and-set', async () => {
      const { ses } = await seed(store);
      const i = interaction(ses, { skills: ['billing'], language: null, preferredAgentId: 'acc-9', preferredUntil: iso(T0 + 60_000), declinedBy: ['acc-1'] });
      await store.tx((tx) => tx.insertInteraction(i));
      expect(await read(store, (tx) => tx.getInteraction(i.id))).toEqual(i);
      const patch = {
        state: 'Offered',
        agentAccountId: 'acc-2',
        priority: 9,
        queuedAt: iso(T0 + 1),
        handledAt: iso(T0 + 2),
        offerExpiresAt: iso(T0 + 30_000),
        declinedBy: ['acc-1', 'acc-3'],
        preferredAgentId: null,
        preferredUntil: null,
        skills: ['sales', 'de'],
        language: 'de',
      } as const;
      expect(await store.tx((tx) => tx.updateInteraction(i.id, 'Queued', { ...patch, declinedBy: [...patch.declinedBy], skills: [...patch.skills] }))).toBe(true);
      expect(await read(store, (tx) => tx.getInteraction(i.id))).toEqual({ ...i, ...patch });
    });

    it('listInteractions recentlyHandled gives the n most recently handled, newest first', async () => {
      const { ses } = await seed(store);
      const list = Array.from({ length: 6 }, (_, k) => interaction(ses, { id: `h-${k}`, state: 'Completed', createdAt: iso(T0 + k), handledAt: k === 5 ? null : iso(T0 + 100 - k * 10) }));
      await store.tx(async (tx) => {
        for (const i of list) await tx.insertInteraction(i);
      });
      const got = await read(store, (tx) => tx.listInteractions({ sessionId: ses.id, recentlyHandled: 3 }));
      expect(got.map((i) => i.id)).toEqual(['h-0', 'h-1', 'h-2']);
    });

    it('listInteractions filters by queue and deployment too', async () => {
      const a = await seed(store);
      const b = await seed(store);
      const i1 = interaction(a.ses, { id: 'i-1', queue: 'Sales' });
      const i2 = interaction(a.ses, { id: 'i-2', queue: 'Support' });
      const i3 = interaction(b.ses, { id: 'i-3', queue: 'Sales' });
      await store.tx(async (tx) => {
        for (const i of [i1, i2, i3]) await tx.insertInteraction(i);
      });
      const list = (f: Parameters<StoreTx['listInteractions']>[0]) => read(store, (tx) => tx.listInteractions(f)).then((l) => l.map((i) => i.id).sort());
      expect(await list({ queue: 'Sales' })).toEqual(['i-1', 'i-3']);
      expect(await list({ deploymentId: a.dep.id })).toEqual(['i-1', 'i-2']);
      expect(await list({ deploymentId: a.dep.id, queue: 'Sales', states: ['Queued'] })).toEqual(['i-1']);
      expect(await list({ deploymentId: b.dep.id, queue: 'Support' })).toEqual([]);
    });

    it('agentLoads counts Offered, Handling and Finalizing interactions per agent', async () => {
      const { ses } = await seed(store);
      expect(await read(store, (tx) => tx.agentLoads())).toEqual({});
      const states = [
        ['Offered', 'acc-1'],
        ['Handling', 'acc-1'],
        ['Finalizing', 'acc-1'],
        ['Handling', 'acc-2'],
        ['Queued', 'acc-3'],
        ['Completed', 'acc-2'],
        ['Workflow', 'acc-3'],
        ['Handling', null],
      ] as const;
      await store.tx(async (tx) => {
        for (const [state, agent] of states) await tx.insertInteraction(interaction(ses, { state, agentAccountId: agent }));
      });
      const loads = await read(store, (tx) => tx.agentLoads());
      expect(loads).toEqual({ 'acc-1': 3, 'acc-2': 1 });
      expect(typeof loads['acc-1']).toBe('number');
    });

    it('queues: upsert by id, get by deployment and name, list in byte order of names, delete', async () => {
      const a = await seed(store);
      const b = await seed(store);
      const q = (deploymentId: string, name: string, over: Partial<Queue> = {}): Queue => ({
        id: uid('q'),
        deploymentId,
        name,
        skills: ['x'],
        language: null,
        offerTimeoutSeconds: 30,
        stickySeconds: 0,
        ...over,
      });
      const names = ['banana', 'Apple', 'apple', 'Émile'];
      const queues = names.map((n) => q(a.dep.id, n));
      const other = q(b.dep.id, 'Zed', { language: 'fr', skills: [] });
      await store.tx(async (tx) => {
        for (const x of [...queues, other]) await tx.upsertQueue(x);
      });
      expect((await read(store, (tx) => tx.listQueues(a.dep.id))).map((x) => x.name)).toEqual(['Apple', 'apple', 'banana', 'Émile']);
      const all = await read(store, (tx) => tx.listQueues());
      expect(all).toHaveLength(5);
      expect(all.map((x) => x.deploymentId)).toEqual([...[a.dep.id, b.dep.id].sort().flatMap((d) => (d === a.dep.id ? [d, d, d, d] : [d]))]);
      expect(await read(store, (tx) => tx.getQueue(b.dep.id, 'Zed'))).toEqual(other);
      expect(await read(store, (tx) => tx.getQueue(a.dep.id, 'Zed'))).toBeNull();
      const renamed = { ...queues[0]!, name: 'Bananas', skills: ['y', 'z'], language: 'de', offerTimeoutSeconds: 5, stickySeconds: 600 };
      await store.tx((tx) => tx.upsertQueue(renamed));
      expect(await read(store, (tx) => tx.getQueue(a.dep.id, 'Bananas'))).toEqual(renamed);
      expect(await read(store, (tx) => tx.getQueue(a.dep.id, 'banana'))).toBeNull();
      await expect(store.tx((tx) => tx.upsertQueue(q(a.dep.id, 'Apple')))).rejects.toThrow(); // (deployment, name) is unique
      expect(await store.tx((tx) => tx.deleteQueue(renamed.id))).toBe(true);
      expect(await store.tx((tx) => tx.deleteQueue(renamed.id))).toBe(false);
      expect(await read(store, (tx) => tx.listQueues(a.dep.id))).toHaveLength(3);
    });

    it('agent profiles: upsert, get, list by account id; a profile needs its account', async () => {
      const accounts = [account({ id: 'acc-b' }), account({ id: 'acc-a' }), account({ id: 'acc-C' })];
      await store.tx(async (tx) => {
        for (const a of accounts) await tx.insertAccount(a);
      });
      const profile = (accountId: string, over: Partial<AgentProfile> = {}): AgentProfile => ({
        accountId,
        presence: 'NotReady',
        reason: 'Lunch',
        capacity: 3,
        skills: { billing: 7, french: 3 },
        languages: ['en', 'fr'],
        queues: [],
        idleSince: iso(T0),
        updatedAt: iso(T0),
        ...over,
      });
      expect(await read(store, (tx) => tx.getProfile('acc-a'))).toBeNull();
      expect(await read(store, (tx) => tx.listProfiles())).toEqual([]);
      for (const a of accounts) await store.tx((tx) => tx.upsertProfile(profile(a.id)));
      const ready = profile('acc-a', { presence: 'Ready', reason: null, capacity: 1, skills: {}, languages: [], queues: ['Sales'], idleSince: iso(T0 + 5), updatedAt: iso(T0 + 5) });
      await store.tx((tx) => tx.upsertProfile(ready));
      expect(await read(store, (tx) => tx.getProfile('acc-a'))).toEqual(ready);
      expect((await read(store, (tx) => tx.listProfiles())).map((p) => p.accountId)).toEqual(['acc-C', 'acc-a', 'acc-b']);
      expect((await read(store, (tx) => tx.listProfiles(true))).map((p) => p.accountId)).toEqual(['acc-C', 'acc-a', 'acc-b']);
      await expect(store.tx((tx) => tx.upsertProfile(profile('no-such-account')))).rejects.toThrow();
    });

    it('agent connections: put, refresh by node (open ones only), close, absent accounts by latest seenAt, delete up to a time', async () => {
      await store.tx(async (tx) => {
        for (const id of ['acc-x', 'acc-y', 'acc-Z']) await tx.insertAccount(account({ id }));
      });
      const conn = (id: string, accountId: string, nodeId: string, seenMs: number, closedMs: number | null = null): AgentConnection => ({
        id,
        accountId,
        nodeId,
        seenAt: iso(seenMs),
        closedAt: closedMs === null ? null : iso(closedMs),
      });
      await store.tx(async (tx) => {
        await tx.putAgentConnection(conn('c1', 'acc-x', 'node-a', T0));
        await tx.putAgentConnection(conn('c2', 'acc-x', 'node-b', T0 + 1000));
        await tx.putAgentConnection(conn('c3', 'acc-y', 'node-a', T0 + 2000));
        await tx.putAgentConnection(conn('c4', 'acc-Z', 'node-b', T0 + 500, T0 + 500));
      });
      expect(await read(store, (tx) => tx.listAgentConnections('acc-x'))).toEqual([conn('c1', 'acc-x', 'node-a', T0), conn('c2', 'acc-x', 'node-b', T0 + 1000)]);
      // Put replaces by id.
      await store.tx((tx) => tx.putAgentConnection(conn('c1', 'acc-x', 'node-a', T0 + 100)));
      expect((await read(store, (tx) => tx.listAgentConnections('acc-x')))[0]).toEqual(conn('c1', 'acc-x', 'node-a', T0 + 100));
      // Refresh touches the open connections of the node only.
      expect(await store.tx((tx) => tx.refreshAgentConnections('node-b', iso(T0 + 3000)))).toBe(1);
      expect((await read(store, (tx) => tx.listAgentConnections('acc-Z')))[0]!.seenAt).toBe(iso(T0 + 500));
      expect((await read(store, (tx) => tx.listAgentConnections('acc-x'))).map((c) => c.seenAt)).toEqual([iso(T0 + 100), iso(T0 + 3000)]);
      expect(await store.tx((tx) => tx.refreshAgentConnections('node-c', iso(T0 + 3000)))).toBe(0);
      // Absent: every connection seen at or before the time; reported with the latest one.
      expect(await read(store, (tx) => tx.listAbsentAgents(iso(T0 + 2500)))).toEqual([
        { accountId: 'acc-Z', lastSeenAt: iso(T0 + 500) },
        { accountId: 'acc-y', lastSeenAt: iso(T0 + 2000) },
      ]);
      expect(await read(store, (tx) => tx.listAbsentAgents(iso(T0 + 3000)))).toEqual([
        { accountId: 'acc-Z', lastSeenAt: iso(T0 + 500) },
        { accountId: 'acc-x', lastSeenAt: iso(T0 + 3000) },
        { accountId: 'acc-y', lastSeenAt: iso(T0 + 2000) },
      ]);
      expect(await read(store, (tx) => tx.listAbsentAgents(iso(T0 + 499)))).toEqual([]);
      // Close stamps seenAt and closedAt; a closed connection is not refreshed.
      await store.tx((tx) => tx.closeAgentConnection('c3', iso(T0 + 4000)));
      expect(await read(store, (tx) => tx.listAgentConnections('acc-y'))).toEqual([conn('c3', 'acc-y', 'node-a', T0 + 4000, T0 + 4000)]);
      expect(await store.tx((tx) => tx.refreshAgentConnections('node-a', iso(T0 + 5000)))).toBe(1);
      expect((await read(store, (tx) => tx.listAgentConnections('acc-y')))[0]!.seenAt).toBe(iso(T0 + 4000));
      // Delete up to a time: a connection seen later stays.
      expect(await store.tx((tx) => tx.deleteAgentConnections('acc-x', iso(T0 + 3000)))).toBe(1);
      expect((await read(store, (tx) => tx.listAgentConnections('acc-x'))).map((c) => c.id)).toEqual(['c1']);
      expect(await store.tx((tx) => tx.deleteAgentConnections('acc-x', iso(T0 + 5000)))).toBe(1);
      expect(await read(store, (tx) => tx.listAgentConnections('acc-x'))).toEqual([]);
      await expect(store.tx((tx) => tx.putAgentConnection(conn('c9', 'no-such-account', 'node-a', T0)))).rejects.toThrow();
    });

    it('accounts: listed by username in byte order; updateAccount patches', async () => {
      const a = account({ username: 'bob' });
      const b = account({ username: 'Zoe' });
      const c = account({ username: 'alice' });
      await store.tx(async (tx) => {
        for (const x of [a, b, c]) await tx.insertAccount(x);
      });
      expect((await read(store, (tx) => tx.listAccounts())).map((x) => x.username)).toEqual(['Zoe', 'alice', 'bob']);
      await store.tx((tx) => tx.updateAccount(a.id, { displayName: 'Bobby', role: 'admin' }));
      await store.tx((tx) => tx.updateAccount(a.id, { passwordHash: 'scrypt$2', displayName: undefined }));
      await store.tx((tx) => tx.updateAccount(a.id, {}));
      expect(await read(store, (tx) => tx.getAccount(a.id))).toEqual({ ...a, displayName: 'Bobby', role: 'admin', passwordHash: 'scrypt$2' });
      expect(await read(store, (tx) => tx.getAccount(b.id))).toEqual(b);
      await store.tx((tx) => tx.updateAccount(b.id, { tokenGeneration: 3, disabled: true }));
      expect(await read(store, (tx) => tx.getAccount(b.id))).toEqual({ ...b, tokenGeneration: 3, disabled: true });
      await store.tx((tx) => tx.updateAccount(b.id, { disabled: false }));
      expect(await read(store, (tx) => tx.getAccount(b.id))).toMatchObject({ tokenGeneration: 3, disabled: false });
    });

    it('updateDeployment replaces the editable fields, not createdAt', async () => {
      const { dep } = await seed(store);
      const edited: Deployment = {
        ...dep,
        name: 'Renamed',
        allowedOrigins: [],
        asyncPolicy: { mode: 'sync', endpoints: { Billing: 'async', default: 'client' }, afterCompletion: 'route', noticeWindowSeconds: 0, noticeText: '' },
        defaultQueue: 'Sales',
        createdAt: iso(T0 + 99_999),
        settings: { appName: 'Other' },
      };
      await store.tx((tx) => tx.updateDeployment(edited));
      expect(await read(store, (tx) => tx.getDeployment(dep.id))).toEqual({ ...edited, createdAt: dep.createdAt });
    });

    it('API keys: listed per deployment by label; deleted by a hash prefix of at least 12 characters', async () => {
      const a = await seed(store);
      const b = await seed(store);
      const h1 = 'aaaaaaaaaaaa1111';
      const h2 = 'aaaaaaaaaaab2222';
      const h3 = 'aaaaaaaaaaaa3333';
      await store.tx(async (tx) => {
        await tx.addApiKey(a.dep.id, h1, 'web');
        await tx.addApiKey(a.dep.id, h2, 'App');
        await tx.addApiKey(b.dep.id, h3, 'other');
      });
      expect(await read(store, (tx) => tx.listApiKeys(a.dep.id))).toEqual([
        { keyHash: h2, label: 'App', kind: 'public' },
        { keyHash: h1, label: 'web', kind: 'public' },
      ]);
      expect(await read(store, (tx) => tx.listApiKeys('nope'))).toEqual([]);
      expect(await store.tx((tx) => tx.deleteApiKey(a.dep.id, 'aaaaaaaaaaa'))).toBe(false); // 11 characters: too short
      expect(await store.tx((tx) => tx.deleteApiKey(a.dep.id, 'zzzzzzzzzzzz'))).toBe(false);
      expect(await store.tx((tx) => tx.deleteApiKey(a.dep.id, 'aaaaaaaaaaaa'))).toBe(true); // h1 only: h3 is another deployment's
      expect((await read(store, (tx) => tx.listApiKeys(a.dep.id))).map((k) => k.keyHash)).toEqual([h2]);
      expect((await read(store, (tx) => tx.listApiKeys(b.dep.id))).map((k) => k.keyHash)).toEqual([h3]);
      expect(await read(store, (tx) => tx.getDeploymentByApiKeyHash(h1))).toBeNull();
      expect(await store.tx((tx) => tx.deleteApiKey(a.dep.id, h2))).toBe(true);
      expect(await read(store, (tx) => tx.listApiKeys(a.dep.id))).toEqual([]);
    });

    it('canned responses and wrap-up codes: insert or upsert, list in byte order, delete', async () => {
      await store.tx(async (tx) => {
        await tx.insertCannedResponse({ id: 'c1', title: 'thanks', text: 'Thank you!' });
        await tx.insertCannedResponse({ id: 'c2', title: 'Hello', text: 'Hi, how can I help?' });
        await tx.upsertWrapUpCode({ code: 'sale', label: 'Sale' });
        await tx.upsertWrapUpCode({ code: 'Other', label: 'Other' });
      });
      await expect(store.tx((tx) => tx.insertCannedResponse({ id: 'c1', title: 'dup', text: '' }))).rejects.toThrow();
      expect(await read(store, (tx) => tx.listCannedResponses())).toEqual([
        { id: 'c2', title: 'Hello', text: 'Hi, how can I help?' },
        { id: 'c1', title: 'thanks', text: 'Thank you!' },
      ]);
      await store.tx((tx) => tx.upsertWrapUpCode({ code: 'sale', label: 'Sold' }));
      expect(await read(store, (tx) => tx.listWrapUpCodes())).toEqual([
        { code: 'Other', label: 'Other' },
        { code: 'sale', label: 'Sold' },
      ]);
      expect(await store.tx((tx) => tx.deleteCannedResponse('c1'))).toBe(true);
      expect(await store.tx((tx) => tx.deleteCannedResponse('c1'))).toBe(false);
      expect(await store.tx((tx) => tx.deleteWrapUpCode('sale'))).toBe(true);
      expect(await store.tx((tx) => tx.deleteWrapUpCode('sale'))).toBe(false);
      expect((await read(store, (tx) => tx.listCannedResponses())).map((c) => c.id)).toEqual(['c2']);
      expect((await read(store, (tx) => tx.listWrapUpCodes())).map((c) => c.code)).toEqual(['Other']);
    });

    it('surveys: one per session (a second answer writes nothing), summarized per queue or agent over [from, to)', async () => {
      const a = await seed(store);
      const b = await seed(store);
      const c = await seed(store);
      const other = await seed(store);
      const survey = (sessionId: string, deploymentId: string, over: Partial<Survey>): Survey => ({
        sessionId,
        deploymentId,
        queue: 'Support',
        agentAccountId: 'acc-1',
        rating: 5,
        comment: 'Thanks “ünïcode” <b>',
        createdAt: iso(T0 + 10),
        ...over,
      });
      expect(await store.tx((tx) => tx.insertSurvey(survey(a.ses.id, a.dep.id, { rating: 4 })))).toBe(true);
      expect(await store.tx((tx) => tx.insertSurvey(survey(a.ses.id, a.dep.id, { rating: 1, comment: 'changed my mind' })))).toBe(false);
      expect(await read(store, (tx) => tx.getSurvey(a.ses.id))).toEqual(survey(a.ses.id, a.dep.id, { rating: 4 }));
      expect(await read(store, (tx) => tx.getSurvey('nope'))).toBeNull();
      await store.tx(async (tx) => {
        await tx.insertSurvey(survey(b.ses.id, b.dep.id, { rating: 1, queue: 'Sales', agentAccountId: null, createdAt: iso(T0 + 20) }));
        await tx.insertSurvey(survey(c.ses.id, c.dep.id, { rating: 3, agentAccountId: 'acc-2', createdAt: iso(T0 + 30) }));
        await tx.insertSurvey(survey(other.ses.id, other.dep.id, { rating: 2, createdAt: iso(T0 + 40) }));
      });
      expect(await read(store, (tx) => tx.summarizeSurveys({ from: iso(T0), to: iso(T0 + 40), groupBy: 'queue' }))).toEqual([
        { key: 'Sales', count: 1, ratingSum: 1 },
        { key: 'Support', count: 2, ratingSum: 7 },
      ]);
      expect(await read(store, (tx) => tx.summarizeSurveys({ from: iso(T0 + 10), to: iso(T0 + 41), groupBy: 'agent' }))).toEqual([
        { key: '', count: 1, ratingSum: 1 },
        { key: 'acc-1', count: 2, ratingSum: 6 },
        { key: 'acc-2', count: 1, ratingSum: 3 },
      ]);
      expect(await read(store, (tx) => tx.summarizeSurveys({ from: iso(T0), to: iso(T0 + 100), groupBy: 'agent', deploymentId: other.dep.id }))).toEqual([{ key: 'acc-1', count: 1, ratingSum: 2 }]);
      expect(await read(store, (tx) => tx.summarizeSurveys({ from: iso(T0 + 50), to: iso(T0 + 100), groupBy: 'queue' }))).toEqual([]);
    });

    it('business hours: put replaces per (deployment, queue), listed by queue in byte order, deleted', async () => {
      const { dep } = await seed(store);
      const hours = (queue: string, over: Partial<BusinessHours> = {}): BusinessHours => ({
        deploymentId: dep.id,
        queue,
        timeZone: 'Europe/Paris',
        weekly: {
          mon: [
            { open: '09:00', close: '12:00' },
            { open: '13:00', close: '17:30' },
          ],
          sat: [],
        },
        holidays: ['2025-12-25'],
        updatedAt: iso(T0),
        ...over,
      });
      await store.tx(async (tx) => {
        await tx.putBusinessHours(hours('Support'));
        await tx.putBusinessHours(hours(''));
        await tx.putBusinessHours(hours('Sales'));
      });
      await store.tx((tx) => tx.putBusinessHours(hours('Support', { timeZone: 'America/New_York', holidays: [], updatedAt: iso(T0 + 1) })));
      expect(await read(store, (tx) => tx.getBusinessHours(dep.id, 'Support'))).toEqual(hours('Support', { timeZone: 'America/New_York', holidays: [], updatedAt: iso(T0 + 1) }));
      expect(await read(store, (tx) => tx.getBusinessHours(dep.id, 'None'))).toBeNull();
      expect((await read(store, (tx) => tx.listBusinessHours(dep.id))).map((h) => h.queue)).toEqual(['', 'Sales', 'Support']);
      expect(await store.tx((tx) => tx.deleteBusinessHours(dep.id, 'Sales'))).toBe(true);
      expect(await store.tx((tx) => tx.deleteBusinessHours(dep.id, 'Sales'))).toBe(false);
      expect((await read(store, (tx) => tx.listBusinessHours(dep.id))).map((h) => h.queue)).toEqual(['', 'Support']);
      expect(await read(store, (tx) => tx.listBusinessHours('nope'))).toEqual([]);
    });

    it('listActiveSessions: only active ones, newest first, limited', async () => {
      const { dep, ses: oldest } = await seed(store, { createdAt: iso(T0) });
      const newer = session(dep.id, { createdAt: iso(T0 + 20) });
      const ended = session(dep.id, { createdAt: iso(T0 + 30), state: 'Ended', endedAt: iso(T0 + 31) });
      const middle = session(dep.id, { createdAt: iso(T0 + 10) });
      await store.tx(async (tx) => {
        for (const s of [newer, ended, middle]) await tx.insertSession(s);
      });
      expect((await read(store, (tx) => tx.listActiveSessions(10))).map((s) => s.id)).toEqual([newer.id, middle.id, oldest.id]);
      expect(await read(store, (tx) => tx.listActiveSessions(2))).toEqual([newer, middle]);
    });

    it('listSessionsOfAccount: sessions joined or handled by the account, once each, newest first, limited', async () => {
      const { dep, ses: joined } = await seed(store, { createdAt: iso(T0) });
      const handled = session(dep.id, { createdAt: iso(T0 + 10) });
      const both = session(dep.id, { createdAt: iso(T0 + 20) });
      const unrelated = session(dep.id, { createdAt: iso(T0 + 30) });
      await store.tx(async (tx) => {
        for (const s of [handled, both, unrelated]) await tx.insertSession(s);
        await tx.insertParticipant(participant(joined.id, { type: 'Supervisor', accountId: 'acc-1' }));
        await tx.insertInteraction(interaction(handled, { state: 'Completed', agentAccountId: 'acc-1' }));
        await tx.insertParticipant(participant(both.id, { type: 'Agent', accountId: 'acc-1' }));
        await tx.insertInteraction(interaction(both, { state: 'Handling', agentAccountId: 'acc-1' }));
        await tx.insertInteraction(interaction(both, { state: 'Completed', agentAccountId: 'acc-1' }));
        await tx.insertParticipant(participant(unrelated.id, { type: 'Agent', accountId: 'acc-2' }));
      });
      expect((await read(store, (tx) => tx.listSessionsOfAccount('acc-1', 10))).map((s) => s.id)).toEqual([both.id, handled.id, joined.id]);
      expect(await read(store, (tx) => tx.listSessionsOfAccount('acc-1', 1))).toEqual([both]);
      expect(await read(store, (tx) => tx.listSessionsOfAccount('acc-3', 10))).toEqual([]);
    });

    it('listMessages with audienceAccountId adds the Vip whispers addressed to that account', async () => {
      const { ses } = await seed(store);
      await store.tx(async (tx) => {
        await appendMessage(tx, ses.id, draft({ text: 'public' }), T0);
        await appendMessage(tx, ses.id, draft({ text: 'internal', visibility: 'Int' }), T0);
        await appendMessage(tx, ses.id, draft({ text: 'to me', visibility: 'Vip', audienceAccountId: 'acc-1' }), T0);
        await appendMessage(tx, ses.id, draft({ text: 'to someone else', visibility: 'Vip', audienceAccountId: 'acc-2' }), T0);
        await appendMessage(tx, ses.id, draft({ text: 'supervisors only', visibility: 'Vip' }), T0);
      });
      const texts = (q: Parameters<StoreTx['listMessages']>[1]) => read(store, (tx) => tx.listMessages(ses.id, q)).then((l) => l.map((m) => m.text));
      expect(await texts({ visibilities: ['All', 'Int'], audienceAccountId: 'acc-1', limit: 100 })).toEqual(['public', 'internal', 'to me']);
      expect(await texts({ visibilities: ['All'], audienceAccountId: 'acc-1', limit: 100 })).toEqual(['public', 'to me']);
      expect(await texts({ visibilities: ['All', 'Int'], limit: 100 })).toEqual(['public', 'internal']);
      expect(await texts({ visibilities: [...ALL], audienceAccountId: 'acc-1', limit: 100 })).toHaveLength(5);
      expect(await texts({ visibilities: ['All', 'Int'], audienceAccountId: 'acc-1', limit: 2, newest: true })).toEqual(['internal', 'to me']);
      const [whisper] = await read(store, (tx) => tx.listMessages(ses.id, { visibilities: [], audienceAccountId: 'acc-1', limit: 100 }));
      expect(whisper!.audienceAccountId).toBe('acc-1');
    });
  });

  describe('workflows, API key kinds and idle control', () => {
    it('API keys have a kind: lookups default to public keys; upsert may change the kind', async () => {
      const { dep } = await seed(store);
      await store.tx(async (tx) => {
        await tx.addApiKey(dep.id, 'public-hash-000', 'web');
        await tx.addApiKey(dep.id, 'server-hash-000', 'bot', 'server');
      });
      const find = (hash: string, kind?: 'public' | 'server') => read(store, (tx) => tx.getDeploymentByApiKeyHash(hash, kind)).then((d) => d?.id ?? null);
      expect(await find('public-hash-000')).toBe(dep.id);
      expect(await find('public-hash-000', 'public')).toBe(dep.id);
      expect(await find('public-hash-000', 'server')).toBeNull();
      expect(await find('server-hash-000')).toBeNull();
      expect(await find('server-hash-000', 'server')).toBe(dep.id);
      expect(await read(store, (tx) => tx.listApiKeys(dep.id))).toEqual([
        { keyHash: 'server-hash-000', label: 'bot', kind: 'server' },
        { keyHash: 'public-hash-000', label: 'web', kind: 'public' },
      ]);
      await store.tx((tx) => tx.addApiKey(dep.id, 'server-hash-000', 'bot', 'public'));
      expect(await find('server-hash-000')).toBe(dep.id);
    });

    it('deployment settings round-trip, key order included', async () => {
      const d = deployment();
      await store.tx((tx) => tx.insertDeployment(d));
      const got = (await read(store, (tx) => tx.getDeployment(d.id)))!;
      expect(got.settings).toEqual(d.settings);
      expect(JSON.stringify(got.settings)).toBe(JSON.stringify(d.settings));
      expect((await read(store, (tx) => tx.listDeployments()))[0]!.settings).toEqual(d.settings);
    });

    it('appendMessage keeps lastActivityAt (any message) and lastCustomerAt (a customer Text) of the session', async () => {
      const { ses } = await seed(store, { lastCustomerAt: iso(T0 - 1000), lastActivityAt: iso(T0 - 1000) });
      const times = async () => {
        const s = (await read(store, (tx) => tx.getSession(ses.id)))!;
        return [s.lastCustomerAt, s.lastActivityAt];
      };
      const agent = { participantId: 'a-1', type: 'Agent', nickname: 'Bob' } as const;
      const customer = { participantId: 'c-1', type: 'Customer', nickname: 'Ann' } as const;
      await store.tx((tx) => appendMessage(tx, ses.id, draft({ from: agent }), T0 + 1));
      expect(await times()).toEqual([iso(T0 - 1000), iso(T0 + 1)]);
      await store.tx((tx) => appendMessage(tx, ses.id, draft({ from: customer, type: 'TypingStarted', text: undefined }), T0 + 2));
      expect(await times()).toEqual([iso(T0 - 1000), iso(T0 + 2)]);
      await store.tx((tx) => appendMessage(tx, ses.id, draft({ from: customer }), T0 + 3));
      expect(await times()).toEqual([iso(T0 + 3), iso(T0 + 3)]);
      await store.tx((tx) => appendMessage(tx, ses.id, draft({ from: customer, utcTime: '2030-01-01T00:00:00.000Z' }), T0 + 4));
      expect(await times()).toEqual(['2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z']);
    });

    it('flow runs: one per session, upserted, deleted; a run needs its session', async () => {
      const { ses } = await seed(store);
      expect(await read(store, (tx) => tx.getFlowRun(ses.id))).toBeNull();
      const run: FlowRun = { sessionId: ses.id, interactionId: 'int-1', step: 'ask-name', waiting: 'answer', vars: { name: 'Ann', 'odd key': 'x"y' }, lastIndexNum: T0 * 10 + 3, updatedAt: iso(T0) };
      await store.tx((tx) => tx.putFlowRun(run));
      expect(await read(store, (tx) => tx.getFlowRun(ses.id))).toEqual(run);
      const next: FlowRun = { ...run, interactionId: 'int-2', step: 'done', waiting: null, vars: {}, lastIndexNum: T0 * 10 + 9, updatedAt: iso(T0 + 5) };
      await store.tx((tx) => tx.putFlowRun(next));
      expect(await read(store, (tx) => tx.getFlowRun(ses.id))).toEqual(next);
      await store.tx((tx) => tx.deleteFlowRun(ses.id));
      await store.tx((tx) => tx.deleteFlowRun(ses.id));
      expect(await read(store, (tx) => tx.getFlowRun(ses.id))).toBeNull();
      await expect(store.tx((tx) => tx.putFlowRun({ ...run, sessionId: 'no-such-session' }))).rejects.toThrow();
    });

    it('lists active sessions silent (customer) or inactive (anyone) since a time, oldest first, limited', async () => {
      const { dep } = await seed(store, { lastCustomerAt: iso(T0 + 500), lastActivityAt: iso(T0 + 500) });
      const s1 = session(dep.id, { id: 's1', lastCustomerAt: iso(T0 + 30), lastActivityAt: iso(T0 + 40) });
      const s2 = session(dep.id, { id: 's2', lastCustomerAt: iso(T0 + 10), lastActivityAt: iso(T0 + 50) });
      const s3 = session(dep.id, { id: 's3', lastCustomerAt: iso(T0 + 20), lastActivityAt: iso(T0 + 20) });
      const ended = session(dep.id, { id: 's4', state: 'Ended', endedAt: iso(T0), lastCustomerAt: iso(T0), lastActivityAt: iso(T0) });
      const boundary = session(dep.id, { id: 's5', lastCustomerAt: iso(T0 + 100), lastActivityAt: iso(T0 + 100) });
      await store.tx(async (tx) => {
        for (const s of [s1, s2, s3, ended, boundary]) await tx.insertSession(s);
      });
      const ids = (l: Session[]) => l.map((s) => s.id);
      expect(ids(await read(store, (tx) => tx.listSessionsCustomerSilentSince(iso(T0 + 100), 10)))).toEqual(['s2', 's3', 's1']);
      expect(ids(await read(store, (tx) => tx.listSessionsCustomerSilentSince(iso(T0 + 100), 2)))).toEqual(['s2', 's3']);
      // The next page starts after the last one's (clock, id); equal clocks go by id.
      expect(ids(await read(store, (tx) => tx.listSessionsCustomerSilentSince(iso(T0 + 100), 2, { lastCustomerAt: iso(T0 + 20), id: 's3' })))).toEqual(['s1']);
      expect(ids(await read(store, (tx) => tx.listSessionsCustomerSilentSince(iso(T0 + 100), 10, { lastCustomerAt: iso(T0 + 20), id: 's0' })))).toEqual(['s3', 's1']);
      expect(await read(store, (tx) => tx.listSessionsCustomerSilentSince(iso(T0 + 100), 10, { lastCustomerAt: iso(T0 + 30), id: 's1' }))).toEqual([]);
    });
  });

  describe('transactions', () => {
    it('returns the callback’s value, and a transaction sees its own writes', async () => {
      const value = await store.tx(async (tx) => {
        await tx.putSetting('seen', 'yes');
        return { setting: await tx.getSetting('seen') };
      });
      expect(value).toEqual({ setting: 'yes' });
    });

    it('rolls back everything when the callback throws, and rethrows the same error', async () => {
      const { dep, ses } = await seed(store);
      const i = interaction(ses);
      const p = participant(ses.id);
      await store.tx(async (tx) => {
        await tx.insertInteraction(i);
        await tx.insertParticipant(p);
        await appendMessage(tx, ses.id, draft({ text: 'kept' }), T0);
      });
      const before = await fullLog(store, ses.id);
      const boom = new Error('boom');
      const d2 = deployment();
      const s2 = session(d2.id);
      const acc = account();
      await expect(
        store.tx(async (tx) => {
          await tx.insertDeployment(d2);
          await tx.addApiKey(d2.id, 'hash-rb', 'rb');
          await tx.insertSession(s2);
          await tx.insertParticipant(participant(s2.id, { id: 'p-rb' }));
          await appendMessage(tx, s2.id, draft(), T0);
          await tx.insertInteraction(interaction(s2, { id: 'i-rb' }));
          await appendMessage(tx, ses.id, draft({ text: 'rolled back' }), T0 + 5);
          await tx.updateSession(ses.id, { state: 'Ended', userData: { x: 'y' } });
          await tx.updateParticipant(p.id, { cursorNum: 99, state: 'Left' });
          expect(await tx.updateInteraction(i.id, 'Queued', { state: 'Handling' })).toBe(true);
          await tx.insertAccount(acc);
          await tx.putOperation('scope', 'op-rb', { a: 1 }, iso(T0));
          await tx.insertFile({ id: 'f-rb', sessionId: ses.id, name: 'n', mime: 'text/plain', size: 1, createdAt: iso(T0) });
          await tx.putSetting('rb', 'x');
          throw boom;
        }),
      ).rejects.toBe(boom);
      await read(store, async (tx) => {
        expect(await tx.getDeployment(d2.id)).toBeNull();
        expect(await tx.getDeploymentByApiKeyHash('hash-rb')).toBeNull();
        expect(await tx.getSession(s2.id)).toBeNull();
        expect(await tx.getParticipant('p-rb')).toBeNull();
        expect(await tx.getInteraction('i-rb')).toBeNull();
        expect(await tx.getSession(ses.id)).toEqual({ ...ses, lastIndexNum: parseIndex(before[0]!.index)! });
        expect(await tx.getParticipant(p.id)).toEqual(p);
        expect(await tx.getInteraction(i.id)).toEqual(i);
        expect(await tx.getAccount(acc.id)).toBeNull();
        expect(await tx.getOperation('scope', 'op-rb')).toBeNull();
        expect(await tx.getFile('f-rb')).toBeNull();
        expect(await tx.getSetting('rb')).toBeNull();
        expect(await tx.listDeployments()).toEqual([dep]);
      });
      expect(await fullLog(store, ses.id)).toEqual(before);
      // The index continues from the committed state, not from the rolled-back append.
      const next = await store.tx((tx) => appendMessage(tx, ses.id, draft(), T0));
      expect(next.index).toBe(`${T0}-1`);
    });

    it('rolls back earlier writes when a statement fails, and the store keeps working', async () => {
      const d = deployment();
      await store.tx((tx) => tx.insertDeployment(d));
      await expect(
        store.tx(async (tx) => {
          await tx.putSetting('before-failure', 'x');
          await tx.insertDeployment(d);
        }),
      ).rejects.toThrow();
      expect(await read(store, (tx) => tx.getSetting('before-failure'))).toBeNull();
      await store.tx((tx) => tx.putSetting('after', 'ok'));
      expect(await read(store, (tx) => tx.getSetting('after'))).toBe('ok');
    });

    it('a failed transaction does not disturb concurrent ones', async () => {
      const { ses } = await seed(store);
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          store.tx(async (tx) => {
            const m = await appendMessage(tx, ses.id, draft({ text: `t${i}` }), T0 + i);
            if (i % 3 === 0) throw new Error(`fail ${i}`);
            return m;
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(7);
      const log = await expectConsistentLog(store, ses.id, 13);
      expect(log.map((m) => m.text).sort()).toEqual(
        Array.from({ length: 20 }, (_, i) => i)
          .filter((i) => i % 3 !== 0)
          .map((i) => `t${i}`)
          .sort(),
      );
    });
  });

  describe('concurrency', () => {
    /** Runs `count` transactions over `stores` round-robin, each appending `perTx` messages tagged `i:k`. */
    async function appendMany(stores: Store[], sessionId: string, count: number, clock: (i: number, k: number) => number, perTx = 1) {
      return Promise.all(
        Array.from({ length: count }, (_, i) =>
          stores[i % stores.length]!.tx(async (tx) => {
            const out: Message[] = [];
            for (let k = 0; k < perTx; k++) out.push(await appendMessage(tx, sessionId, draft({ text: `${i}:${k}` }), clock(i, k)));
            return out;
          }),
        ),
      );
    }
    /** Each transaction's messages are consecutive in the log and in their own order. */
    function expectTransactionsContiguous(log: Message[], perTx: number) {
      for (let at = 0; at < log.length; at += perTx) {
        const [i] = log[at]!.text!.split(':');
        expect(log.slice(at, at + perTx).map((m) => m.text)).toEqual(Array.from({ length: perTx }, (_, k) => `${i}:${k}`));
      }
    }

    it('50 parallel transactions appending to one session: unique, strictly increasing indexes', async () => {
      const { ses } = await seed(store);
      const results = await appendMany([store], ses.id, 50, () => T0, 3);
      const log = await expectConsistentLog(store, ses.id, 150);
      expectTransactionsContiguous(log, 3);
      const returned = results.flat().map((m) => m.index);
      expect(new Set(returned).size).toBe(150);
      expect(returned.sort()).toEqual(log.map((m) => m.index).sort());
    });

    it('lockLogHead holds the session until commit: another transaction reads the head after it', async () => {
      const { ses } = await seed(store);
      const [a, b] = await nodes(2);
      let releaseA!: () => void;
      const aMayCommit = new Promise<void>((resolve) => (releaseA = resolve));
      let aLocked!: () => void;
      const aHasLock = new Promise<void>((resolve) => (aLocked = resolve));
      const first = a!.tx(async (tx) => {
        await tx.lockLogHead(ses.id);
        aLocked();
        await aMayCommit;
        const m: Message = { ...draft(), sessionId: ses.id, index: `${T0}-0`, utcTime: iso(T0) };
        await tx.insertMessage(m, T0 * 10, { lastActivityAt: iso(T0), lastCustomerAt: null });
      });
      await aHasLock;
      const second = b!.tx((tx) => tx.lockLogHead(ses.id));
      // Where transactions run at once, the second waits for the lock; give it time to (wrongly) read.
      await new Promise((resolve) => setTimeout(resolve, backend.parallel ? 200 : 0));
      releaseA();
      await first;
      expect(await second).toEqual({ lastIndexNum: T0 * 10 });
    });

    it('parallel appends stay strictly increasing while the clock runs backwards', async () => {
      const { ses } = await seed(store);
      let now = T0 + 1_000_000;
      await appendMany([store], ses.id, 50, () => (now -= 37), 2);
      const log = await expectConsistentLog(store, ses.id, 100);
      expectTransactionsContiguous(log, 2);
      expect(parseIndex(log[0]!.index)).toBeGreaterThanOrEqual((T0 + 1_000_000 - 37) * 10);
    });

    it('parallel appends from several nodes (separate stores) with skewed clocks stay strictly increasing', async () => {
      const { ses } = await seed(store);
      const stores = await nodes(3);
      // Node clocks disagree by seconds, and each jitters backwards and forwards.
      await appendMany(stores, ses.id, 60, (i) => T0 + (i % 3) * 3_000 - (i % 7) * 500, 2);
      const log = await expectConsistentLog(store, ses.id, 120);
      expectTransactionsContiguous(log, 2);
    });

    it('compare-and-set: 50 transactions race to move one interaction Queued -> Handling; exactly one wins', async () => {
      const { ses } = await seed(store);
      const i = interaction(ses);
      await store.tx((tx) => tx.insertInteraction(i));
      const racers = backend.parallel ? await nodes(2, { max: 25 }) : [store];
      const lineUp = barrier(50, backend.parallel);
      let reads = 0;
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, n) =>
          racers[n % racers.length]!.tx(async (tx) => {
            const seen = await tx.getInteraction(i.id);
            if (seen?.state === 'Queued') reads++;
            await lineUp.wait(); // everyone has read "Queued" before anyone writes
            return tx.updateInteraction(i.id, 'Queued', { state: 'Handling', agentAccountId: `agent-${n}`, updatedAt: iso(T0 + n) });
          }),
        ),
      );
      lineUp.dispose();
      if (backend.parallel) expect(reads).toBe(50);
      const winners = results.flatMap((won, n) => (won ? [n] : []));
      expect(winners).toHaveLength(1);
      const final = await read(store, (tx) => tx.getInteraction(i.id));
      expect(final).toEqual({ ...i, state: 'Handling', agentAccountId: `agent-${winners[0]}`, updatedAt: iso(T0 + winners[0]!) });
    });

    it('getInteraction(forUpdate) serializes accept-style read-check-write: exactly one takes it', async () => {
      const { ses } = await seed(store);
      const i = interaction(ses);
      await store.tx((tx) => tx.insertInteraction(i));
      const racers = await nodes(2);
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, n) =>
          racers[n % racers.length]!.tx(async (tx) => {
            const seen = await tx.getInteraction(i.id, true);
            if (seen?.state !== 'Queued') return false;
            const ok = await tx.updateInteraction(i.id, 'Queued', { state: 'Handling', agentAccountId: `agent-${n}` });
            if (!ok) throw new Error('the locked row changed under its lock');
            await appendMessage(tx, ses.id, draft({ text: `taken by ${n}` }), T0 + n);
            return true;
          }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const log = await expectConsistentLog(store, ses.id, 1);
      expect(log[0]!.text).toBe(`taken by ${results.indexOf(true)}`);
    });

    it('operations: concurrent writes with one operationId apply once; the others get the stored result', async () => {
      const { ses } = await seed(store);
      const racers = backend.parallel ? await nodes(2) : [store];
      const lineUp = barrier(20, backend.parallel);
      let runs = 0;
      // The shape of LogWriter.write with an operationId: look the operation up, do the write, record its result.
      const once = (s: Store, n: number) =>
        s.tx(async (tx) => {
          runs++;
          const prior = await tx.getOperation(`send:${ses.id}`, 'op-dup');
          if (prior !== null) return prior as Message;
          await lineUp.wait(); // all have seen "no record" before anyone writes
          const m = await appendMessage(tx, ses.id, draft({ text: `attempt ${n}` }), T0 + n);
          await tx.putOperation(`send:${ses.id}`, 'op-dup', m, iso(T0));
          return m;
        });
      const results = await Promise.all(Array.from({ length: 20 }, (_, n) => once(racers[n % racers.length]!, n)));
      lineUp.dispose();
      const log = await expectConsistentLog(store, ses.id, 1);
      for (const r of results) expect(r).toEqual(log[0]);
      if (backend.parallel) expect(runs).toBeGreaterThan(20); // the losers ran again and found the record
      // A later repeat returns the same result without writing.
      expect(await once(store, 99)).toEqual(log[0]);
      await expectConsistentLog(store, ses.id, 1);
    });
  });

  describe('webhook outbox', () => webhookOutboxContract(() => ({ store, nodes })));
  describe('audit trail', () => auditContract(() => store));
  describe('leases', () => {
    it('one owner at a time: free, expired, or already its own', async () => {
      const stores = await nodes(3);
      const take = (s: Store, owner: string, now: number) => s.tx((tx) => tx.takeLease('job', owner, iso(now), iso(now + 60_000)));
      const first = await Promise.all(stores.map((s, i) => take(s, `node-${i}`, T0)));
      expect(first.filter(Boolean)).toHaveLength(1);
      const holder = `node-${first.indexOf(true)}`;
      const other = holder === 'node-0' ? 'node-1' : 'node-0';
      expect(await take(store, other, T0 + 59_999)).toBe(false);
      expect(await take(store, holder, T0 + 30_000)).toBe(true);
      expect(await take(store, other, T0 + 89_999)).toBe(false);
      expect(await take(store, other, T0 + 90_000)).toBe(true);
      expect(await take(store, holder, T0 + 90_001)).toBe(false);
    });
  });

  describe('properties', () => {
    const clockSteps = fc.array(
      fc.record({
        delta: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 }), fc.integer({ min: -100_000, max: -1 }), fc.integer({ min: 4, max: 100_000 })),
        fraction: fc.constantFrom(0, 0.001, 0.5, 0.999),
      }),
      { minLength: 1, maxLength: 30 },
    );

    it('the index is strictly increasing and equals max(floor(now) * 10, last + 1), for any clock sequence', async () => {
      const { dep } = await seed(store);
      await fc.assert(
        fc.asyncProperty(clockSteps, fc.boolean(), async (steps, oneTx) => {
          const s = session(dep.id);
          await store.tx((tx) => tx.insertSession(s));
          let t = T0;
          const times = steps.map(({ delta, fraction }) => (t += delta) + fraction);
          const appended = oneTx
            ? await store.tx(async (tx) => {
                const out: Message[] = [];
                for (const now of times) out.push(await appendMessage(tx, s.id, draft(), now));
                return out;
              })
            : await (async () => {
                const out: Message[] = [];
                for (const now of times) out.push(await store.tx((tx) => appendMessage(tx, s.id, draft(), now)));
                return out;
              })();
          let last = 0;
          const expected = times.map((now) => (last = Math.max(Math.floor(now) * 10, last + 1)));
          expect(appended.map((m) => parseIndex(m.index))).toEqual(expected);
          const log = await expectConsistentLog(store, s.id, times.length);
          expect(log.map((m) => m.id)).toEqual(appended.map((m) => m.id));
        }),
        { numRuns: backend.numRuns },
      );
    });

    it('concurrent appends with random clocks: the log order is the order of the indexes, no duplicates', async () => {
      const { dep } = await seed(store);
      const stores = await nodes(2);
      await fc.assert(
        fc.asyncProperty(clockSteps, async (steps) => {
          const s = session(dep.id);
          await store.tx((tx) => tx.insertSession(s));
          let t = T0;
          const times = steps.map(({ delta, fraction }) => (t += delta) + fraction);
          const appended = await Promise.all(times.map((now, i) => stores[i % stores.length]!.tx((tx) => appendMessage(tx, s.id, draft(), now))));
          const log = await expectConsistentLog(store, s.id, times.length);
          expect(new Set(log.map((m) => m.id))).toEqual(new Set(appended.map((m) => m.id)));
          // Every index is at least its own clock reading.
          for (const [i, m] of appended.entries()) expect(parseIndex(m.index)!).toBeGreaterThanOrEqual(Math.floor(times[i]!) * 10);
        }),
        { numRuns: backend.numRuns },
      );
    });
  });
}

// ---- PostgreSQL only -----------------------------------------------------------------------

function postgresOnly(url: string, backend: ReturnType<typeof postgresBackend>): void {
  let h: Opened;
  const retries: unknown[] = [];
  const onRetry = (err: unknown) => retries.push(err);
  beforeEach(async () => {
    retries.length = 0;
    h = await backend.open({ onRetry });
  });
  afterEach(async () => {
    await h?.close();
  });
  const codes = () => retries.map((e) => (e as { code?: string }).code);

  it('migrations: recorded in schema_migrations, applied once, and nodes starting at once do not race', async () => {
    const schema = freshSchemaName();
    const admin = backend.admin();
    try {
      const stores = await Promise.all(Array.from({ length: 6 }, () => PostgresStore.connect(url, { schema })));
      const { rows } = await admin.query(`SELECT version, applied_at FROM ${schema}.schema_migrations ORDER BY version`);
      expect(rows.map((r) => r.version)).toEqual(pgMigrations.map((m) => m.version));
      await Promise.all(stores.map((s) => s.close()));
      const again = await PostgresStore.connect(url, { schema });
      const after = await admin.query(`SELECT version, applied_at FROM ${schema}.schema_migrations ORDER BY version`);
      expect(after.rows).toEqual(rows);
      await again.tx((tx) => tx.putSetting('works', 'yes'));
      await again.close();
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });

  it('BEGIN shares its round trip with the first statement; a transaction that runs none sends nothing', async () => {
    const work = (h.store as PostgresStore).work;
    const trips = async (fn: (tx: StoreTx) => Promise<unknown>) => {
      const before = work.get('round_trips');
      await h.store.tx(fn);
      return work.get('round_trips') - before;
    };
    // The statement, a second one, COMMIT.
    expect(await trips(async (tx) => (await tx.putSetting('a', 'x'), await tx.getSetting('a')))).toBe(3);
    expect(await trips(async () => undefined)).toBe(0);
    // An idempotency record goes out with COMMIT: the statement, then the record and COMMIT.
    expect(await trips(async (tx) => (await tx.putSetting('b', 'x'), await tx.putOperation('scope', 'op-1', { a: 1 }, iso(T0))))).toBe(2);
    expect(await read(h.store, (tx) => tx.getOperation('scope', 'op-1'))).toEqual({ a: 1 });
    // Its failure (a duplicate) fails the commit: nothing of the transaction is kept, and the connection serves the next one.
    await expect(h.store.tx(async (tx) => (await tx.putSetting('c', 'x'), await tx.putOperation('scope', 'op-1', { a: 2 }, iso(T0))))).rejects.toMatchObject({ code: '23505' });
    expect(await read(h.store, (tx) => tx.getSetting('c'))).toBeNull();
    expect(await read(h.store, (tx) => tx.getOperation('scope', 'op-1'))).toEqual({ a: 1 });
    // A first statement whose values are not all plain (a list) goes after a BEGIN of its own: BEGIN, the search's two statements, COMMIT.
    expect(await trips((tx) => tx.searchSessions({ words: [], visibilities: ['All'], limit: 1, offset: 0 }))).toBe(4);
    // A first statement that fails rolls back; the connection serves the next transaction.
    const d = deployment();
    await h.store.tx((tx) => tx.insertDeployment(d));
    await expect(h.store.tx((tx) => tx.insertDeployment(d))).rejects.toThrow();
    expect(await read(h.store, (tx) => tx.getDeployment(d.id))).toEqual(d);
    await h.store.tx((tx) => tx.putSetting('after', 'ok'));
    expect(await read(h.store, (tx) => tx.getSetting('after'))).toBe('ok');
  });

  it('a batch whose PREPARE never ran (an earlier statement of it failed) is prepared again on a fresh connection', async () => {
    const store = await h.node!({ max: 1, onRetry });
    const { ses } = await seed(store);
    const m = await store.tx((tx) => appendMessage(tx, ses.id, draft(), T0));
    const duplicate: Message = { ...m, id: uid('msg'), text: 'duplicate' };
    // The failing insert goes out with the next statement, whose PREPARE then never runs.
    await expect(
      store.tx(async (tx) => {
        await tx.getSession(ses.id, true);
        await tx.insertMessage(duplicate, T0 * 10, { lastActivityAt: iso(T0 + 1), lastCustomerAt: null });
        return tx.listSessionsOfAccount('nobody', 1);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    // The same statement as a transaction's first goes out in a batch with BEGIN: its EXECUTE finds nothing prepared (26000).
    expect(await store.tx((tx) => tx.listSessionsOfAccount('nobody', 1))).toEqual([]);
    expect(codes()).toEqual(['26000']);
    expect(await store.tx((tx) => tx.listSessionsOfAccount('nobody', 1))).toEqual([]);
    expect(codes()).toEqual(['26000']);
  });

  it('a prepared statement run with its values written in as literals gives what it gives with them as parameters (property)', async () => {
    const admin = backend.admin();
    const client = await admin.connect();
    const text = 'SELECT $1::text AS t, $2::bigint AS n, $3::float8 AS f, $4::boolean AS b, $5::text AS z, COALESCE($6, $1::text) AS c, $7 || $8 AS u';
    try {
      await client.query(prepareText('literal_check', text));
      await fc.assert(
        fc.asyncProperty(
          fc.string({ unit: 'binary' }).map((x) => x.replace(/\0/g, '')),
          fc.maxSafeInteger(),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.boolean(),
          fc.option(fc.constantFrom("'", '\\', "E'\\x'", '$1', '$$', ';', 'é')),
          async (t, n, f, b, z) => {
            const values = [t, n, f, b, z, null, t, String(n)];
            const inline = executeText('literal_check', values, (x) => client.escapeLiteral(x));
            expect(inline).not.toBeNull();
            const [asParams, asLiterals] = [await client.query(text, values), await client.query(inline!)];
            expect(asLiterals.rows).toEqual(asParams.rows);
          },
        ),
        { numRuns: 200 },
      );
      expect(executeText('x', [['a']], (x) => x)).toBeNull();
      expect(executeText('x', [Infinity], (x) => x)).toBeNull();
      expect(executeText('x', [], (x) => x)).toBe('EXECUTE x');
    } finally {
      client.release();
    }
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    await expect(PostgresStore.connect(url, { schema: 'x; DROP TABLE y' })).rejects.toThrow(/plain identifier/);
  });

  it('index numbers are BIGINT and come back as JS numbers', async () => {
    const { ses } = await seed(h.store);
    const far = Date.UTC(2200, 0, 1); // 7.2e12 ms: the numeric index is past 2^32 many times over
    await h.store.tx((tx) => appendMessage(tx, ses.id, draft(), far));
    const s = await h.store.tx((tx) => tx.getSession(ses.id));
    expect(s!.lastIndexNum).toBe(far * 10);
    expect(typeof s!.lastIndexNum).toBe('number');
  });

  it('getSession(forUpdate) holds other writers of the session until commit', async () => {
    const { ses } = await seed(h.store);
    const other = await h.node!();
    const order: string[] = [];
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = h.store.tx(async (tx) => {
      await tx.getSession(ses.id, true);
      locked();
      await new Promise((r) => setTimeout(r, 300));
      order.push('holder done');
    });
    await isLocked;
    const writer = other.tx(async (tx) => {
      await appendMessage(tx, ses.id, draft(), T0);
      order.push('writer appended');
    });
    await Promise.all([holder, writer]);
    expect(order).toEqual(['holder done', 'writer appended']);
  });

  it('getInteraction(forUpdate) holds a compare-and-set from another node until commit', async () => {
    const { ses } = await seed(h.store);
    const i = interaction(ses);
    await h.store.tx((tx) => tx.insertInteraction(i));
    const other = await h.node!();
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = h.store.tx(async (tx) => {
      await tx.getInteraction(i.id, true);
      locked();
      await new Promise((r) => setTimeout(r, 200));
      return tx.updateInteraction(i.id, 'Queued', { state: 'Offered', agentAccountId: 'holder' });
    });
    await isLocked;
    const rival = other.tx((tx) => tx.updateInteraction(i.id, 'Queued', { state: 'Handling', agentAccountId: 'rival' }));
    expect(await Promise.all([holder, rival])).toEqual([true, false]);
  });

  it('listProfiles(forUpdate) makes routers on two nodes take turns', async () => {
    await h.store.tx(async (tx) => {
      for (const id of ['acc-1', 'acc-2']) {
        await tx.insertAccount(account({ id }));
        await tx.upsertProfile({ accountId: id, presence: 'Ready', reason: null, capacity: 1, skills: {}, languages: [], queues: [], idleSince: iso(T0), updatedAt: iso(T0) });
      }
    });
    const other = await h.node!();
    const order: string[] = [];
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const first = h.store.tx(async (tx) => {
      await tx.listProfiles(true);
      locked();
      await new Promise((r) => setTimeout(r, 300));
      const p = (await tx.getProfile('acc-1'))!;
      await tx.upsertProfile({ ...p, idleSince: iso(T0 + 1) });
      order.push('first router done');
    });
    await isLocked;
    const second = other.tx(async (tx) => {
      const profiles = await tx.listProfiles(true);
      order.push('second router read');
      return profiles.find((p) => p.accountId === 'acc-1')!.idleSince;
    });
    const [, seen] = await Promise.all([first, second]);
    expect(order).toEqual(['first router done', 'second router read']);
    expect(seen).toBe(iso(T0 + 1)); // it decides on what the first router committed
  });

  it('no deadlock between writers that insert into a session and then append to it', async () => {
    const { ses } = await seed(h.store);
    const other = await h.node!({ onRetry });
    const lineUp = barrier(2, true);
    await Promise.all(
      [h.store, other].map((s, n) =>
        s.tx(async (tx) => {
          await tx.insertParticipant(participant(ses.id)); // takes a KEY SHARE lock on the session row
          await lineUp.wait();
          await appendMessage(tx, ses.id, draft({ text: `n${n}` }), T0);
        }),
      ),
    );
    lineUp.dispose();
    expect(codes()).toEqual([]);
    await expectConsistentLog(h.store, ses.id, 2);
  });

  it('a deadlock (40P01) is retried: both transactions commit', async () => {
    const { dep, ses: a } = await seed(h.store);
    const b = session(dep.id);
    await h.store.tx((tx) => tx.insertSession(b));
    const other = await h.node!({ onRetry });
    const lineUp = barrier(2, true);
    let attempts = 0;
    await Promise.all(
      [
        [h.store, a, b],
        [other, b, a],
      ].map(([s, first, second], n) =>
        (s as Store).tx(async (tx) => {
          attempts++;
          await tx.getSession((first as Session).id, true);
          await lineUp.wait();
          await tx.getSession((second as Session).id, true);
          await appendMessage(tx, (first as Session).id, draft({ text: `tx${n}` }), T0);
        }),
      ),
    );
    lineUp.dispose();
    expect(codes()).toEqual(['40P01']);
    expect(attempts).toBe(3);
    await expectConsistentLog(h.store, a.id, 1);
    await expectConsistentLog(h.store, b.id, 1);
  });

  it('serialization failures (40001) are retried: SERIALIZABLE via the URL still appends everything', async () => {
    const u = new URL(url);
    u.searchParams.set('options', '-c default_transaction_isolation=serializable');
    const { ses } = await seed(h.store);
    // A node on the same schema whose transactions run SERIALIZABLE.
    const strictUrl = await PostgresStore.connect(u.toString(), { schema: h.schema!, onRetry, maxAttempts: 30 });
    try {
      const lineUp = barrier(10, true);
      await Promise.all(
        Array.from({ length: 10 }, (_, n) =>
          strictUrl.tx(async (tx) => {
            await tx.getSession(ses.id); // takes the snapshot
            await lineUp.wait();
            await appendMessage(tx, ses.id, draft({ text: `s${n}` }), T0);
          }),
        ),
      );
      lineUp.dispose();
    } finally {
      await strictUrl.close();
    }
    expect(codes()).toContain('40001');
    await expectConsistentLog(h.store, ses.id, 10);
  });

  /**
   * Routers on two nodes: node B is slow inside its pass while node A runs a whole one. Routers take
   * the router lock (listProfiles(true)) before reading offers, so A waits for B and finds nothing
   * left to requeue: the expired offer is requeued and re-offered once.
   */
  it('routers on two nodes requeue an expired offer once', async () => {
    const { chatCore } = await import('../src/core/chat.testkit.js');
    const { RoutingService } = await import('../src/core/routing-service.js');
    const { MemoryFanout } = await import('../src/adapters/fanout-memory.js');
    const clock = { now: () => T0 };
    const { ses } = await seed(h.store);
    const x = interaction(ses, { state: 'Offered', agentAccountId: 'acc-1', offerExpiresAt: iso(T0 - 1000), skills: [], language: null });
    await h.store.tx(async (tx) => {
      for (const id of ['acc-1', 'acc-2']) {
        await tx.insertAccount(account({ id }));
        await tx.upsertProfile({ accountId: id, presence: 'Ready', reason: null, capacity: 1, skills: {}, languages: [], queues: [], idleSince: iso(T0 - 5000), updatedAt: iso(T0) });
      }
      await tx.insertInteraction(x);
    });
    const node = (store: Store) => {
      const fanout = new MemoryFanout();
      return new RoutingService(store, fanout, clock, chatCore(store, { fanout, clock }).writer);
    };
    // Node B is slow: it has read the Offered interactions when node A runs its whole pass.
    const storeB = await h.node!();
    let reached!: () => void;
    const bReached = new Promise<void>((r) => (reached = r));
    let aDone!: () => void;
    const aFinished = new Promise<void>((r) => (aDone = r));
    const slowB: Store = {
      tx: (fn) =>
        storeB.tx((tx) =>
          fn({
            ...tx,
            getSession: async (id, forUpdate) => {
              if (forUpdate) {
                reached();
                // A cannot finish while B holds the router lock: B goes on after a while.
                await Promise.race([aFinished, new Promise((r) => setTimeout(r, 1500))]);
              }
              return tx.getSession(id, forUpdate);
            },
          }),
        ),
      read: (fn) => storeB.read(fn),
      close: () => storeB.close(),
    };
    const passB = node(slowB)
      .routeOnce()
      .catch((err: unknown) => err);
    await bReached;
    const passA = node(h.store).routeOnce();
    await passB;
    await passA;
    aDone();
    const changes = (await fullLog(h.store, ses.id)).filter((m) => m.type === 'System').map((m) => (m.data as { interactionState: string }).interactionState);
    expect(changes).toEqual(['Queued', 'Offered']);
  });

  it('a statement error the callback swallows fails the transaction instead of a silent rollback', async () => {
    const d = deployment();
    await h.store.tx((tx) => tx.insertDeployment(d));
    await expect(
      h.store.tx(async (tx) => {
        await tx.putSetting('swallowed', 'x');
        await tx.insertDeployment(d).catch(() => undefined);
        return 'looks fine';
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await h.store.tx((tx) => tx.getSetting('swallowed'))).toBeNull();
  });

  it('StoreTx cannot be used after its transaction ended', async () => {
    let leaked: StoreTx | undefined;
    await h.store.tx(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.getSetting('x')).rejects.toThrow(/already finished/);
  });

  it('gives up after maxAttempts and throws the last retryable failure', async () => {
    const store = await h.node!({ maxAttempts: 3, onRetry });
    let calls = 0;
    const conflict = Object.assign(new Error('simulated conflict'), { code: '40001' });
    await expect(
      store.tx(async () => {
        calls++;
        throw conflict;
      }),
    ).rejects.toBe(conflict);
    expect(calls).toBe(3);
    expect(codes()).toEqual(['40001', '40001']);
  });

  it('a duplicate operationId is retried once (enough to find the stored result), not until maxAttempts', async () => {
    await h.store.tx((tx) => tx.putOperation('scope', 'op-1', { first: true }, iso(T0)));
    let calls = 0;
    await expect(
      h.store.tx(async (tx) => {
        calls++;
        await tx.putOperation('scope', 'op-1', { second: true }, iso(T0)); // does not look it up first
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(calls).toBe(2);
    expect(codes()).toEqual(['23505']);
  });

  it('does not retry other failures', async () => {
    let calls = 0;
    await expect(
      h.store.tx(async () => {
        calls++;
        throw Object.assign(new Error('unique elsewhere'), { code: '23505', table: 'accounts' });
      }),
    ).rejects.toThrow('unique elsewhere');
    expect(calls).toBe(1);
  });

  it('statements are prepared once per connection, by name', async () => {
    const { ses } = await seed(h.store);
    const one = await h.node!({ max: 1 });
    // Not first in its transaction: a first statement goes out with BEGIN, unprepared.
    const second = (store: Store) => store.tx(async (tx) => (await tx.getSetting('any'), tx.getSession(ses.id)));
    for (let i = 0; i < 3; i++) expect((await second(one))?.id).toBe(ses.id);
    const pool = (one as unknown as { pool: pg.Pool }).pool; // max 1: the connection that ran them
    const { rows } = await pool.query("SELECT name, statement FROM pg_prepared_statements WHERE statement LIKE 'SELECT * FROM sessions WHERE id = $1%'");
    expect(rows).toHaveLength(1);
    expect(rows[0].name).toMatch(/^parley_\d+$/);
  });

  it('a table changed under a prepared statement (a newer node migrated) is retried on a fresh connection', async () => {
    const { ses } = await seed(h.store);
    const one = await h.node!({ max: 1 });
    const second = (store: Store) => store.tx(async (tx) => (await tx.getSetting('any'), tx.getSession(ses.id)));
    await second(one);
    await backend.admin().query(`ALTER TABLE ${h.schema}.sessions ADD COLUMN added_by_a_newer_node INTEGER`);
    expect((await second(one))?.id).toBe(ses.id);
    expect(codes()).toEqual(['0A000']);
  });

  it('close() is idempotent', async () => {
    const s = await h.node!();
    await s.close();
    await s.close();
  });
}

// ---- suites --------------------------------------------------------------------------------

describe(`Store contract: ${sqliteMemory.name}`, () => storeContract(sqliteMemory));
describe(`Store contract: ${sqliteFile.name}`, () => storeContract(sqliteFile));

const pgProbe = await probePostgres();
describeWithService('Store contract: PostgreSQL', pgProbe, (url) => {
  const backend = postgresBackend(url);
  storeContract(backend);
  describe('PostgreSQL adapter specifics', () => postgresOnly(url, backend));
});

// ---- webhook outbox ------------------------------------------------------------------------

function webhookOutboxContract(get: () => { store: Store; nodes: (n: number) => Promise<Store[]> }): void {
  const hook = (deploymentId: string, over: Partial<Webhook> = {}): Webhook => ({
    id: uid('wh'),
    deploymentId,
    url: 'https://hooks.example/in',
    events: ['message.created'],
    visibilities: ['All'],
    secret: 'whsec_x',
    enabled: true,
    createdAt: iso(T0),
    ...over,
  });
  const delivery = (webhookId: string, orderingKey: string, n: number): NewWebhookDelivery => ({
    id: uid('del'),
    webhookId,
    eventId: uid('evt'),
    eventType: 'message.created',
    orderingKey,
    payload: JSON.stringify({ n }),
    createdAt: iso(T0 + n),
    nextAttemptAt: iso(T0 + n),
    replayOf: null,
  });
  const claim = (store: Store, owner: string, nowMs = T0 + 1_000, limit = 50) => store.read((tx) => tx.claimWebhookDeliveries({ nowIso: iso(nowMs), owner, leaseUntil: iso(nowMs + 30_000), limit }));

  async function seedOutbox(perKey: number, keys: string[]) {
    const { store } = get();
    const { dep } = await seed(store);
    const w = hook(dep.id);
    await store.tx(async (tx) => {
      await tx.insertWebhook(w);
      for (let n = 0; n < perKey; n++) for (const k of keys) await tx.insertWebhookDelivery(delivery(w.id, k, n));
    });
    return w;
  }

  it('round-trips webhooks; deleting one deletes its outbox', async () => {
    const { store } = get();
    const { dep } = await seed(store);
    const w = hook(dep.id, { events: ['session.started', 'ticket.closed'], visibilities: ['All', 'Vip'], url: 'https://h.example/ü?x=1' });
    await store.tx((tx) => tx.insertWebhook(w));
    expect(await read(store, (tx) => tx.getWebhook(w.id))).toEqual(w);
    expect(await read(store, (tx) => tx.listWebhooks(dep.id))).toEqual([w]);
    await store.tx((tx) => tx.updateWebhook({ ...w, enabled: false, secret: 'whsec_y' }));
    expect(await read(store, (tx) => tx.getWebhook(w.id))).toMatchObject({ enabled: false, secret: 'whsec_y' });
    await store.tx((tx) => tx.insertWebhookDelivery(delivery(w.id, 'ses-1', 0)));
    expect(await store.tx((tx) => tx.deleteWebhook(w.id))).toBe(true);
    expect(await read(store, (tx) => tx.listWebhookDeliveries({ webhookId: w.id, limit: 10 }))).toEqual([]);
    expect(await store.tx((tx) => tx.deleteWebhook(w.id))).toBe(false);
  });

  it('claims only the oldest pending row of each session, leases it, and frees the next one when it is delivered', async () => {
    const { store } = get();
    const w = await seedOutbox(3, ['s1', 's2']);
    const first = await claim(store, 'n1');
    expect(first.map((d) => [d.orderingKey, JSON.parse(d.payload).n])).toEqual([
      ['s1', 0],
      ['s2', 0],
    ]);
    expect(first.every((d) => d.leaseOwner === 'n1')).toBe(true);
    expect(await claim(store, 'n2')).toEqual([]);
    const [s1] = first;
    expect(await store.tx((tx) => tx.finishWebhookDelivery(s1!.id, 'n2', { delivered: true, atIso: iso(T0 + 2_000), status: 200 }))).toBe(false);
    expect(await store.tx((tx) => tx.finishWebhookDelivery(s1!.id, 'n1', { delivered: true, atIso: iso(T0 + 2_000), status: 200 }))).toBe(true);
    const next = await claim(store, 'n2');
    expect(next.map((d) => [d.orderingKey, JSON.parse(d.payload).n])).toEqual([['s1', 1]]);
    // A failed attempt keeps its place at the head until it is due again.
    expect(
      await store.tx((tx) => tx.finishWebhookDelivery(next[0]!.id, 'n2', { delivered: false, atIso: iso(T0 + 3_000), status: 503, error: 'HTTP 503', nextAttemptAt: iso(T0 + 60_000), dead: false })),
    ).toBe(true);
    // s1 waits for its retry time; s2's lease (from n1, a node that died mid-send) has run out: claimed again.
    expect((await claim(store, 'n3', T0 + 59_000)).map((d) => [d.orderingKey, JSON.parse(d.payload).n])).toEqual([['s2', 0]]);
    const due = await claim(store, 'n3', T0 + 60_000);
    expect(due.map((d) => [d.orderingKey, d.attempts, d.lastStatus, d.lastError])).toEqual([['s1', 1, 503, 'HTTP 503']]);
    // An expired lease (a node that died mid-send) is claimed again.
    expect((await claim(store, 'n4', T0 + 200_000)).map((d) => d.orderingKey).sort()).toEqual(['s1', 's2']);
    // A dead row no longer holds its session back.
    const listed = await read(store, (tx) => tx.listWebhookDeliveries({ webhookId: w.id, orderingKey: 's2', limit: 10 }));
    expect(listed.map((d) => JSON.parse(d.payload).n)).toEqual([2, 1, 0]);
    const s2head = listed[2]!;
    await store.tx((tx) =>
      tx.finishWebhookDelivery(s2head.id, 'n4', { delivered: false, atIso: iso(T0 + 200_001), status: null, error: 'ECONNREFUSED', nextAttemptAt: iso(T0 + 200_002), dead: true }),
    );
    expect((await claim(store, 'n5', T0 + 300_000)).map((d) => [d.orderingKey, JSON.parse(d.payload).n])).toEqual([
      ['s1', 1],
      ['s2', 1],
    ]);
    expect(await read(store, (tx) => tx.listWebhookDeliveries({ webhookId: w.id, state: 'dead', limit: 10 }))).toHaveLength(1);
  });

  it('prunes delivered and dead rows made before a time, never pending ones', async () => {
    const { store } = get();
    const w = await seedOutbox(3, ['p1']);
    const rows = (await read(store, (tx) => tx.listWebhookDeliveries({ webhookId: w.id, limit: 10 }))).reverse();
    const [head] = await claim(store, 'n1');
    await store.tx((tx) => tx.finishWebhookDelivery(head!.id, 'n1', { delivered: true, atIso: iso(T0 + 5), status: 200 }));
    const [second] = await claim(store, 'n1');
    await store.tx((tx) => tx.finishWebhookDelivery(second!.id, 'n1', { delivered: false, atIso: iso(T0 + 6), status: 500, error: 'HTTP 500', nextAttemptAt: iso(T0 + 7), dead: true }));
    expect(await store.tx((tx) => tx.pruneWebhookDeliveries(iso(T0), 100))).toBe(0);
    expect(await store.tx((tx) => tx.pruneWebhookDeliveries(iso(T0 + 1_000), 1))).toBe(1);
    expect(await store.tx((tx) => tx.pruneWebhookDeliveries(iso(T0 + 1_000), 100))).toBe(1);
    expect((await read(store, (tx) => tx.listWebhookDeliveries({ webhookId: w.id, limit: 10 }))).map((d) => d.id)).toEqual([rows[2]!.id]);
  });

  it('never gives one row to two nodes claiming at once', async () => {
    const { nodes } = get();
    await seedOutbox(
      2,
      Array.from({ length: 30 }, (_, i) => `k${i}`),
    );
    const stores = await nodes(3);
    const claims = await Promise.all(stores.map((s, i) => claim(s, `node-${i}`, T0 + 1_000, 12)));
    const ids = claims.flat().map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(claims.flat().every((d) => JSON.parse(d.payload).n === 0)).toBe(true);
  });
}

// ---- audit trail -----------------------------------------------------------------------------

function auditContract(get: () => Store): void {
  const entry = (n: number, over: Partial<NewAuditEntry> = {}): NewAuditEntry => ({
    id: uid('aud'),
    at: iso(T0 + n * 1000),
    actorId: n % 2 ? 'acc-odd' : 'acc-even',
    actorName: 'ann “ü”',
    actorRole: 'agent',
    action: n % 3 ? 'interaction.accept' : 'admin.queue.put',
    targetType: 'interaction',
    targetId: `t-${n}`,
    details: { n, nested: { list: [1, 'x'] } },
    ip: n % 2 ? '203.0.113.9' : '::1',
    status: 200,
    ...over,
  });

  it('appends and lists newest first, with filters and paging', async () => {
    const store = get();
    const written = Array.from({ length: 7 }, (_, n) => entry(n));
    for (const e of written) await store.tx((tx) => tx.insertAuditEntry(e));
    await store.tx((tx) => tx.insertAuditEntry(entry(99, { actorId: null, actorRole: 'system', actorName: 'system', targetType: null, targetId: null, ip: null, status: null })));
    const list = await read(store, (tx) => tx.listAuditEntries({ limit: 100 }));
    expect(list.map((e) => e.targetId)).toEqual([null, 't-6', 't-5', 't-4', 't-3', 't-2', 't-1', 't-0']);
    const { seq: _seq, ...roundTripped } = list[1]!;
    expect(roundTripped).toEqual(written[6]);
    expect(list[0]).toMatchObject({ actorId: null, actorRole: 'system', ip: null, status: null });
    expect((await read(store, (tx) => tx.listAuditEntries({ actorId: 'acc-odd', limit: 100 }))).map((e) => e.targetId)).toEqual(['t-5', 't-3', 't-1']);
    expect((await read(store, (tx) => tx.listAuditEntries({ action: 'admin.', limit: 100 }))).map((e) => e.targetId)).toEqual([null, 't-6', 't-3', 't-0']);
    expect(await read(store, (tx) => tx.listAuditEntries({ action: 'admin', limit: 100 }))).toEqual([]);
    expect((await read(store, (tx) => tx.listAuditEntries({ targetId: 't-4', limit: 100 }))).map((e) => e.targetId)).toEqual(['t-4']);
    expect((await read(store, (tx) => tx.listAuditEntries({ fromIso: iso(T0 + 2000), toIso: iso(T0 + 5000), limit: 100 }))).map((e) => e.targetId)).toEqual(['t-4', 't-3', 't-2']);
    const page = await read(store, (tx) => tx.listAuditEntries({ limit: 3 }));
    const next = await read(store, (tx) => tx.listAuditEntries({ limit: 3, beforeSeq: page[2]!.seq }));
    expect(next.map((e) => e.targetId)).toEqual(['t-4', 't-3', 't-2']);
  });
}
