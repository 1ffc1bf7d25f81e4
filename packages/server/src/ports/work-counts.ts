/**
 * Work an adapter did, counted where it talks to its server (the database connection, the Redis
 * connection): deterministic figures that the metrics export and the bench divides per exchange.
 * Plain running totals, by kind (`transactions`, `statements`, `round_trips` for a store; the
 * command name for Redis).
 */
export class WorkCounts {
  private readonly counts = new Map<string, number>();

  add(kind: string, n = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }

  get(kind: string): number {
    return this.counts.get(kind) ?? 0;
  }

  entries(): [string, number][] {
    return [...this.counts];
  }
}
