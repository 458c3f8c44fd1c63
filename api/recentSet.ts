/** A set whose members leave after `ttlMs`; bounded so it cannot grow without limit. */
export class RecentSet {
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly max = 100_000,
  ) {}

  add(key: string): void {
    this.entries.delete(key);
    this.entries.set(key, Date.now() + this.ttlMs);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  has(key: string): boolean {
    const until = this.entries.get(key);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.entries.delete(key);
    return false;
  }
}
