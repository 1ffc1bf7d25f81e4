import type { ContactView } from '@parley/protocol';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { Conversation } from '../state/desktop.js';
import { useDesktop } from './context.js';

const KEY_LABELS = { customerId: 'Customer id', email: 'Email' } as const;

/**
 * The customer across conversations: the contact (by the customer id or e-mail the customer's page
 * gave), their other conversations (open one to read it, where allowed) and notes that persist.
 */
export function ContactPanel({ conversation: c }: { conversation: Conversation }) {
  const [desktop, state] = useDesktop();
  const [view, setView] = useState<ContactView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    let live = true;
    void desktop.loadCatalog('wrapUpCodes');
    void desktop.loadCatalog('agents');
    desktop.api.contact(c.sessionId).then(
      (v) => live && setView(v),
      (err) => live && !(err instanceof ApiError && err.httpStatus === 401) && setError(`The contact could not be loaded: ${(err as Error).message}`),
    );
    return () => {
      live = false;
    };
  }, [desktop, c.sessionId]);

  const save = async () => {
    const text = note.trim();
    if (!text || !view?.contact) return;
    setSaving(true);
    try {
      const { note: saved } = await desktop.api.addContactNote(c.sessionId, text);
      setView({ contact: { ...view.contact, notes: [saved, ...view.contact.notes] } });
      setNote('');
      setError(null);
    } catch (err) {
      setError(`The note could not be saved: ${(err as Error).message}`);
    } finally {
      setSaving(false);
    }
  };

  const wrapLabel = (code: string | null) => (code ? (state.catalogs.wrapUpCodes?.find((w) => w.code === code)?.label ?? code) : null);
  const agentName = (id: string | null) => (id ? (state.catalogs.agents?.find((a) => a.id === id)?.displayName ?? null) : null);
  const contact = view?.contact;
  const past = contact?.sessions.filter((s) => s.id !== c.sessionId) ?? [];
  const titleId = `contact-${c.sessionId}`;
  return (
    <section class="panel contact" aria-labelledby={titleId}>
      <h3 id={titleId}>Contact</h3>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {!view ? (
        !error && <p class="muted">Loading…</p>
      ) : !contact ? (
        <p class="muted">No contact: the customer gave no customer id or e-mail.</p>
      ) : (
        <>
          <dl class="userdata">
            {contact.keys.map((k) => (
              <div key={`${k.kind}:${k.value}`}>
                <dt>{KEY_LABELS[k.kind]}</dt>
                <dd class={k.kind === 'email' ? 'value-email' : undefined}>{k.value}</dd>
              </div>
            ))}
          </dl>
          <h4>Past conversations ({past.length})</h4>
          {past.length === 0 ? (
            <p class="muted">This is the first conversation.</p>
          ) : (
            <ul class="contact-sessions">
              {past.map((s) => {
                const last = s.interactions.at(-1);
                const facts = [last?.queue, agentName(last?.agentAccountId ?? null), wrapLabel(last?.wrapUpCode ?? null)].filter(Boolean).join(' · ');
                const when = new Date(s.createdAt).toLocaleString();
                return (
                  <li key={s.id}>
                    <span>{when}</span> {facts && <span class="muted">{facts}</span>}{' '}
                    <button type="button" class="link-button" onClick={() => void desktop.open(s.id, 'agent', true)}>
                      Open<span class="visually-hidden"> the conversation of {when}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
          <h4>Notes</h4>
          <form
            class="contact-note-form"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <label for={`note-${c.sessionId}`} class="visually-hidden">
              New note on this contact
            </label>
            <textarea
              id={`note-${c.sessionId}`}
              rows={2}
              maxLength={2000}
              value={note}
              placeholder="A note for every agent who talks to this customer"
              onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)}
            />
            <button type="submit" disabled={!note.trim() || saving} aria-busy={saving}>
              Save contact note
            </button>
          </form>
          {contact.notes.length > 0 && (
            <ul class="contact-notes">
              {contact.notes.map((n) => (
                <li key={n.id}>
                  <p class="note-text">{n.text}</p>
                  <p class="muted">
                    {n.authorName} · {new Date(n.createdAt).toLocaleString()}
                  </p>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
