import type { Clock } from '../ports/clock.js';
import type { IdlePolicy, Interaction, Session, SilentAfter, Store, StoreTx } from '../ports/store.js';
import type { Leadership } from './leadership.js';
import type { LogTx, LogWriter } from './log-writer.js';

/** Sessions remembered as alerted, at most (the oldest goes first). */
const MAX_REMEMBERED_ALERTS = 10_000;

/** What the session's clocks make due under the policy (the interaction's state is checked in the write). */
function dueFor(s: Session, policy: IdlePolicy, now: number): 'close-async' | 'close' | 'alert' | null {
  const silentFor = (now - Date.parse(s.lastCustomerAt)) / 1000;
  const inactiveFor = (now - Date.parse(s.lastActivityAt)) / 1000;
  if (s.async) return policy.asyncCloseAfterSeconds > 0 && inactiveFor >= policy.asyncCloseAfterSeconds ? 'close-async' : null;
  if (policy.closeAfterSeconds > 0 && silentFor >= policy.closeAfterSeconds) return 'close';
  if (policy.alertAfterSeconds > 0 && silentFor >= policy.alertAfterSeconds) return 'alert';
  return null;
}

/** Only while someone (agent or bot) is with the customer: waiting in a queue is not idling. */
function withSomeone(interaction: Interaction | null): boolean {
  return interaction !== null && (interaction.state === 'Handling' || interaction.state === 'Workflow');
}

/**
 * Idle control: a synchronous chat whose customer stays silent gets an alert notice, then is closed;
 * an asynchronous session with no activity at all is closed after a long time. Timings come from
 * the deployment's `settings.idle`; the clock is injected so tests can jump it.
 */
export class IdleControl {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly writer: LogWriter,
  ) {}

  /** Sweeps every `everyMs`; with `leadership`, only while this node leads. */
  start(everyMs = 5_000, leadership?: Leadership): void {
    const tick = async () => {
      if (!leadership || (await leadership.leads())) await this.sweep();
    };
    this.timer = setInterval(() => void tick().catch(() => undefined), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Sessions found already alerted (on this node), with the customer's clock they were alerted for:
   * not looked at again until the customer writes or the close is due.
   */
  private readonly alerted = new Map<string, string>();

  /** Candidates read per page, and at most per pass. */
  pageSize = 500;
  maxPerPass = 5_000;
  /** Where the last pass stopped (it had read `maxPerPass`): the next one goes on from there. */
  private resumeAfter: SilentAfter | undefined;

  /**
   * One pass; returns the ids of sessions alerted and closed. The candidates and their deployments'
   * policies are read without a transaction, and what is due is decided from their clocks: only a
   * session with an alert or a close due gets a write (which checks again under the session's lock).
   * Candidates come in pages by the customer's clock; a pass reads at most `maxPerPass` of them and
   * the next goes on after the last, so sessions that are silent but not due (waiting in a queue,
   * already alerted) never keep the others from being looked at.
   */
  async sweep(): Promise<{ alerted: string[]; closed: string[] }> {
    const now = this.clock.now();
    const alerted: string[] = [];
    const closed: string[] = [];
    const policies = new Map<string, IdlePolicy | undefined>();
    const policyOf = async (deploymentId: string) => {
      if (!policies.has(deploymentId)) policies.set(deploymentId, (await this.store.read((tx) => tx.getDeployment(deploymentId)))?.settings?.idle);
      return policies.get(deploymentId);
    };
    const silentBefore = new Date(now - 1000).toISOString();
    const fromStart = this.resumeAfter === undefined;
    const stillSilent = new Set<string>();
    for (let read = 0; read < this.maxPerPass;) {
      const page = await this.store.read((tx) => tx.listSessionsCustomerSilentSince(silentBefore, this.pageSize, this.resumeAfter));
      read += page.length;
      const last = page.at(-1);
      this.resumeAfter = page.length === this.pageSize && last ? { lastCustomerAt: last.lastCustomerAt, id: last.id } : undefined;
      for (const candidate of page) {
        stillSilent.add(candidate.id);
        const outcome = await this.consider(candidate, await policyOf(candidate.deploymentId), now);
        if (outcome === 'alerted' || outcome === 'already-alerted') {
          this.alerted.set(candidate.id, candidate.lastCustomerAt);
          if (this.alerted.size > MAX_REMEMBERED_ALERTS) this.alerted.delete(this.alerted.keys().next().value!);
        }
        if (outcome === 'alerted') alerted.push(candidate.id);
        if (outcome === 'closed') closed.push(candidate.id);
      }
      if (!this.resumeAfter) {
        // Every silent session was seen in this pass: the remembered alerts of the others are stale.
        if (fromStart) for (const id of this.alerted.keys()) if (!stillSilent.has(id)) this.alerted.delete(id);
        break;
      }
    }
    return { alerted, closed };
  }

  /** What becomes of one silent session: nothing, or a write that checks again under its lock. */
  private async consider(candidate: Session, policy: IdlePolicy | undefined, now: number): Promise<'closed' | 'alerted' | 'already-alerted' | null> {
    if (!policy) return null;
    const due = dueFor(candidate, policy, now);
    if (!due || (due === 'alert' && this.alerted.get(candidate.id) === candidate.lastCustomerAt)) return null;
    // A chat waiting in a queue is found so by a read: no write transaction for it every pass.
    if (due !== 'close-async' && !withSomeone(await this.store.read((tx) => tx.latestInteraction(candidate.id)))) return null;
    return this.writer.write(async (w) => {
      const tx = w.tx;
      const s = await tx.getSession(candidate.id, true);
      if (!s || s.state !== 'Active') return null;
      const dueNow = dueFor(s, policy, now);
      if (dueNow === 'close-async') {
        await this.close(w, s, policy.closeText);
        return 'closed';
      }
      if (!dueNow) return null;
      if (!withSomeone(await tx.latestInteraction(s.id))) return null;
      if (dueNow === 'close') {
        await this.close(w, s, policy.closeText);
        return 'closed';
      }
      if (await this.alertedSinceCustomerSpoke(tx, s)) return 'already-alerted';
      await w.appendSystem(s, { type: 'Notice', visibility: 'All', text: policy.alertText, subtype: 'IdleAlert' });
      return 'alerted';
    });
  }

  private async alertedSinceCustomerSpoke(tx: StoreTx, s: Session): Promise<boolean> {
    const recent = await tx.listMessages(s.id, { visibilities: ['All'], limit: 30, newest: true });
    for (let i = recent.length - 1; i >= 0; i--) {
      const m = recent[i]!;
      if (m.subtype === 'IdleAlert') return true;
      if (m.from.type === 'Customer' && m.type === 'Text') return false;
    }
    return false;
  }

  private async close(w: LogTx, s: Session, text: string): Promise<void> {
    await w.appendSystem(s, { type: 'Notice', visibility: 'All', text, subtype: 'IdleClose' });
    await w.endSession(s);
  }
}
