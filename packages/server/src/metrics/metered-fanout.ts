import type { Fanout } from '../ports/fanout.js';
import type { ParleyMetrics } from './registry.js';

/** The fan-out, counted: notifications published (and failed), and wake-ups handed to this node's readers. */
export function meteredFanout(fanout: Fanout, metrics: ParleyMetrics): Fanout {
  const metered: Fanout = {
    async notify(topic, data) {
      try {
        await fanout.notify(topic, data);
        metrics.fanoutPublished.inc();
      } catch (err) {
        metrics.fanoutPublishErrors.inc();
        throw err;
      }
    },
    listen(topic, onNotify) {
      return fanout.listen(topic, (data) => {
        metrics.fanoutDelivered.inc();
        onNotify(data);
      });
    },
    ping: () => fanout.ping(),
    get recheckMs() {
      return fanout.recheckMs;
    },
    close: () => fanout.close(),
    ...(fanout.work ? { work: fanout.work } : {}),
  };
  if (fanout.onRecheckChange) metered.onRecheckChange = (fn) => fanout.onRecheckChange!(fn);
  return metered;
}
