/** Wires the chat core the way app.ts does, for tests that run it without HTTP. */
import { MemoryFanout } from '../adapters/fanout-memory.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { Fanout } from '../ports/fanout.js';
import type { Store } from '../ports/store.js';
import { ChatService, defaultLimits, type ChatLimits } from './chat-service.js';
import { DomainEvents } from './domain-events.js';
import { LogWriter } from './log-writer.js';

export interface ChatCore {
  fanout: Fanout;
  clock: Clock;
  events: DomainEvents;
  writer: LogWriter;
  chat: ChatService;
}

export function chatCore(store: Store, opts: { fanout?: Fanout; clock?: Clock; limits?: ChatLimits } = {}): ChatCore {
  const fanout = opts.fanout ?? new MemoryFanout();
  const clock = opts.clock ?? systemClock;
  const events = new DomainEvents();
  const writer = new LogWriter(store, fanout, clock, events);
  return { fanout, clock, events, writer, chat: new ChatService(store, fanout, clock, writer, opts.limits ?? defaultLimits) };
}
