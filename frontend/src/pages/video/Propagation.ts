// Propagation of the video's objects from a frame (forward, backward or both; all objects or the
// selected one): started after the prompts made before it are stored, followed to its end with the
// frames streaming in, cancellable, and picked up again after a reload (the job id is kept in the
// browser until the job ends).
import { isFinalJob } from '../../core/api';
import { ApiError, errorMessage } from '../../core/apiErrors';
import type { Job, PropagateDirection } from '../../core/apiTypes';
import { readJson, writeJson, type KeyValueStorage } from '../../core/storage';
import type { VideoSessionClient } from './sessionClient';

/** The propagation job as far as the page knows it; `id` is null until the server has made it. */
export type PropagationJob = Pick<Job, 'state' | 'progress' | 'message'> & { id: number | null };

export interface PropagationView {
  job: PropagationJob; direction: PropagateDirection; scope: 'all' | 'selected'; start: number; cancelling: boolean;
}

/** What Propagation needs from the video controller. */
export interface PropagationHost {
  readonly client: VideoSessionClient;
  sessionId(): number | null;
  current(): PropagationView | null;
  show(propagation: PropagationView | null): void;
  flash(notice: string): void;
  error(message: string): void;
  /** Sends the propagation after the prompts made before it (with those still waiting, in one
   * request): its job once the server has accepted it. */
  send(sessionId: number, start: number, direction: PropagateDirection, objIds?: number[]): Promise<Job>;
  /** Follows a job, merging the masks it writes as they come. */
  follow(job: Job, onProgress: (job: Job) => void): Promise<Job>;
  /** Reads every masklet frame again. */
  reloadMasklets(): Promise<void>;
}

export class Propagation {
  private readonly key: string;

  constructor(private readonly host: PropagationHost, videoId: number, private readonly storage: KeyValueStorage) {
    this.key = `segdata.video.${videoId}.propagation`;
  }

  /** Starts one from `start` (none while one runs); `objIds` limits it to those objects. */
  async start(start: number, direction: PropagateDirection, scope: 'all' | 'selected', objIds?: number[]): Promise<void> {
    const sessionId = this.host.sessionId();
    if (sessionId === null || this.host.current()) return;
    const waiting: PropagationJob = { id: null, state: 'queued', progress: 0, message: 'waiting for earlier prompts to reach the server' };
    this.host.show({ job: waiting, direction, scope, start, cancelling: false });
    let job: Job;
    try {
      job = await this.host.send(sessionId, start, direction, objIds);
    } catch (error) {
      this.host.error(`Could not propagate: ${errorMessage(error)}`);
      this.host.show(null);
      return;
    }
    await this.follow({ job, direction, scope, start, cancelling: false });
  }

  /** A propagation this browser started that may still run (the page was reloaded meanwhile). */
  async resume(): Promise<void> {
    const saved = readJson<PropagationView & { job: { id: number } }>(this.storage, this.key);
    if (!saved?.job?.id) return;
    try {
      const job = await this.host.client.job(saved.job.id);
      if (isFinalJob(job)) {
        this.storage.removeItem(this.key);
        return;
      }
      await this.follow({ ...saved, job, cancelling: false });
    } catch {
      this.storage.removeItem(this.key);
    }
  }

  async cancel(): Promise<void> {
    const propagation = this.host.current();
    if (!propagation || propagation.job.id === null || propagation.cancelling) return;
    this.host.show({ ...propagation, cancelling: true });
    try {
      const job = await this.host.client.cancelJob(propagation.job.id);
      const now = this.host.current();
      if (now) this.host.show({ ...now, job });
    } catch (error) {
      this.host.error(`Could not cancel: ${errorMessage(error)}`);
    }
  }

  /** Follows a propagation job to its end; the frames done so far stay whatever the end. */
  private async follow(started: PropagationView & { job: Job }): Promise<void> {
    const { direction, start } = started;
    this.host.show(started);
    // Without storage a reload just does not show the progress again.
    writeJson(this.storage, this.key, { ...started, cancelling: false });
    try {
      const final = await this.host.follow(started.job, (job) => {
        const now = this.host.current();
        if (now) this.host.show({ ...now, job });
      });
      await this.host.reloadMasklets();
      if (final.state === 'succeeded') this.host.flash(`Propagated ${direction} from frame ${start}.`);
      else if (final.state === 'cancelled') this.host.flash('Propagation cancelled; the frames done so far are kept.');
      else if (isFinalJob(final)) this.host.error(`Propagation ${final.state}: ${final.message}`);
      if (isFinalJob(final)) this.storage.removeItem(this.key);
    } catch (error) {
      this.host.error(`Could not follow the propagation: ${errorMessage(error)}`);
      if (error instanceof ApiError && error.status === 404) this.storage.removeItem(this.key);
    } finally {
      this.host.show(null);
    }
  }
}
