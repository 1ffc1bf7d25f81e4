import type { Conversation } from '../state/desktop.js';
import { customerName } from './names.js';
import { customerFields, type CustomerField } from './customer-fields.js';
import { SurveyResult } from './SurveyResult.js';

function Fields({ fields, label }: { fields: CustomerField[]; label?: string }) {
  if (!fields.length) return null;
  return (
    <dl class="userdata" aria-label={label}>
      {fields.map((f) => (
        <div key={f.key}>
          <dt>{f.label}</dt>
          <dd class={`value-${f.kind}`} title={f.kind === 'text' ? undefined : f.value}>
            {f.value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** Who the customer is: name and contact fields, the site's own fields, the visit, technical data folded, and the session facts. */
export function CustomerPanel({ conversation: c }: { conversation: Conversation }) {
  const d = c.details;
  const fields = customerFields(d?.session.userData ?? {});
  const others = d?.participants.filter((p) => p.type !== 'Customer' && p.type !== 'System' && p.state === 'Connected') ?? [];
  return (
    <section class="panel customer" aria-labelledby={`cust-${c.sessionId}`}>
      <h3 id={`cust-${c.sessionId}`}>Customer</h3>
      <p class="customer-name">{customerName(c)}</p>
      <Fields fields={fields.contact} />
      <Fields fields={fields.custom} />
      {fields.visit.length > 0 && (
        <>
          <h4>Visit</h4>
          <Fields fields={fields.visit} label="Visit" />
        </>
      )}
      {fields.technical.length > 0 && (
        <details class="technical">
          <summary>Technical data ({fields.technical.length})</summary>
          <Fields fields={fields.technical} label="Technical data" />
        </details>
      )}
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
      <SurveyResult sessionId={c.sessionId} ended={c.sessionEnded} />
    </section>
  );
}
