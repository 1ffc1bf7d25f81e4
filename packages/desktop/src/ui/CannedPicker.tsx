import { useEffect, useRef, useState } from 'preact/hooks';
import { useDesktop } from './context.js';

/** Search and insert a canned response into the composer. Arrow keys move, Enter inserts, Escape closes. */
export function CannedPicker({ id, onPick, onClose }: { id: string; onPick: (text: string) => void; onClose: () => void }) {
  const [desktop, state] = useDesktop();
  const [filter, setFilter] = useState('');
  const [cursor, setCursor] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    void desktop.loadCatalog('cannedResponses');
    input.current?.focus();
  }, [desktop]);
  const all = state.catalogs.cannedResponses;
  const q = filter.trim().toLowerCase();
  const list = (all ?? []).filter((r) => !q || r.title.toLowerCase().includes(q) || r.text.toLowerCase().includes(q));
  const at = Math.min(cursor, Math.max(0, list.length - 1));

  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') setCursor(Math.min(at + 1, list.length - 1));
    else if (e.key === 'ArrowUp') setCursor(Math.max(at - 1, 0));
    else if (e.key === 'Enter') {
      // Never submits the composer: Enter here only picks.
      if (list[at]) onPick(list[at].text);
    } else if (e.key === 'Escape') onClose();
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <div class="picker" id={id}>
      <label for={`${id}-filter`}>Search canned responses</label>
      <input
        id={`${id}-filter`}
        ref={input}
        value={filter}
        role="combobox"
        aria-expanded="true"
        aria-controls={`${id}-list`}
        aria-activedescendant={list[at] ? `${id}-opt-${list[at].id}` : undefined}
        autoComplete="off"
        onInput={(e) => {
          setFilter((e.target as HTMLInputElement).value);
          setCursor(0);
        }}
        onKeyDown={onKey}
      />
      {all === null ? (
        <p class="muted">Loading…</p>
      ) : list.length === 0 ? (
        <p class="muted">{all.length ? 'No canned response matches.' : 'No canned responses are set up.'}</p>
      ) : (
        <ul class="options" role="listbox" id={`${id}-list`} aria-label="Canned responses">
          {list.map((r, i) => (
            <li
              key={r.id}
              id={`${id}-opt-${r.id}`}
              role="option"
              aria-selected={i === at}
              class={i === at ? 'option active' : 'option'}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => onPick(r.text)}
            >
              <strong>{r.title}</strong>
              <span class="muted"> {r.text}</span>
            </li>
          ))}
        </ul>
      )}
      <button type="button" class="link-button" onClick={onClose}>
        Close
      </button>
    </div>
  );
}
