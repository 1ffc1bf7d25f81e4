import type { Conversation } from '../state/desktop.js';
import { customerName } from './names.js';

const KNOWN: [string, string][] = [
  ['FirstName', 'First name'],
  ['LastName', 'Last name'],
  ['EmailAddress', 'Email'],
  ['PhoneNumber', 'Phone'],
  ['Subject', 'Subject'],
];

/** Who the customer is: name, the known user data fields, then every other field, and the session facts. */
export function CustomerPanel({ conversation: c }: { conversation: Conversation }) {
  const d = c.details;
  const ud = d?.session.userData ?? {};
  const known = KNOWN.filter(([k]) => ud[k]);
  const other = Object.keys(ud)
    .filter((k) => !KNOWN.some(([n]) => n === k))
    .sort();
  const others = d?.participants.filter((p) => p.type !== 'Customer' && p.type !== 'System' && p.state === 'Connected') ?? [];
  return (
    <section class="panel customer" aria-labelledby={`cust-${c.sessionId}`}>
      <h3 id={`cust-${c.sessionId}`}>Customer</h3>
      <p class="customer-name">{customerName(c)}</p>
      <dl class="userdata">
        {known.map(([k, label]) => (
          <div key={k}>
            <dt>{label}</dt>
            <dd>{ud[k]}</dd>
          </div>
        ))}
        {other.map((k) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{ud[k]}</dd>
          </div>
        ))}
      </dl>
      {d && (
        <>
          <h3>Session</h3>
          <dl class="userdata">
            <div>
              <dt>Mode</dt>
              <dd>{d.session.async ? 'Asynchronous' : 'Live chat'}</dd>
            </div>
            <div>
              <dt>Website</dt>
              <dd>{d.session.deploymentId}</dd>
            </div>
            <div>
              <dt>Queue</dt>
              <dd>{c.interaction?.queue ?? d.interactions.at(-1)?.queue ?? '—'}</dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd>{new Date(d.session.createdAt).toLocaleString()}</dd>
            </div>
            <div>
              <dt>Staff in the chat</dt>
              <dd>{others.length ? others.map((p) => `${p.nickname} (${p.type})`).join(', ') : 'none'}</dd>
            </div>
          </dl>
        </>
      )}
    </section>
  );
}
