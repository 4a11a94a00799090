// Playback of a video's frames at the annotation rate, waiting for each picture rather than skipping
// frames; the pictures themselves are FrameBitmaps' (fetched ahead so stepping and playing do not
// wait). No canvas here: the page shows what it gets.
import type { FrameRecord } from '../../core/apiTypes';
import { frameInterval } from '../../core/video';
import { FrameBitmaps } from './FrameBitmaps';

export interface PlaybackHost {
  /** Moves the page to `frame` and shows it. */
  goTo(frame: number): Promise<void>;
  /** The frame the page is on. */
  frame(): number;
  /** Frames per second to play at (the video's annotation rate). */
  fps(): number;
  playingChanged(playing: boolean): void;
}

export class FramePlayer extends FrameBitmaps {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private isPlaying = false;

  constructor(load: (frame: FrameRecord) => Promise<ImageBitmap>, private readonly host: PlaybackHost) {
    super(load);
  }

  get playing(): boolean {
    return this.isPlaying;
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

  override dispose(): void {
    this.pause();
    super.dispose();
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
