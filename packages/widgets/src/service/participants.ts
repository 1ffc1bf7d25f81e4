import type { ChatMessage } from './messages.js';

/**
 * Who is in the chat and who is typing: the agents (and supervisors) that joined and left, the
 * role events (`agentConnected`, `botDisconnected`…), the agent's typing (with its timeout) and
 * the customer's own typing notifications.
 */
const AGENT_TYPING_MS = 3000;
const CLIENT_TYPING_MS = 5000;

export interface Agent {
  name: string;
  connected: boolean;
  supervisor: boolean;
  connectedTime?: number;
  disconnectedTime?: number;
}

export interface ParticipantsDeps {
  publish(event: string, data?: unknown): void;
  setData(key: string, value: unknown): void;
  /** Tells the server the customer stopped typing. */
  sendTypingStopped(): void;
}

export class Participants {
  agents: Record<string, Agent> = {};
  private agentTyping: ReturnType<typeof setTimeout> | undefined;
  private clientTyping: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: ParticipantsDeps) {}

  reset(): void {
    this.agents = {};
  }

  /** Publishes the participant and typing events a message means; `live`: not a restored one. */
  observe(m: ChatMessage, live: boolean): void {
    const { publish, setData } = this.deps;
    const ft = m.from.type;
    const role = ft === 'Agent' ? 'agent' : ft === 'Supervisor' ? 'supervisor' : ft === 'Client' ? 'client' : ft === 'Bot' || ft === 'External' ? 'bot' : '';
    const joined = m.type === 'ParticipantJoined';
    if (role && (joined || m.type === 'ParticipantLeft')) {
      const pid = m.from.participantId ?? m.from.name;
      const at = m.timestamp ? Date.parse(String(m.timestamp)) || Date.now() : Date.now();
      if (role === 'agent' || role === 'supervisor') {
        const a = (this.agents[pid] ??= { name: m.from.name, connected: false, supervisor: role === 'supervisor' });
        a.connected = joined;
        if (joined) a.connectedTime = at;
        else a.disconnectedTime = at;
      }
      const numAgentsConnected = Object.values(this.agents).filter((a) => a.connected).length;
      publish(role + (joined ? 'Connected' : 'Disconnected'), { message: m, agents: this.agents, numAgentsConnected });
    }
    if (role === 'agent' && live) {
      if (m.type === 'TypingStarted') {
        clearTimeout(this.agentTyping);
        setData('agentTyping', true);
        publish('agentTypingStarted', m);
        this.agentTyping = setTimeout(() => {
          this.agentTyping = undefined;
          setData('agentTyping', false);
          publish('agentTypingTimeout', m);
        }, AGENT_TYPING_MS);
      } else if (this.agentTyping && (m.type === 'TypingStopped' || m.type === 'Message')) this.stopAgentTyping(m);
    }
  }

  stopAgentTyping(m?: ChatMessage): void {
    if (!this.agentTyping) return;
    clearTimeout(this.agentTyping);
    this.agentTyping = undefined;
    this.deps.setData('agentTyping', false);
    this.deps.publish('agentTypingStopped', m);
  }

  /** The customer typed: true when this starts a typing spell (clientTypingStarted published). */
  clientTyped(): boolean {
    clearTimeout(this.clientTyping);
    const fresh = !this.clientTyping;
    this.clientTyping = setTimeout(() => this.stopClientTyping(true), CLIENT_TYPING_MS);
    if (fresh) this.deps.publish('clientTypingStarted');
    return fresh;
  }

  /** `tellServer`: the spell timed out (the server is told); else a message or the end stopped it. */
  stopClientTyping(tellServer: boolean): void {
    if (!this.clientTyping) return;
    clearTimeout(this.clientTyping);
    this.clientTyping = undefined;
    if (tellServer) this.deps.sendTypingStopped();
    this.deps.publish('clientTypingStopped');
  }
}
