import type { RawMessage } from '../transports/transport.js';
import { indexNum, normalize, type ChatMessage } from './messages.js';

/**
 * The messages of the current session as WebChatService holds them: each index once, in log
 * order, through the page's prefilters and preprocessors; the newest index delivered (the poll
 * cursor) and the oldest held (where fetchHistory continues).
 */
export interface IngestOptions {
  restoring?: boolean;
  /** An older page (fetchHistory). */
  old?: boolean;
  polled?: boolean;
}

export class SessionTranscript {
  messages: ChatMessage[] = [];
  originals: RawMessage[] = [];
  /** Newest index delivered by polls or restore. */
  cursor: string | undefined;
  /** Oldest index held (fetchHistory pages before it). */
  oldest: string | undefined;
  historyDone = true;
  private seen = new Set<number>();
  readonly prefilters: RegExp[] = [];
  readonly preprocessors: ((m: ChatMessage) => ChatMessage)[] = [];

  constructor(private readonly fileUrl: (u: string) => string) {}

  reset(): void {
    this.messages = [];
    this.originals = [];
    this.seen = new Set();
    this.cursor = this.oldest = undefined;
    this.historyDone = true;
  }

  /** Takes what a read returned; answers the messages not seen before (raw and normalised), or null. */
  ingest(raws: RawMessage[], how: IngestOptions): { fresh: RawMessage[]; messages: ChatMessage[] } | null {
    if (how.polled || how.restoring) {
      const newest = raws.reduce<RawMessage | undefined>((a, r) => (!a || indexNum(r.index) > indexNum(a.index) ? r : a), undefined);
      if (newest && (this.cursor === undefined || indexNum(newest.index) > indexNum(this.cursor))) this.cursor = String(newest.index);
    }
    if ((how.old || how.restoring) && raws[0] && (this.oldest === undefined || indexNum(raws[0].index) < indexNum(this.oldest))) this.oldest = String(raws[0].index);
    const fresh = raws.filter((r) => r && !this.seen.has(indexNum(r.index)) && this.seen.add(indexNum(r.index)));
    if (!fresh.length) return null;
    this.originals = [...this.originals, ...fresh].sort((a, b) => indexNum(a.index) - indexNum(b.index));
    let messages = fresh.map((r) => normalize(r, this.fileUrl));
    messages = messages.filter((m) => !(typeof m.text === 'string' && this.prefilters.some((re) => ((re.lastIndex = 0), re.test(m.text!)))));
    for (const preprocess of this.preprocessors) {
      messages = messages.map((m) => {
        try {
          return preprocess(m) ?? m;
        } catch (err) {
          console.error('[WebChatService] preprocessor failed', err);
          return m;
        }
      });
    }
    this.messages = [...this.messages, ...messages.filter((m) => !/^Typing/.test(m.type))].sort((a, b) => a.index - b.index);
    return { fresh, messages };
  }
}
