import type { FoundConversation, SearchPage } from '@parley/protocol';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type SearchQuery } from '../api/client.js';
import { useDesktop } from './context.js';

const PAGE_SIZE = 20;

interface Filters {
  q: string;
  customer: string;
  from: string;
  to: string;
  queue: string;
  agentId: string;
  wrapUpCode: string;
}
const EMPTY: Filters = { q: '', customer: '', from: '', to: '', queue: '', agentId: '', wrapUpCode: '' };

/** A date input's day (local time) as the instant it starts; `nextDay` for an inclusive end. */
function dayStart(day: string, nextDay = false): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const d = new Date(`${day}T00:00:00`);
  if (nextDay) d.setDate(d.getDate() + 1);
  return d.toISOString();
}

function toQuery(f: Filters, page: number): SearchQuery {
  return {
    q: f.q.trim(),
    customer: f.customer.trim(),
    from: dayStart(f.from),
    to: dayStart(f.to, true),
    queue: f.queue,
    agentId: f.agentId,
    wrapUpCode: f.wrapUpCode,
    page,
    pageSize: PAGE_SIZE,
  };
}

/**
 * Full-text search over the conversations this account may see (the server decides which), with
 * filters and paging. Results show the customer's full name, when and where the chat ran, and a
 * preview of its last message; "Open" shows the conversation.
 */
export function SearchPanel() {
  const [desktop, state] = useDesktop();
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [page, setPage] = useState<SearchPage | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const catalogs = state.catalogs;
  useEffect(() => {
    void desktop.loadCatalog('queues');
    void desktop.loadCatalog('agents');
    void desktop.loadCatalog('wrapUpCodes');
  }, [desktop]);

  const run = async (f: Filters, pageNo: number) => {
    setBusy(true);
    try {
      setPage(await desktop.api.search(toQuery(f, pageNo)));
      setError(null);
    } catch (err) {
      if (!(err instanceof ApiError && err.httpStatus === 401)) setError(`Search failed: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const set = (k: keyof Filters) => (e: Event) => setFilters({ ...filters, [k]: (e.target as HTMLInputElement | HTMLSelectElement).value });
  const queues = [...new Set((catalogs.queues ?? []).map((q) => q.name))].sort();
  const wrapLabel = (code: string | null) => (code ? (catalogs.wrapUpCodes?.find((w) => w.code === code)?.label ?? code) : null);
  const agentName = (id: string | null) => (id ? (catalogs.agents?.find((a) => a.id === id)?.displayName ?? null) : null);

  const first = page && page.total ? page.page * page.pageSize + 1 : 0;
  const last = page ? page.page * page.pageSize + page.results.length : 0;
  return (
    <section class="search" aria-labelledby="search-title">
      <h2 id="search-title">Search conversations</h2>
      <form
        class="search-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void run(filters, 0);
        }}
      >
        <label class="search-words">
          Words
          <input type="search" value={filters.q} onInput={set('q')} placeholder="e.g. refund parcel" maxLength={500} />
        </label>
        <label>
          Customer
          <input type="text" value={filters.customer} onInput={set('customer')} placeholder="Name, e-mail or id" maxLength={200} />
        </label>
        <label>
          From
          <input type="date" value={filters.from} onInput={set('from')} />
        </label>
        <label>
          To
          <input type="date" value={filters.to} onInput={set('to')} />
        </label>
        <label>
          Queue
          <select value={filters.queue} onChange={set('queue')}>
            <option value="">Any queue</option>
            {queues.map((q) => (
              <option key={q} value={q}>
                {q}
              </option>
            ))}
          </select>
        </label>
        <label>
          Agent
          <select value={filters.agentId} onChange={set('agentId')}>
            <option value="">Any agent</option>
            {(catalogs.agents ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {a.displayName}
              </option>
            ))}
          </select>
        </label>
        <label>
          Wrap-up
          <select value={filters.wrapUpCode} onChange={set('wrapUpCode')}>
            <option value="">Any wrap-up</option>
            {(catalogs.wrapUpCodes ?? []).map((w) => (
              <option key={w.code} value={w.code}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
        <div class="row search-buttons">
          <button type="submit" class="primary" aria-busy={busy}>
            Search
          </button>
          <button
            type="button"
            onClick={() => {
              setFilters(EMPTY);
              setPage(null);
              setError(null);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <p class="muted" role="status" aria-live="polite">
        {page ? (page.total ? `Results ${first}–${last} of ${page.total}` : 'No conversation matches.') : ''}
      </p>
      {page && page.results.length > 0 && (
        <ol class="search-results" start={first}>
          {page.results.map((r) => (
            <Result key={r.id} r={r} wrapLabel={wrapLabel} agentName={agentName} onOpen={() => void desktop.open(r.id, 'agent', true)} />
          ))}
        </ol>
      )}
      {page && page.total > page.pageSize && (
        <nav class="row" aria-label="Search result pages">
          <button type="button" disabled={page.page === 0 || busy} onClick={() => void run(filters, page.page - 1)}>
            Previous page
          </button>
          <button type="button" disabled={last >= page.total || busy} onClick={() => void run(filters, page.page + 1)}>
            Next page
          </button>
        </nav>
      )}
    </section>
  );
}

function Result({ r, wrapLabel, agentName, onOpen }: { r: FoundConversation; wrapLabel: (c: string | null) => string | null; agentName: (id: string | null) => string | null; onOpen: () => void }) {
  const who = r.customer.fullName || r.customer.nickname || 'Customer';
  const latest = r.interactions.reduce<FoundConversation['interactions'][number] | undefined>((a, b) => (!a || b.createdAt > a.createdAt ? b : a), undefined);
  const details = [latest?.queue, agentName(latest?.agentAccountId ?? null), wrapLabel(latest?.wrapUpCode ?? null)].filter(Boolean).join(' · ');
  const m = r.lastMessage;
  return (
    <li class="search-result">
      <div class="row">
        <strong>{who}</strong>
        <span class="muted">{new Date(r.createdAt).toLocaleString()}</span>
        {details && <span class="muted">{details}</span>}
        <button type="button" onClick={onOpen}>
          Open<span class="visually-hidden"> conversation with {who}</span>
        </button>
      </div>
      {m && (
        <p class="preview">
          <span class="muted">{m.from.type === 'Customer' ? who : m.from.nickname || m.from.type}: </span>
          {m.text}
        </p>
      )}
    </li>
  );
}
