// Bounded undo/redo history of immutable snapshots. Generic: the annotator stores its edit state
// (mask as RLE runs, prompts, chosen candidate), so a snapshot costs little even on large images.

export interface HistoryOptions<T> {
  /** Most snapshots kept behind the present; the oldest are dropped first. */
  limit?: number;
  /** Optional cost of a snapshot (e.g. bytes) and the most the past may hold in total. */
  sizeOf?: (snapshot: T) => number;
  maxTotalSize?: number;
}

export class History<T> {
  private past: T[] = [];
  private future: T[] = [];
  private presentValue: T;
  private readonly limit: number;
  private readonly sizeOf?: (snapshot: T) => number;
  private readonly maxTotalSize: number;
  private pastSize = 0;

  constructor(initial: T, options: HistoryOptions<T> = {}) {
    this.presentValue = initial;
    this.limit = Math.max(1, options.limit ?? 100);
    this.sizeOf = options.sizeOf;
    this.maxTotalSize = options.maxTotalSize ?? Infinity;
  }

  get present(): T {
    return this.presentValue;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }

  get undoDepth(): number {
    return this.past.length;
  }

  get redoDepth(): number {
    return this.future.length;
  }

  /** Records a new present; the redo branch is discarded, as in every editor. */
  push(next: T): void {
    this.past.push(this.presentValue);
    this.pastSize += this.cost(this.presentValue);
    this.presentValue = next;
    this.future = [];
    this.trim();
  }

  /** Replaces the present without a new undo step (e.g. metadata that should not be undone). */
  replace(next: T): void {
    this.presentValue = next;
  }

  undo(): T | undefined {
    const previous = this.past.pop();
    if (previous === undefined) return undefined;
    this.pastSize -= this.cost(previous);
    this.future.push(this.presentValue);
    this.presentValue = previous;
    return previous;
  }

  redo(): T | undefined {
    const next = this.future.pop();
    if (next === undefined) return undefined;
    this.past.push(this.presentValue);
    this.pastSize += this.cost(this.presentValue);
    this.presentValue = next;
    this.trim();
    return next;
  }

  /** Starts over from a new present with no undo or redo steps. */
  reset(present: T): void {
    this.past = [];
    this.future = [];
    this.pastSize = 0;
    this.presentValue = present;
  }

  private cost(snapshot: T): number {
    return this.sizeOf ? this.sizeOf(snapshot) : 0;
  }

  private trim(): void {
    while (this.past.length > this.limit || (this.past.length > 0 && this.pastSize > this.maxTotalSize)) {
      const dropped = this.past.shift() as T;
      this.pastSize -= this.cost(dropped);
    }
  }
}
