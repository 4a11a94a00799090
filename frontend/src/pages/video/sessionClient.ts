// The video annotator's I/O behind one small interface (as the SAM 2 demo's Tracker): the video and
// its session, frames, prompts, propagation, masklets and jobs. `follow` reports a job's progress and
// the masks it writes until it ends; PollingSessionClient does that by polling the job and the
// masklets endpoint, and a pushed channel (server-sent events, a WebSocket) can implement the same
// interface later without the controller changing. Tests give the controller a fake one.
import { isFinalJob, type ApiClient } from '../../core/api';
import { ApiError } from '../../core/apiErrors';
import type { FrameRecord, Job, MaskletsAnswer, Project, PropagateDirection, VideoPromptRequest, VideoRecord, VideoSessionRecord } from '../../core/apiTypes';
import {
  addPrompt, frameBlob, masklets, openSession, propagate, video as fetchVideo, videoFrames,
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
  job(id: number): Promise<Job>;
  cancelJob(id: number): Promise<Job>;
  /** Follows `job` to its end (or until the page is gone) and answers its last state. */
  follow(job: Job, watch: JobWatch): Promise<Job>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Over the REST API; jobs and the masks they write are followed by polling. */
export class PollingSessionClient implements VideoSessionClient {
  /** One masklets read at a time, however many jobs are followed. */
  private reading = false;

  constructor(private readonly api: ApiClient, readonly videoId: number, private readonly pollMs = 300) {}

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
