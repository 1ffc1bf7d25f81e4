/**
 * Wraps `fn` so that it runs one at a time: a call while it runs makes it run once more afterwards
 * (so a burst of wake-ups costs at most two runs, and none is lost).
 */
export function serial(fn: () => Promise<void>, onError: (err: unknown) => void = () => {}): () => void {
  let running = false;
  let again = false;
  const go = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await fn();
      } while (again);
    } catch (err) {
      onError(err);
    } finally {
      running = false;
    }
  };
  return () => void go();
}
