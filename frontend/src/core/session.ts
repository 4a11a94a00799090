// What is logged with each saved mask: seconds spent, clicks, and every prompt with its time.
import type { Prompt } from './apiTypes';

export type Clock = () => number;

/** Gaps longer than this (no input at all) count as a break, not as annotation time. */
export const IDLE_CAP_MS = 60_000;

export class MaskSession {
  private startedAt: number | null = null;
  private lastInputAt = 0;
  private activeMs = 0;
  private prompts: Prompt[] = [];
  private clickCount = 0;

  constructor(private readonly clock: Clock = () => performance.now()) {}

  /** Any input (click, key, brush) advances the active time, capping idle gaps. */
  touch(): void {
    const now = this.clock();
    if (this.startedAt === null) {
      this.startedAt = now;
    } else {
      this.activeMs += Math.min(now - this.lastInputAt, IDLE_CAP_MS);
    }
    this.lastInputAt = now;
  }

  /** A prompt sent to the model; points and boxes count as clicks. */
  addPrompt(prompt: Omit<Prompt, 't_ms'>): Prompt {
    this.touch();
    const full: Prompt = { ...prompt, t_ms: Math.round(this.lastInputAt - (this.startedAt ?? this.lastInputAt)) };
    this.prompts.push(full);
    this.clickCount++;
    return full;
  }

  /** A manual edit (brush / eraser stroke, candidate choice) counts as a click without a prompt. */
  addClick(): void {
    this.touch();
    this.clickCount++;
  }

  get seconds(): number {
    return Math.round(this.activeMs / 100) / 10;
  }

  get clicks(): number {
    return this.clickCount;
  }

  get promptLog(): Prompt[] {
    return this.prompts.slice();
  }

  get started(): boolean {
    return this.startedAt !== null;
  }

  snapshot(): SessionSnapshot {
    return { activeMs: this.activeMs, clicks: this.clickCount, prompts: this.prompts.slice() };
  }

  /** Continues a session restored from a draft (time restarts counting at the next input). */
  restore(snapshot: SessionSnapshot): void {
    this.activeMs = snapshot.activeMs;
    this.clickCount = snapshot.clicks;
    this.prompts = snapshot.prompts.slice();
    this.startedAt = null;
    const lastT = this.prompts.length ? this.prompts[this.prompts.length - 1].t_ms : 0;
    // Keep t_ms monotonic after a restore: pretend the session started lastT ms before now.
    const now = this.clock();
    this.startedAt = now - Math.max(lastT, this.activeMs);
    this.lastInputAt = now;
  }

  reset(): void {
    this.startedAt = null;
    this.activeMs = 0;
    this.prompts = [];
    this.clickCount = 0;
  }
}

export interface SessionSnapshot { activeMs: number; clicks: number; prompts: Prompt[] }
