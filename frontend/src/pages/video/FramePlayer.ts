// The video's frames as pictures: a bounded cache of decoded frames (most recently used kept, the next
// ones fetched ahead so stepping and playing do not wait), and playback at the annotation rate that
// waits for each picture rather than skipping frames. No canvas here: the page shows what it gets.
import type { FrameRecord } from '../../core/apiTypes';
import { frameInterval, prefetchOrder } from '../../core/video';

const BITMAP_CACHE = 96;

export interface PlaybackHost {
  /** Moves the page to `frame` and shows it. */
  goTo(frame: number): Promise<void>;
  /** The frame the page is on. */
  frame(): number;
  /** Frames per second to play at (the video's annotation rate). */
  fps(): number;
  playingChanged(playing: boolean): void;
}

export class FramePlayer {
  private frames: FrameRecord[] = [];
  private bitmaps = new Map<number, Promise<ImageBitmap>>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private isPlaying = false;

  constructor(private readonly load: (frame: FrameRecord) => Promise<ImageBitmap>, private readonly host: PlaybackHost) {}

  setFrames(frames: FrameRecord[]): void {
    this.frames = [...frames].sort((a, b) => a.index - b.index);
  }

  get list(): FrameRecord[] {
    return this.frames;
  }

  get count(): number {
    return this.frames.length;
  }

  get playing(): boolean {
    return this.isPlaying;
  }

  /** Already fetched (or being fetched): showing it will not wait for the network. */
  has(index: number): boolean {
    return this.bitmaps.has(index);
  }

  /** The picture of frame `index`, from the cache or fetched. */
  bitmap(index: number): Promise<ImageBitmap> {
    let promise = this.bitmaps.get(index);
    if (promise) {
      // Most recently used last.
      this.bitmaps.delete(index);
      this.bitmaps.set(index, promise);
      return promise;
    }
    const frame = this.frames[index];
    if (!frame) return Promise.reject(new Error(`no frame ${index}`));
    promise = this.load(frame);
    promise.catch(() => this.bitmaps.delete(index));
    this.bitmaps.set(index, promise);
    while (this.bitmaps.size > BITMAP_CACHE) {
      const oldest = this.bitmaps.keys().next().value as number;
      if (oldest === index) break;
      const dropped = this.bitmaps.get(oldest);
      this.bitmaps.delete(oldest);
      void dropped?.then((b) => b.close()).catch(() => undefined);
    }
    return promise;
  }

  /** Starts fetching the frames around `index` that stepping or playing will want next. */
  prefetch(index: number): void {
    for (const next of prefetchOrder(index, this.count)) void this.bitmap(next).catch(() => undefined);
  }

  toggle(): void {
    if (this.isPlaying) this.pause();
    else this.play();
  }

  /** Plays from the current frame (from the first when at the end). */
  play(): void {
    if (this.isPlaying || this.count < 2) return;
    if (this.host.frame() >= this.count - 1) void this.host.goTo(0);
    this.isPlaying = true;
    this.host.playingChanged(true);
    this.schedule();
  }

  pause(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.isPlaying) return;
    this.isPlaying = false;
    this.host.playingChanged(false);
  }

  dispose(): void {
    this.pause();
    for (const bitmap of this.bitmaps.values()) void bitmap.then((b) => b.close()).catch(() => undefined);
    this.bitmaps.clear();
  }

  private schedule(): void {
    const interval = frameInterval(this.host.fps());
    const started = performance.now();
    this.timer = setTimeout(async () => {
      if (!this.isPlaying) return;
      const next = this.host.frame() + 1;
      if (next >= this.count) {
        this.pause();
        return;
      }
      try {
        await this.bitmap(next); // wait for the picture rather than skip frames
      } catch {
        // the page reports a frame that cannot be shown
      }
      if (!this.isPlaying) return;
      await this.host.goTo(next);
      if (this.isPlaying) this.schedule();
    }, Math.max(0, interval - (performance.now() - started)));
  }
}
