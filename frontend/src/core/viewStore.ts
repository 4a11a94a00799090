// The store protocol a page logic object offers React (useSyncExternalStore): a view object replaced
// on every change, and listeners told about it. Controllers extend it; a disposed one changes no more.

export class ViewStore<V extends object> {
  private listeners = new Set<() => void>();
  private current: V;
  private disposed = false;

  constructor(initial: V) {
    this.current = initial;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getView = (): V => this.current;

  /** Merges `patch` into a new view and tells the listeners (nothing once disposed). */
  protected set(patch: Partial<V>): void {
    if (this.disposed) return;
    this.current = { ...this.current, ...patch };
    for (const listener of this.listeners) listener();
  }

  protected get alive(): boolean {
    return !this.disposed;
  }

  /** Stops all changes and forgets the listeners. */
  protected close(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}
