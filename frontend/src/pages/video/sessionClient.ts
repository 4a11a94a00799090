// The video annotator's I/O behind one small interface (as the SAM 2 demo's Tracker): the video and
// its session, frames, prompts, propagation, masklets and jobs. `follow` reports a job's progress
// until it ends. PushedSessionClient hears the session's event stream (the masks the worker stores,
// the jobs' states) the moment the server publishes them; PollingSessionClient, its fallback where no
// stream can be read, polls the job and the masklets endpoint. Tests give the controller a fake one.
import { isFinalJob, type ApiClient } from '../../core/api';
import { ApiError } from '../../core/apiErrors';
import type { FrameRecord, Job, MaskletsAnswer, Project, PropagateDirection, VideoPromptRequest, VideoRecord, VideoSessionRecord } from '../../core/apiTypes';
import {
  addPrompt, frameBlob, masklets, openSession, propagate, readSessionEvents, sendOperations, video as fetchVideo, videoFrames,
  type SessionEvent, type VideoOperationRequest,
} from '../../core/videoApi';

/** What the page wants to hear while a job runs. */
export interface JobWatch {
  onProgress?: (job: Job) => void;
  /** Masks written since `since()` (an incremental answer of the masklets endpoint). */
  onMasklets: (answer: MaskletsAnswer) => void;
  /** The `updated_after` cursor of the masks the page already holds. */
  since: () => string | null;
  /** False once the page is gone: stop following. */
  alive: () => boolean;
}

export interface VideoSessionClient {
  video(): Promise<VideoRecord>;
  project(projectId: number): Promise<Project>;
  /** The video's session, or null while its frames are not extracted. */
  openSession(): Promise<VideoSessionRecord | null>;
  frames(): Promise<FrameRecord[]>;
  frameBitmap(frame: FrameRecord): Promise<ImageBitmap>;
  /** Every masklet frame, or with `since` only those written after it. */
  masklets(since?: string | null): Promise<MaskletsAnswer>;
  addPrompt(sessionId: number, prompt: VideoPromptRequest): Promise<Job>;
  propagate(sessionId: number, start: number, direction: PropagateDirection, objIds?: number[]): Promise<Job>;
  /** Several prompts and propagations in one request, applied in that order: one job each. */
  operations(sessionId: number, operations: VideoOperationRequest[]): Promise<Job[]>;
  job(id: number): Promise<Job>;
  cancelJob(id: number): Promise<Job>;
  /** Follows `job` to its end (or until the page is gone) and answers its last state. */
  follow(job: Job, watch: JobWatch): Promise<Job>;
  /** Hears the session's pushed masks from now on (a client without a stream ignores it). */
  listen?(sessionId: number, sink: SessionSink): void;
  /** The page is gone: stop listening. */
  close?(): void;
}

/** What the page hears on the session's stream besides the jobs it follows. */
export interface SessionSink {
  /** Masks just stored (by this page's jobs or anyone's): an incremental masklets answer. */
  onMasklets: (answer: MaskletsAnswer) => void;
  /** The stream (re)connected or fell behind: read what may have been missed. */
  resync: () => void;
  alive: () => boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Over the REST API; jobs and the masks they write are followed by polling. */
export class PollingSessionClient implements VideoSessionClient {
  /** One masklets read at a time, however many jobs are followed. */
  private reading = false;

  constructor(protected readonly api: ApiClient, readonly videoId: number, private readonly pollMs = 300) {}

  video(): Promise<VideoRecord> {
    return fetchVideo(this.api, this.videoId);
  }

  project(projectId: number): Promise<Project> {
    return this.api.project(projectId);
  }

  openSession(): Promise<VideoSessionRecord | null> {
    return openSession(this.api, this.videoId);
  }

  frames(): Promise<FrameRecord[]> {
    return videoFrames(this.api, this.videoId);
  }

  async frameBitmap(frame: FrameRecord): Promise<ImageBitmap> {
    return createImageBitmap(await frameBlob(this.api, frame));
  }

  masklets(since?: string | null): Promise<MaskletsAnswer> {
    return masklets(this.api, this.videoId, since);
  }

  addPrompt(sessionId: number, prompt: VideoPromptRequest): Promise<Job> {
    return addPrompt(this.api, sessionId, prompt);
  }

  propagate(sessionId: number, start: number, direction: PropagateDirection, objIds?: number[]): Promise<Job> {
    return propagate(this.api, sessionId, start, direction, objIds);
  }

  operations(sessionId: number, operations: VideoOperationRequest[]): Promise<Job[]> {
    return sendOperations(this.api, sessionId, operations);
  }

  job(id: number): Promise<Job> {
    return this.api.job(id);
  }

  cancelJob(id: number): Promise<Job> {
    return this.api.cancelJob(id);
  }

  async follow(job: Job, watch: JobWatch): Promise<Job> {
    let current = job;
    let failures = 0;
    while (!isFinalJob(current) && watch.alive()) {
      await sleep(this.pollMs * (1 + failures));
      try {
        const [next] = await Promise.all([this.api.job(current.id), this.readMasklets(watch)]);
        current = next;
        failures = 0;
      } catch (error) {
        // A dropped connection: keep following (the job runs on the server regardless).
        if (++failures > 8 || (error instanceof ApiError && error.status === 404)) throw error;
        continue;
      }
      watch.onProgress?.(current);
    }
    // The masks written between the last read and the end.
    watch.onMasklets(await this.masklets(watch.since()));
    return current;
  }

