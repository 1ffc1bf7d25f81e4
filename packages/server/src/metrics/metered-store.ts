import { ChatError } from '../core/errors.js';
import { StoreUnavailableError, type Store, type StoreTx } from '../ports/store.js';
import type { ParleyMetrics } from './registry.js';

/** What one transaction attempt wrote that the metrics count once it commits. */
interface Writes {
  messages: string[];
  sessions: boolean[];
  offers: number;
  accepts: number;
}

/**
 * The store, timed: each transaction's duration and outcome, store failures, and what committed
 * transactions wrote (messages, sessions, offers, accepts). An attempt the adapter retries starts
 * its count again, so a retried write is counted once.
 */
export function meteredStore(store: Store, metrics: ParleyMetrics): Store {
  return {
    async tx<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
      const end = metrics.storeTxDuration.startTimer();
      let writes: Writes = { messages: [], sessions: [], offers: 0, accepts: 0 };
      try {
        const result = await store.tx((tx) => {
          writes = { messages: [], sessions: [], offers: 0, accepts: 0 };
          return fn(countingTx(tx, writes));
        });
        end({ outcome: 'committed' });
        for (const type of writes.messages) metrics.messagesPersisted.inc({ type });
        for (const async of writes.sessions) metrics.sessionsStarted.inc({ kind: async ? 'async' : 'sync' });
        if (writes.offers) metrics.offers.inc(writes.offers);
        if (writes.accepts) metrics.accepts.inc(writes.accepts);
        return result;
      } catch (err) {
        // A ChatError is the use case saying no (conflict, not found): the store did its job.
        if (err instanceof ChatError) end({ outcome: 'rolled_back' });
        else {
          const kind = err instanceof StoreUnavailableError ? 'unavailable' : 'failed';
          end({ outcome: kind });
          metrics.storeErrors.inc({ kind });
        }
        throw err;
      }
    },
    async read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
      try {
        return await store.read(fn);
      } catch (err) {
        if (!(err instanceof ChatError)) metrics.storeErrors.inc({ kind: err instanceof StoreUnavailableError ? 'unavailable' : 'failed' });
        throw err;
      }
    },
    close: () => store.close(),
    ...(store.work ? { work: store.work } : {}),
  };
}

function countingTx(tx: StoreTx, writes: Writes): StoreTx {
  return new Proxy(tx, {
    get(target, prop, receiver) {
      if (prop === 'insertMessage') {
        return async (...args: Parameters<StoreTx['insertMessage']>) => {
          await target.insertMessage(...args);
          writes.messages.push(args[0].type);
        };
      }
      if (prop === 'insertSession') {
        return async (...args: Parameters<StoreTx['insertSession']>) => {
          await target.insertSession(...args);
          writes.sessions.push(args[0].async);
        };
      }
      if (prop === 'updateInteraction') {
        return async (...args: Parameters<StoreTx['updateInteraction']>) => {
          const ok = await target.updateInteraction(...args);
          const [, from, patch] = args;
          if (ok && patch.state === 'Offered') writes.offers++;
          if (ok && patch.state === 'Handling' && (from === 'Queued' || from === 'Offered')) writes.accepts++;
          return ok;
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
