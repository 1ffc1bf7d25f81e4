import { createHmac } from 'node:crypto';
import { richMessageText, richOf, type Message } from '@parley/protocol';
import type { DomainEventHandler, DomainEvents } from '../core/domain-events.js';
import { ChatError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { LogTx, LogWriter } from '../core/log-writer.js';
import { parseIndex } from '../core/message-index.js';
import type { RoutingService } from '../core/routing-service.js';
import { routingOrder } from '../core/router.js';
import { botAnswerScope } from '../core/workflow-service.js';
import type { Clock } from '../ports/clock.js';
import type { Deployment, FlowRun, Interaction, Participant, Session, Store, StoreTx } from '../ports/store.js';
import { matchIntent, parseFlow, questionExtra, surveyRating, type Flow, type Step } from './definition.js';
import { recordSurvey } from '../core/survey-service.js';
import { patternMatches } from './pattern.js';
import { enqueueWebhookEvents } from '../core/webhooks/outbox.js';

type WebhookStep = Extract<Step, { webhook: unknown }>;
type Effect = { kind: 'webhook'; step: WebhookStep; stepId: string; event: 'started' | 'message'; text?: string; userData: Record<string, string>; interactionId: string } | { kind: 'routed' };

export const UI_EVENT_UPDATE_PROMOTION = 'ui-event-update-promotion';
export const UI_EVENT_CLOSE_PROMOTION = 'ui-event-close-promotion';
const MAX_STEPS_PER_TURN = 50;

/** What a bot's webhook may answer with (all optional). */
interface BotAnswer {
  replies?: (string | { text?: string; rich?: unknown })[];
  handoff?: { queue?: string; priority?: number };
  end?: boolean;
}

/**
 * Runs a deployment's flow while an interaction is in Workflow: says things, asks and collects,
 * matches intents, routes to a queue, talks to external bots through webhooks, and takes the customer
 * back from an agent to the bot (seed 004). Its state lives in the store (flow_runs), and customer
 * input is read from the log after the run's position, so any node can continue any run.
 */
export class FlowEngine {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly flows = new Map<string, { raw: string; flow: Flow }>();
  private detachers: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly writer: LogWriter,
    private readonly routing: RoutingService,
    /** A bot's reply is cut to this many characters (the chat's message limit). */
    private readonly maxMessageLength: number,
    private readonly http: typeof fetch = fetch,
    private readonly log: (msg: string, err?: unknown) => void = () => {},
    /** The deployment by id: the app answers from its DirectoryCache, so a text without a flow costs no read. */
    private readonly deploymentOf: (id: string) => Promise<Deployment | null> = (id) => store.read((tx) => tx.getDeployment(id)),
  ) {}

  /**
   * What the engine does on the domain events it subscribes to. Each queues a turn and returns at
   * once: the customer's request never waits for the bot (a webhook may take seconds); turns of one
   * session run in order. A deployment without a flow costs no transaction here: the events carry
   * its deployment and interaction.
   */
  readonly reactions: {
    SessionStarted: DomainEventHandler<'SessionStarted'>;
    CustomerTextReceived: DomainEventHandler<'CustomerTextReceived'>;
    InteractionAssigned: DomainEventHandler<'InteractionAssigned'>;
  } = {
    SessionStarted: (e) => {
      if (e.interaction.state === 'Workflow') this.enqueue(e.sessionId, () => this.advance(e.sessionId));
    },
    CustomerTextReceived: (e) => this.enqueue(e.sessionId, () => this.onCustomerText(e.sessionId, e.deploymentId, e.message)),
    InteractionAssigned: (e) => {
      if (this.flowOf(e.deployment)) this.enqueue(e.sessionId, () => this.onAgentJoined(e.sessionId));
    },
  };

  /** Subscribes the engine's reactions to the domain events. */
  attach(events: DomainEvents): void {
    this.detachers.push(
      events.on('SessionStarted', this.reactions.SessionStarted),
      events.on('CustomerTextReceived', this.reactions.CustomerTextReceived),
      events.on('InteractionAssigned', this.reactions.InteractionAssigned),
    );
  }

  detach(): void {
    for (const off of this.detachers) off();
    this.detachers = [];
  }

  private enqueue(sessionId: string, fn: () => Promise<void>): void {
    void this.serial(sessionId, fn).catch(() => undefined);
  }

  /** Resolves when every queued turn on this node has run (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.chains.size) await Promise.all([...this.chains.values()]);
  }

  /** One turn at a time per session on this node (the store keeps nodes apart). */
  private serial(sessionId: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.chains.get(sessionId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch((err) => this.log('flow turn failed', err));
    this.chains.set(sessionId, tail);
    void tail.then(() => {
      if (this.chains.get(sessionId) === tail) this.chains.delete(sessionId);
    });
    return next;
  }

  flowOf(deployment: Deployment): Flow | null {
    const raw = deployment.settings?.flow;
    if (!raw) return null;
    const key = JSON.stringify(raw);
    const cached = this.flows.get(deployment.id);
    if (cached && cached.raw === key) return cached.flow;
    const flow = parseFlow(raw);
    this.flows.set(deployment.id, { raw: key, flow });
    return flow;
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private async botParticipant(w: LogTx, session: Session, flow: Flow): Promise<Participant> {
    const existing = (await w.tx.listParticipants(session.id)).find((p) => p.type === 'Workflow' && p.state === 'Connected');
    if (existing) return existing;
    return w.addParticipant(session, {
      id: newId(),
      sessionId: session.id,
      type: 'Workflow',
      nickname: flow.botName,
      accountId: null,
      state: 'Connected',
      joinedAt: this.nowIso(),
      leftAt: null,
      cursorNum: session.lastIndexNum,
    });
  }

  private async say(w: LogTx, session: Session, flow: Flow, text: string, notice = false, extra: Partial<Message> = {}): Promise<void> {
    const bot = await this.botParticipant(w, session, flow);
    await w.append(session, { type: notice ? 'Notice' : 'Text', from: { participantId: bot.id, type: 'Workflow', nickname: bot.nickname }, visibility: 'All', text, ...extra });
  }

  /** Runs the flow as far as it goes without new input. */
  async advance(sessionId: string): Promise<void> {
    const effects = await this.writer.write(async (w) => {
      const tx = w.tx;
      const session = await tx.getSession(sessionId, true);
      if (!session || session.state !== 'Active') return [];
      const deployment = await tx.getDeployment(session.deploymentId);
      const flow = deployment ? this.flowOf(deployment) : null;
      const interaction = await tx.latestInteraction(sessionId);
      if (!flow || !deployment || !interaction || interaction.state !== 'Workflow') return [];
      let run = await tx.getFlowRun(sessionId);
      if (!run || run.interactionId !== interaction.id) {
        // Input starts where the interaction opened, not where the log stands now: the first turn
        // may run after the customer already wrote (it ran late, or another node took a later turn first).
        const openedAt = await this.openingIndexNum(tx, session, interaction);
        run = { sessionId, interactionId: interaction.id, step: run?.vars._resume ?? flow.start, waiting: null, vars: {}, lastIndexNum: openedAt, updatedAt: this.nowIso() };
      }
      const inputs = (await tx.listMessages(sessionId, { afterNum: run.lastIndexNum, visibilities: ['All'], limit: 100 })).filter((m) => m.from.type === 'Customer' && m.type === 'Text');
      run.lastIndexNum = Math.max(run.lastIndexNum, session.lastIndexNum);
      const effects = await this.execute(
        w,
        session,
        deployment,
        flow,
        interaction,
        run,
        inputs.map((m) => m.text ?? ''),
      );
      run.updatedAt = this.nowIso();
      const after = await tx.getSession(sessionId);
      run.lastIndexNum = after?.lastIndexNum ?? run.lastIndexNum;
      await tx.putFlowRun(run);
      return effects;
    });
    await this.applyEffects(sessionId, effects);
  }

  /**
   * The index of the message that opened the interaction (its first state change); the session's
   * last index when it cannot be found. Its index is at least the interaction's creation time.
   */
  private async openingIndexNum(tx: StoreTx, session: Session, interaction: Interaction): Promise<number> {
    const from = Date.parse(interaction.createdAt) * 10 - 1;
    const candidates = await tx.listMessages(session.id, { afterNum: Number.isFinite(from) ? from : 0, visibilities: ['All'], limit: 50 });
    const opening = candidates.find((m) => m.event === 'InteractionStateChange' && m.interactionId === interaction.id);
    return opening ? parseIndex(opening.index)! : session.lastIndexNum;
  }

  private async execute(w: LogTx, session: Session, deployment: Deployment, flow: Flow, interaction: Interaction, run: FlowRun, inputs: string[]): Promise<Effect[]> {
    const effects: Effect[] = [];
    for (let guard = 0; guard < MAX_STEPS_PER_TURN; guard++) {
      const step = flow.steps[run.step];
      if (!step) throw new ChatError('CONFLICT', `flow ${flow.id} has no step ${run.step}`);
      if (run.waiting === 'bot' && 'webhook' in step) {
        for (const text of inputs.splice(0)) effects.push({ kind: 'webhook', step, stepId: run.step, event: 'message', text, userData: session.userData, interactionId: interaction.id });
        return effects;
      }
      if (run.waiting === 'answer') {
        const answer = inputs.shift();
        if (answer === undefined) return effects;
        if ('survey' in step) {
          const rating = surveyRating(answer);
          // not a rating: asked again (a customer who wants something else says so after it)
          if (rating === null) {
            await this.say(w, session, flow, step.survey, false, questionExtra(step));
            continue;
          }
          await recordSurvey(w.tx, session.id, { rating, comment: '' }, this.clock.now());
          if (step.thanks) await this.say(w, session, flow, step.thanks);
          run.waiting = null;
          if (!step.next) return this.finish(w, session, flow, interaction, run, effects);
          run.step = step.next;
          continue;
        }
        if (!('ask' in step) && !('listen' in step)) throw new ChatError('CONFLICT', `step ${run.step} does not wait for an answer`);
        if ('ask' in step && step.validate && !patternMatches(step.validate, answer)) {
          await this.say(w, session, flow, step.invalid ?? step.ask, false, questionExtra(step));
          continue;
        }
        if ('ask' in step && step.save) {
          run.vars[step.save] = answer;
          session.userData = { ...session.userData, [step.save]: answer };
          await w.setUserData(session, session.userData);
        }
        const hit = matchIntent(step.intents, answer);
        run.waiting = null;
        const next = hit?.next ?? ('next' in step ? step.next : undefined) ?? step.fallback;
        if (!next) return this.finish(w, session, flow, interaction, run, effects);
        if (hit) run.vars.lastIntent = hit.name;
        run.step = next;
        continue;
      }
      if ('say' in step && !('route' in step) && !('end' in step)) {
        await this.say(w, session, flow, step.say, step.notice);
        if (!step.next) return this.finish(w, session, flow, interaction, run, effects);
        run.step = step.next;
      } else if ('ask' in step) {
        if (step.skipIfKnown && step.save && session.userData[step.save] && step.next) {
          run.vars[step.save] = session.userData[step.save]!;
          run.step = step.next;
          continue;
        }
        await this.say(w, session, flow, step.ask, false, questionExtra(step));
        run.waiting = 'answer';
      } else if ('listen' in step) {
        run.waiting = 'answer';
      } else if ('survey' in step) {
        await this.say(w, session, flow, step.survey, false, questionExtra(step));
        run.waiting = 'answer';
      } else if ('set' in step) {
        session.userData = { ...session.userData, ...step.set };
        await w.setUserData(session, session.userData);
        run.step = step.next;
      } else if ('route' in step) {
        if (step.say) await this.say(w, session, flow, step.say);
        const queue = (await w.tx.getQueue(deployment.id, step.route.queue)) ? step.route.queue : deployment.defaultQueue;
        await w.transition(session, interaction, 'Queued', { queue, priority: step.route.priority, skills: step.route.skills, language: step.route.language, declinedBy: [] });
        effects.push({ kind: 'routed' });
        return effects;
      } else if ('webhook' in step) {
        run.waiting = 'bot';
        effects.push({ kind: 'webhook', step, stepId: run.step, event: 'started', userData: session.userData, interactionId: interaction.id });
        for (const text of inputs.splice(0)) effects.push({ kind: 'webhook', step, stepId: run.step, event: 'message', text, userData: session.userData, interactionId: interaction.id });
        return effects;
      } else if ('end' in step) {
        if (step.say) await this.say(w, session, flow, step.say);
        return this.finish(w, session, flow, interaction, run, effects);
      }
    }
    throw new ChatError('CONFLICT', `flow ${flow.id} ran ${MAX_STEPS_PER_TURN} steps without waiting; check it for a loop`);
  }

  private async finish(w: LogTx, session: Session, _flow: Flow, interaction: Interaction, run: FlowRun, effects: Effect[]): Promise<Effect[]> {
    await w.transition(session, interaction, 'Completed');
    run.waiting = null;
    if (!session.async) await w.endSession(session);
    return effects;
  }

  private async applyEffects(sessionId: string, effects: Effect[]): Promise<void> {
    for (const e of effects) {
      if (e.kind === 'routed') {
        void this.routing.kick();
      } else {
        const answer = await this.callWebhook(sessionId, e);
        if (answer === 'failed') {
          await this.botFailed(sessionId, e);
          return;
        }
        if (answer) await this.applyBotAnswer(sessionId, answer);
      }
    }
  }

  /** Posts an event to the external bot, retrying; returns its answer, or 'failed' after the last try. */
  private async callWebhook(sessionId: string, e: Extract<Effect, { kind: 'webhook' }>): Promise<BotAnswer | null | 'failed'> {
    const body = JSON.stringify({ event: e.event, sessionId, interactionId: e.interactionId, text: e.text, userData: e.userData, reply: `/workflow/v1/sessions/${sessionId}/message` });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (e.step.webhook.secret) headers['x-parley-signature'] = `sha256=${createHmac('sha256', e.step.webhook.secret).update(body).digest('hex')}`;
    for (let attempt = 0; attempt <= e.step.webhook.retries; attempt++) {
      try {
        const res = await this.http(e.step.webhook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(e.step.webhook.timeoutMs) });
        if (res.ok) {
          const text = await res.text();
          if (!text) return null;
          try {
            return JSON.parse(text) as BotAnswer;
          } catch {
            return null;
          }
        }
        if (res.status < 500 && res.status !== 429) break;
      } catch (err) {
        this.log(`webhook ${e.step.webhook.url} attempt ${attempt + 1} failed`, err);
      }
      if (attempt < e.step.webhook.retries) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
    return 'failed';
  }

  /** The bot did not answer: the flow goes on at the step's fallback (usually a route to a queue). */
  private async botFailed(sessionId: string, e: Extract<Effect, { kind: 'webhook' }>): Promise<void> {
    await this.store.tx(async (tx) => {
      const run = await tx.getFlowRun(sessionId);
      if (!run || run.interactionId !== e.interactionId || run.step !== e.stepId) return;
      await tx.putFlowRun({ ...run, step: e.step.fallback, waiting: null, updatedAt: this.nowIso() });
    });
    await this.advance(sessionId);
  }

  /**
   * Applies a bot's answer (from its webhook, or the workflow API's bot-reply). With an
   * `operationId` it is applied once: the record is written in the same transaction.
   */
  async applyBotAnswer(sessionId: string, answer: BotAnswer, operationId?: string): Promise<void> {
    const applied = await this.writer.write(
      async (w) => {
        const tx = w.tx;
        const session = await tx.getSession(sessionId, true);
        if (!session || session.state !== 'Active') return { routed: false };
        const deployment = (await tx.getDeployment(session.deploymentId))!;
        const flow = this.flowOf(deployment);
        const interaction = await tx.latestInteraction(sessionId);
        if (!flow || !interaction || interaction.state !== 'Workflow') return { routed: false };
        for (const r of answer.replies ?? []) {
          // A reply may carry rich content (docs/rich-messages.md); what does not parse is dropped, the text kept.
          const rich = typeof r === 'string' ? null : richOf({ rich: r?.rich });
          const text = typeof r === 'string' ? r : rich ? richMessageText(r?.text, rich) : r?.text;
          if (typeof text === 'string' && text.trim()) await this.say(w, session, flow, text.slice(0, this.maxMessageLength), false, rich ? { data: { rich } } : {});
        }
        if (answer.handoff) {
          const queue = answer.handoff.queue && (await tx.getQueue(deployment.id, answer.handoff.queue)) ? answer.handoff.queue : deployment.defaultQueue;
          await w.transition(session, interaction, 'Queued', { queue, priority: Math.max(0, Math.min(10, answer.handoff.priority ?? 0)) });
          return { routed: true };
        }
        if (answer.end) {
          const run = await tx.getFlowRun(sessionId);
          if (run) await this.finish(w, session, flow, interaction, run, []);
        }
        return { routed: false };
      },
      { scope: botAnswerScope(sessionId), operationId },
    );
    if (applied.routed) void this.routing.kick();
  }

  /** A customer's text: the flow's turn while the bot has the interaction, the way back to it while an agent has it. */
  private async onCustomerText(sessionId: string, deploymentId: string, message: Message): Promise<void> {
    const deployment = await this.deploymentOf(deploymentId);
    const flow = deployment ? this.flowOf(deployment) : null;
    if (!flow) return;
    const interaction = await this.store.read((tx) => tx.latestInteraction(sessionId));
    if (interaction?.state === 'Workflow') await this.advance(sessionId);
    else if (interaction?.state === 'Handling' && sameWords(message.text ?? '', flow.backToBotPhrase)) await this.onBackToBotPhrase(sessionId, message);
  }

  /** The customer said the back-to-bot phrase to an agent: the agent's interaction closes and the bot takes over again. */
  private async onBackToBotPhrase(sessionId: string, message: Message): Promise<void> {
    await this.writer.write(async (w) => {
      const session = await w.tx.getSession(sessionId, true);
      if (!session || session.state !== 'Active') return;
      const deployment = await w.tx.getDeployment(session.deploymentId);
      const flow = deployment ? this.flowOf(deployment) : null;
      const interaction = await w.tx.latestInteraction(sessionId);
      if (!flow || !deployment || interaction?.state !== 'Handling' || !sameWords(message.text ?? '', flow.backToBotPhrase)) return;
      await this.backToBot(w, session, deployment, flow, interaction, 'The customer asked to go back to the bot.', parseIndex(message.index)!);
    });
    await this.advance(sessionId);
  }

  /**
   * Seed 004: the agent interaction is closed through the ticket API's close, the agent is told,
   * the banner goes, and the bot's journey resumes in a new Workflow interaction.
   */
  private async backToBot(w: LogTx, session: Session, deployment: Deployment, flow: Flow, interaction: Interaction, comment: string, consumedUpTo: number): Promise<void> {
    await this.closeTicketIn(w, session, interaction, comment, 'customer-back-to-bot');
    await w.appendSystem(session, { type: 'Notice', visibility: 'All', event: UI_EVENT_CLOSE_PROMOTION, data: {}, subtype: 'UiEvent' });
    const next = await w.openInteraction(session, deployment, { state: 'Workflow', queue: interaction.queue });
    const after = await w.tx.getSession(session.id);
    await w.tx.putFlowRun({
      sessionId: session.id,
      interactionId: next.id,
      step: flow.resume ?? flow.start,
      waiting: null,
      vars: {},
      lastIndexNum: Math.max(consumedUpTo, after?.lastIndexNum ?? 0),
      updatedAt: this.nowIso(),
    });
  }

  /** Closes a ticket (an interaction) whatever its state, telling the agent why. */
  private async closeTicketIn(w: LogTx, session: Session, interaction: Interaction, comment: string, wrapUpCode: string): Promise<Interaction> {
    let current = interaction;
    if (current.state === 'Completed') throw new ChatError('CONFLICT', 'the ticket is already closed');
    await w.appendSystem(session, { type: 'Notice', visibility: 'Int', text: `Ticket closed: ${comment}`, subtype: 'TicketClosed' });
    if (current.agentAccountId) {
      const agent = await w.tx.getAccount(current.agentAccountId);
      if (agent && current.state !== 'Offered') await w.leaveIfConnected(session, agent);
    }
    if (current.state === 'Handling') current = await w.transition(session, current, 'Finalizing');
    const closed = await w.transition(session, current, 'Completed', { wrapUpCode });
    await enqueueWebhookEvents(w.tx, { type: 'ticket.closed', interaction: closed, comment, at: closed.updatedAt });
    return closed;
  }

  async closeTicket(ticketId: string, comment: string): Promise<Interaction> {
    return this.writer.write(async (w) => {
      const interaction = await w.tx.getInteraction(ticketId, true);
      if (!interaction) throw new ChatError('NOT_FOUND', 'ticket not found');
      const session = await w.tx.getSession(interaction.sessionId, true);
      if (!session) throw new ChatError('NOT_FOUND', 'session not found');
      return this.closeTicketIn(w, session, interaction, comment, 'closed-by-api');
    });
  }

  /** When an agent joins a routed interaction, the route step's banner is shown (seed 004). */
  private async onAgentJoined(sessionId: string): Promise<void> {
    await this.writer.write(async (w) => {
      const session = await w.tx.getSession(sessionId, true);
      if (!session) return;
      const deployment = await w.tx.getDeployment(session.deploymentId);
      const flow = deployment ? this.flowOf(deployment) : null;
      const run = await w.tx.getFlowRun(sessionId);
      const step = run && flow ? flow.steps[run.step] : undefined;
      if (!step || !('route' in step) || !step.onAgentJoin) return;
      await w.appendSystem(session, { type: 'Notice', visibility: 'All', event: UI_EVENT_UPDATE_PROMOTION, data: step.onAgentJoin.promotion, subtype: 'UiEvent' });
    });
  }

  /**
   * Periodic: tells customers waiting in a queue where they stand when it changes. Only sessions
   * whose current flow step asks for updates pay for anything; positions come from one sorted list
   * per queue, and the estimate is computed only for positions that changed.
   */
  async sendQueueUpdates(): Promise<void> {
    const changed = await this.store.tx(async (tx) => {
      const waiting = await tx.listInteractions({ states: ['Queued', 'Offered'] });
      const byQueue = new Map<string, Interaction[]>();
      for (const i of waiting) {
        const key = `${i.deploymentId}\u0000${i.queue}`;
        byQueue.set(key, [...(byQueue.get(key) ?? []), i]);
      }
      for (const list of byQueue.values()) list.sort(routingOrder);
      const flows = new Map<string, Flow | null>();
      const out: { sessionId: string; position: number }[] = [];
      for (const i of waiting) {
        if (i.state !== 'Queued') continue;
        if (!flows.has(i.deploymentId)) {
          const d = await tx.getDeployment(i.deploymentId);
          flows.set(i.deploymentId, d ? this.flowOf(d) : null);
        }
        const flow = flows.get(i.deploymentId);
        if (!flow) continue;
        const run = await tx.getFlowRun(i.sessionId);
        const step = run ? flow.steps[run.step] : undefined;
        if (!run || !step || !('route' in step) || !step.positionUpdates) continue;
        const position = byQueue.get(`${i.deploymentId}\u0000${i.queue}`)!.indexOf(i) + 1;
        if (run.vars._position !== String(position)) out.push({ sessionId: i.sessionId, position });
      }
      return out;
    });
    for (const { sessionId, position } of changed.slice(0, 500)) {
      const pos = await this.routing.queuePosition(sessionId).catch(() => null);
      if (!pos || pos.position === null) continue;
      const place = pos.position;
      await this.writer.write(async (w) => {
        const tx = w.tx;
        const session = await tx.getSession(sessionId, true);
        const run = await tx.getFlowRun(sessionId);
        const deployment = session ? await tx.getDeployment(session.deploymentId) : null;
        const flow = deployment ? this.flowOf(deployment) : null;
        if (!session || session.state !== 'Active' || !run || !flow || run.vars._position === String(position)) return;
        await this.say(w, session, flow, queuePositionText(place, pos.estimatedWaitSeconds), true, {
          subtype: 'QueuePosition',
          data: { position: pos.position, estimatedWaitSeconds: pos.estimatedWaitSeconds },
        });
        await tx.putFlowRun({ ...run, vars: { ...run.vars, _position: String(pos.position) } });
      });
    }
  }
}

/** Whether two texts are the same words (case, spaces and punctuation aside). */
function sameWords(a: string, b: string): boolean {
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/[\s.!?,;:'"]+/g, ' ')
      .trim();
  return norm(a) === norm(b);
}

/** The queue update a waiting customer reads: an estimate only when agents serve the queue (never "about 1 minute" with no one there). */
export function queuePositionText(position: number, estimatedWaitSeconds: number | null): string {
  if (estimatedWaitSeconds === null) return `You are number ${position} in the queue. No agent is available right now; the first one free will answer you here.`;
  const minutes = Math.max(1, Math.round(estimatedWaitSeconds / 60));
  return `You are number ${position} in the queue. Estimated wait: about ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}