  /** Frames written meanwhile, so they appear while the job runs; a failed read waits for the next poll. */
  private async readMasklets(watch: JobWatch): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      watch.onMasklets(await this.masklets(watch.since()));
    } catch {
      // the next poll tries again
    } finally {
      this.reading = false;
    }
  }
}

/** How long a followed job waits for the stream to open before it is polled instead. */
const STREAM_OPEN_TIMEOUT_MS = 5000;

type JobState = Pick<Job, 'id' | 'state'> & Partial<Job>;
interface Following { current: Job; watch: JobWatch; resolve: (job: Job) => void }

/**
 * Over the REST API, with the session's event stream: masks reach the page as the worker stores them
 * and a job's end as it happens, with no request in between. A dropped stream reconnects (with a
 * back-off) and then reads what it missed; a server without the stream (a 4xx) falls back to polling.
 */
export class PushedSessionClient extends PollingSessionClient {
  private sink: SessionSink | null = null;
  private connected = false;
  private polling = false;
  private readonly abort = new AbortController();
  private readonly following = new Map<number, Following>();
  /** Final states heard before anyone followed the job (its 202 came after its end). */
  private readonly ended = new Map<number, JobState>();

  listen(sessionId: number, sink: SessionSink): void {
    if (this.sink) return;
    this.sink = sink;
    void this.run(sessionId);
  }

  close(): void {
    this.abort.abort();
  }

  override follow(job: Job, watch: JobWatch): Promise<Job> {
    if (this.polling || !this.sink) return super.follow(job, watch);
    const ended = this.ended.get(job.id);
    if (ended) return Promise.resolve({ ...job, ...ended });
    if (isFinalJob(job)) return Promise.resolve(job);
    return new Promise((resolve) => {
      const following = { current: job, watch, resolve };
      this.following.set(job.id, following);
      // A stream that does not open (a proxy holding it back): this job is polled instead.
      if (!this.connected) {
        setTimeout(() => {
          if (this.connected || this.following.get(job.id) !== following) return;
          this.following.delete(job.id);
          void super.follow(following.current, watch).then(resolve);
        }, STREAM_OPEN_TIMEOUT_MS);
      }
    });
  }

  private async run(sessionId: number): Promise<void> {
    let failures = 0;
    while (this.sink?.alive() && !this.abort.signal.aborted) {
      try {
        await readSessionEvents(this.api, sessionId, (event) => { failures = 0; this.hear(event); }, this.abort.signal);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429) {
          this.fallBackToPolling();
          return;
        }
        failures++;
      }
      this.connected = false;
      // Reconnect at once after a clean end, else after a growing pause (a restart, an outage).
      if (failures) await sleep(Math.min(250 * 2 ** failures, 10_000));
    }
  }

  private hear(event: SessionEvent): void {
    if (event.type === 'masks') this.sink?.onMasklets(event);
    else if (event.type === 'job') this.jobChanged(event.job);
    else {
      // hello (subscribed) or resync (fell behind): what was stored meanwhile is read once.
      this.connected = true;
      this.sink?.resync();
      for (const id of this.following.keys()) void this.job(id).then((job) => this.jobChanged(job), () => undefined);
    }
  }

  private jobChanged(job: JobState): void {
    const following = this.following.get(job.id);
    if (!following) {
      if (isFinalJob(job)) {
        this.ended.set(job.id, job);
        if (this.ended.size > 100) this.ended.delete(this.ended.keys().next().value as number);
      }
      return;
    }
    following.current = { ...following.current, ...job };
    following.watch.onProgress?.(following.current);
    if (isFinalJob(following.current)) {
      this.following.delete(job.id);
      following.resolve(following.current);
    }
  }

  private fallBackToPolling(): void {
    this.polling = true;
    for (const [id, following] of this.following) {
      this.following.delete(id);
      void super.follow(following.current, following.watch).then(following.resolve);
    }
  }

  /** Whether the stream is open (tests and the status line). */
  get live(): boolean {
    return this.connected;
  }
}

/**
 * The video's session once its frames are extracted: `extracting` hears each look at the video while
 * they are not. Null when the page went away first; throws when extraction failed or gave no frames.
 */
export async function openWhenExtracted(
  client: VideoSessionClient, video: VideoRecord,
  watch: { extracting: (video: VideoRecord) => void; alive: () => boolean },
): Promise<{ video: VideoRecord; session: VideoSessionRecord } | null> {
  let refusedAfterExtraction = 0;
  for (let delay = 700; watch.alive(); delay = Math.min(delay * 1.3, 3000)) {
    const job = video.extraction_job;
    if (!job || isFinalJob(job)) {
      const session = await client.openSession();
      if (session) return { video, session };
      if (job?.state === 'failed' || job?.state === 'cancelled') {
        throw new Error(`extracting the frames ${job.state}${job.message ? `: ${job.message}` : ''}`);
      }
      // Extraction finished (or there is no job) and still no session: the video has no frames.
      if (++refusedAfterExtraction >= 4) throw new Error('the video has no extracted frames to annotate');
    }
    watch.extracting(video);
    await sleep(delay);
    video = await client.video();
  }
  return null;
}
