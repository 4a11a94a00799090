// A video's frames as decoded pictures, fetched on demand and kept in a bounded cache (the most
// recently used stay; a dropped one is closed). Frames are looked up by their index.
import type { FrameRecord } from '../../core/apiTypes';
import { prefetchOrder } from '../../core/video';

export class FrameBitmaps {
  private byIndex = new Map<number, FrameRecord>();
  private ordered: FrameRecord[] = [];
  private bitmaps = new Map<number, Promise<ImageBitmap>>();

  constructor(private readonly load: (frame: FrameRecord) => Promise<ImageBitmap>, frames: FrameRecord[] = [], private readonly limit = 96) {
    this.setFrames(frames);
  }

  setFrames(frames: FrameRecord[]): void {
    this.ordered = [...frames].sort((a, b) => a.index - b.index);
    this.byIndex = new Map(this.ordered.map((f) => [f.index, f]));
  }

  /** The frames by index (the annotator's frame numbers: 0..count-1 once extracted). */
  get list(): FrameRecord[] {
    return this.ordered;
  }

  get count(): number {
    return this.ordered.length;
  }

  /** Already fetched (or being fetched): showing it will not wait for the network. */
  has(index: number): boolean {
    return this.bitmaps.has(index);
  }

  /** The picture of frame `index`, from the cache or fetched; rejects when there is no such frame. */
  bitmap(index: number): Promise<ImageBitmap> {
    let promise = this.bitmaps.get(index);
    if (promise) {
      // Most recently used last.
      this.bitmaps.delete(index);
      this.bitmaps.set(index, promise);
      return promise;
    }
    const frame = this.byIndex.get(index);
    if (!frame) return Promise.reject(new Error(`no frame ${index}`));
    promise = this.load(frame);
    promise.catch(() => this.bitmaps.delete(index));
    this.bitmaps.set(index, promise);
    while (this.bitmaps.size > this.limit) {
      const oldest = this.bitmaps.keys().next().value as number;
      if (oldest === index) break;
      const dropped = this.bitmaps.get(oldest);
      this.bitmaps.delete(oldest);
      void dropped?.then((b) => b.close()).catch(() => undefined);
    }
    return promise;
  }

  /** The picture of frame `index`, or null when the video has no such frame (not extracted). */
  get(index: number): Promise<ImageBitmap> | null {
    return this.byIndex.has(index) ? this.bitmap(index) : null;
  }

  /** Starts fetching the frames around `index` that stepping or playing will want next. */
  prefetch(index: number): void {
    for (const next of prefetchOrder(index, this.count)) void this.bitmap(next).catch(() => undefined);
  }

  dispose(): void {
    for (const bitmap of this.bitmaps.values()) void bitmap.then((b) => b.close()).catch(() => undefined);
    this.bitmaps.clear();
  }
}
