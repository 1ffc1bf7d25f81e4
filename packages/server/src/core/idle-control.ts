import type { Clock } from '../ports/clock.js';
import type { IdlePolicy, Session, Store, StoreTx } from '../ports/store.js';
import type { LogTx, LogWriter } from './log-writer.js';

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

  start(everyMs = 5_000): void {
    this.timer = setInterval(() => void this.sweep().catch(() => undefined), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass; returns the ids of sessions alerted and closed. */
  async sweep(): Promise<{ alerted: string[]; closed: string[] }> {
    const now = this.clock.now();
    const alerted: string[] = [];
    const closed: string[] = [];
    const policies = new Map<string, IdlePolicy | undefined>();
    const policyOf = async (tx: StoreTx, s: Session) => {
      if (!policies.has(s.deploymentId)) policies.set(s.deploymentId, (await tx.getDeployment(s.deploymentId))?.settings?.idle);
      return policies.get(s.deploymentId);
    };
    // Candidates: the shortest configured wait bounds what can be due.
    const silent = await this.store.tx((tx) => tx.listSessionsCustomerSilentSince(new Date(now - 1000).toISOString(), 500));
    for (const candidate of silent) {
      const outcome = await this.writer.write(async (w) => {
        const tx = w.tx;
        const s = await tx.getSession(candidate.id, true);
        if (!s || s.state !== 'Active') return null;
        const policy = await policyOf(tx, s);
        if (!policy) return null;
        const silentFor = (now - Date.parse(s.lastCustomerAt)) / 1000;
        const inactiveFor = (now - Date.parse(s.lastActivityAt)) / 1000;
        if (s.async) {
          if (policy.asyncCloseAfterSeconds > 0 && inactiveFor >= policy.asyncCloseAfterSeconds) {
            await this.close(w, s, policy.closeText);
            return 'closed';
          }
          return null;
        }
        // Only while someone (agent or bot) is with the customer: waiting in a queue is not idling.
        const interaction = await tx.latestInteraction(s.id);
        if (!interaction || (interaction.state !== 'Handling' && interaction.state !== 'Workflow')) return null;
        if (policy.closeAfterSeconds > 0 && silentFor >= policy.closeAfterSeconds) {
          await this.close(w, s, policy.closeText);
          return 'closed';
        }
        if (policy.alertAfterSeconds > 0 && silentFor >= policy.alertAfterSeconds && !(await this.alertedSinceCustomerSpoke(tx, s))) {
          await w.appendSystem(s, { type: 'Notice', visibility: 'All', text: policy.alertText, subtype: 'IdleAlert' });
          return 'alerted';
        }
        return null;
      });
      if (outcome === 'alerted') alerted.push(candidate.id);
      if (outcome === 'closed') closed.push(candidate.id);
    }
    return { alerted, closed };
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
