/**
 * A memo for pure functions of a string key, bounded in entries and in key length: the pack runs
 * on every deployment and must not let a stack of huge or many distinct values (a fuzzer's, or an
 * attacker's) grow its memory without limit. A key longer than `maxKeyLength` is simply not
 * remembered; when full, the memo starts again (simpler than LRU, and these memos are hit in runs).
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxKeyLength = 4_096,
  ) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    if (key.length > this.maxKeyLength) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, value);
  }

  get size(): number {
    return this.entries.size;
  }
}
