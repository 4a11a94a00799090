// Review queue bookkeeping (no DOM, no React): the items waiting, oldest first, the one shown, what
// this page already decided (a reload must not bring those back before the server has caught up),
// and the seconds spent on the item shown.

export interface QueueItem { id: number }

export class ReviewQueue<T extends QueueItem> {
  private items: T[] = [];
  private readonly decided = new Set<number>();
  /** The server's count at the last load (items this page decided since are subtracted). */
  private serverCount = 0;
  private decidedSinceLoad = 0;

  /** Takes a fresh answer of the queue endpoint (oldest first); decided ids stay out. */
  load(results: T[], count: number = results.length): void {
    this.items = results.filter((item) => !this.decided.has(item.id));
    const hidden = results.length - this.items.length;
    this.serverCount = Math.max(0, count - hidden);
    this.decidedSinceLoad = 0;
  }

  get current(): T | null {
    return this.items[0] ?? null;
  }

  /** Items still waiting, the one shown included (server count minus what was decided here). */
  get remaining(): number {
    return Math.max(this.items.length, this.serverCount - this.decidedSinceLoad);
  }

  /** True when the loaded page ran out but the server said more were waiting: load again. */
  get needsReload(): boolean {
    return this.items.length === 0 && this.remaining > 0;
  }

  get decidedCount(): number {
    return this.decided.size;
  }

  /** The item was decided: it leaves the queue and the next one becomes current. */
  decide(id: number): T | null {
    this.decided.add(id);
    const before = this.items.length;
    this.items = this.items.filter((item) => item.id !== id);
    if (this.items.length < before) this.decidedSinceLoad++;
    return this.current;
  }

  /** The server's newer row of an item (after a 409): shown again, in the same place. */
  replace(item: T): void {
    this.items = this.items.map((existing) => (existing.id === item.id ? item : existing));
  }

  /** Puts the current item at the end (a reviewer skips it for now). */
  skip(): T | null {
    const first = this.items.shift();
    if (first) this.items.push(first);
    return this.current;
  }
}

/** Seconds spent on the item shown; `now` in milliseconds (injectable for tests). */
export class ItemTimer {
  private started: number;
  constructor(private readonly now: () => number = () => performance.now()) {
    this.started = now();
  }
  restart(): void {
    this.started = this.now();
  }
  get seconds(): number {
    return Math.max(0, Math.round((this.now() - this.started) / 100) / 10);
  }
}

export type Decision = 'accept' | 'reject' | 'fix';

/** What the decision POST needs; the reason is required for a rejection (the annotator reads it). */
export function decisionError(decision: Decision, reason: string): string | null {
  if (decision === 'reject' && !reason.trim()) return 'Write why it is rejected: the annotator sees this reason.';
  return null;
}
