/**
 * Keeps the regions of one promotion in lockstep at every smoke: a region moves past its k-th smoke
 * (its plan's k-th `await-regions` step) only once every region passed its k-th smoke (or
 * finished). When one region fails, every other region's next wait fails its gate, so none moves
 * traffic, and any that already moved goes back.
 */
export class RegionBarrier {
  private readonly passed = new Map<string, number>();
  private readonly failed = new Map<string, string>();
  private readonly finished = new Set<string>();
  private waiters: Array<() => void> = [];

  constructor(private readonly regions: readonly string[]) {}

  /** A region's k-th smoke result (k from 0). */
  report(region: string, index: number, ok: boolean, why: string): void {
    if (!ok) {
      this.fail(region, why);
      return;
    }
    this.passed.set(region, index);
    this.wake();
  }

  fail(region: string, why: string): void {
    if (!this.failed.has(region)) this.failed.set(region, why);
    this.wake();
  }

  finish(region: string): void {
    this.finished.add(region);
    this.wake();
  }

  /** Resolves when every region got past smoke `index`; with the first other region's failure, if any. */
  async wait(region: string, index: number): Promise<string | undefined> {
    while (!this.allReached(index)) await new Promise<void>((resolve) => this.waiters.push(resolve));
    const other = [...this.failed].find(([name]) => name !== region);
    return other ? `region ${other[0]} failed: ${other[1]}` : undefined;
  }

  private allReached(index: number): boolean {
    return this.regions.every(
      (r) => this.failed.has(r) || this.finished.has(r) || (this.passed.get(r) ?? -1) >= index,
    );
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
