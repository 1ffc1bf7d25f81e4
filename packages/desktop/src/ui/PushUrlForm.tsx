import { useState } from 'preact/hooks';
import { useDesktop } from './context.js';
import { safeHref } from '../util/links.js';

/** Pushes an http(s) page to the customer (a PushUrl message). */
export function PushUrlForm({ sessionId, onDone }: { sessionId: string; onDone: () => void }) {
  const [desktop] = useDesktop();
  const [url, setUrl] = useState('https://');
  const [error, setError] = useState<string | null>(null);
  const id = `push-${sessionId}`;
  const submit = async () => {
    const href = safeHref(url);
    if (!href) {
      setError('Enter a full http:// or https:// address.');
      return;
    }
    if (await desktop.pushUrl(sessionId, href)) onDone();
  };
  return (
    <div class="push-url">
      <label for={id}>Page to push to the customer</label>
      <input
        id={id}
        type="url"
        value={url}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-err` : undefined}
        onInput={(e) => {
          setUrl((e.target as HTMLInputElement).value);
          setError(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void submit();
          } else if (e.key === 'Escape') onDone();
        }}
      />
      <button type="button" onClick={() => void submit()}>
        Push
      </button>
      {error && (
        <p class="form-error" id={`${id}-err`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
