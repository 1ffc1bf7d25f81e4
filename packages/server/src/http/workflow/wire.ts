import type { Message, WorkflowMessage, WorkflowSession, WorkflowTicket } from '@parley/protocol';
import type { Interaction } from '../../core/types.js';
import type { WorkflowSessionView } from '../../core/workflow-service.js';

/**
 * Internal model -> the workflow API's wire shapes (@parley/protocol workflow-api). Every field is
 * picked by name: a field added to the internal model stays off this wire until it is added here
 * and to the protocol schema.
 */

export const toWorkflowTicket = (i: Interaction): WorkflowTicket => ({
  id: i.id,
  sessionId: i.sessionId,
  deploymentId: i.deploymentId,
  state: i.state,
  queue: i.queue,
  priority: i.priority,
  agentAccountId: i.agentAccountId,
  wrapUpCode: i.wrapUpCode,
  createdAt: i.createdAt,
  updatedAt: i.updatedAt,
  completedAt: i.completedAt,
  skills: [...i.skills],
  language: i.language,
});

/** The session with its attached data, plus `IsOnline` and `ChatServerAppName` as seed 002 reads them. */
export const toWorkflowSession = (view: WorkflowSessionView): WorkflowSession => ({
  sessionId: view.session.id,
  state: view.session.state,
  async: view.session.async,
  userData: { ...view.session.userData, IsOnline: view.online ? '1' : '0', ChatServerAppName: view.serverAppName },
  interactions: view.interactions.map(toWorkflowTicket),
});

export function toWorkflowMessage(m: Message): WorkflowMessage {
  const out: WorkflowMessage = {
    id: m.id,
    index: m.index,
    streamId: m.index,
    utcTime: m.utcTime,
    visibility: m.visibility,
    type: m.type,
    // Workflows and bots are `External` senders to Genesys workflow code.
    from: { participantId: m.from.participantId, type: m.from.type === 'Workflow' ? 'External' : m.from.type },
  };
  if (m.from.nickname !== undefined) out.from.nickname = m.from.nickname;
  if (m.text !== undefined) out.text = m.text;
  if (m.url !== undefined) out.url = m.url;
  if (m.content !== undefined)
    out.content = m.content.map((a) => ({ type: a.type, mime: a.mime, url: a.url, ...(a.name !== undefined ? { name: a.name } : {}), ...(a.size !== undefined ? { size: a.size } : {}) }));
  if (m.event !== undefined) out.event = m.event;
  if (m.data !== undefined) out.data = m.data;
  return out;
}
