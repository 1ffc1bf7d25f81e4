import { linkify } from '../util/links.js';

/** Message text as text nodes; http(s) URLs become links that open in a new tab without referrer or opener. */
export function RichText({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((s, i) =>
        s.kind === 'text' ? (
          s.text
        ) : (
          <a key={i} href={s.href} target="_blank" rel="noopener noreferrer">
            {s.text}
          </a>
        ),
      )}
    </>
  );
}
