// The video endpoints, as functions over the shared ApiClient (kept apart from api.ts so that file
// stays small): videos and their frames, the annotation session, prompts, propagation, masklets.
import type { ApiClient } from './api';
import type { components } from './api-schema';
import { ApiError } from './apiErrors';
import type {
  FrameRecord, Job, MaskletsAnswer, PropagateDirection, VideoPromptRequest, VideoRecord, VideoSessionRecord, VideoWorkRecord, WorkPage,
} from './apiTypes';

export function projectVideos(api: ApiClient, projectId: number, page = 1, states: readonly string[] = []): Promise<WorkPage<VideoWorkRecord>> {
  return api.json('GET', `/api/projects/${projectId}/videos/?page=${page}${states.length ? `&state=${states.join(',')}` : ''}`);
}

/** The next video that needs work (within `states`, the list's filter), or null when none is left. */
export async function nextVideo(api: ApiClient, projectId: number, states: readonly string[] = []): Promise<VideoWorkRecord | null> {
  try {
    return await api.json('GET', `/api/projects/${projectId}/videos/next/${states.length ? `?state=${states.join(',')}` : ''}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export function video(api: ApiClient, videoId: number, signal?: AbortSignal): Promise<VideoRecord> {
  return api.json('GET', `/api/videos/${videoId}/`, undefined, signal);
}

export function videoFrames(api: ApiClient, videoId: number, signal?: AbortSignal): Promise<FrameRecord[]> {
  return api.allPages<FrameRecord>(`/api/videos/${videoId}/frames/`, signal);
}

/** A frame's JPEG, fetched with the token (file_url needs it), as a blob. */
export async function frameBlob(api: ApiClient, frame: FrameRecord, signal?: AbortSignal): Promise<Blob> {
  const response = await api.request('GET', frame.file_url, undefined, signal);
  return response.blob();
}

/** Opens (or reuses) the video's session; null while its frames are not extracted (400). */
export async function openSession(api: ApiClient, videoId: number): Promise<VideoSessionRecord | null> {
  try {
    return await api.json<VideoSessionRecord>('POST', `/api/videos/${videoId}/session/`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) return null;
    throw error;
  }
}

export function addPrompt(api: ApiClient, sessionId: number, prompt: VideoPromptRequest): Promise<Job> {
  return api.json('POST', `/api/video-sessions/${sessionId}/prompts/`, prompt);
}

export function propagate(
  api: ApiClient, sessionId: number, start: number, direction: PropagateDirection, objIds?: number[],
): Promise<Job> {
  return api.json('POST', `/api/video-sessions/${sessionId}/propagate/`, { start, direction, ...(objIds?.length ? { obj_ids: objIds } : {}) });
}

/** One operation of a batch (POST /api/video-sessions/{id}/operations/). */
export type VideoOperationRequest = components['schemas']['VideoOperation'];

/** Several operations at once, stored together in the order given (all or, when one is refused,
 * none): one job each, in that order. */
export async function sendOperations(api: ApiClient, sessionId: number, operations: VideoOperationRequest[]): Promise<Job[]> {
  const answer = await api.json<{ jobs: Job[] }>('POST', `/api/video-sessions/${sessionId}/operations/`, { operations });
  return answer.jobs;
}

/** Masklets and their frames; with `updatedAfter` only frames written since (streamed propagation). */
export function masklets(api: ApiClient, videoId: number, updatedAfter?: string | null, signal?: AbortSignal): Promise<MaskletsAnswer> {
  const query = updatedAfter ? `?updated_after=${encodeURIComponent(updatedAfter)}` : '';
  return api.json('GET', `/api/videos/${videoId}/masklets/${query}`, undefined, signal);
}

/** SA-V per-video fields a person sets: video_environment (Indoor / Outdoor) and video_split. */
export type VideoDescription = components['schemas']['PatchedVideoDescribe'];

export function describeVideo(api: ApiClient, videoId: number, fields: VideoDescription): Promise<VideoRecord> {
  return api.json('PATCH', `/api/videos/${videoId}/`, fields);
}

/** One server-sent event of a video session's stream (GET /api/video-sessions/{id}/events/). */
export type SessionEvent =
  | { type: 'hello' }
  | { type: 'resync' }
  | { type: 'masks' } & MaskletsAnswer
  | { type: 'job'; job: Pick<Job, 'id' | 'kind' | 'state' | 'progress' | 'message'> & { result?: Job['result'] } };

/**
 * Reads the session's event stream until it ends or `signal` aborts, calling `onEvent` for each
 * event (a fetch with the token: EventSource cannot send it). Resolves when the server closed it.
 */
export async function readSessionEvents(
  api: ApiClient, sessionId: number, onEvent: (event: SessionEvent) => void, signal: AbortSignal,
): Promise<void> {
  const response = await api.request('GET', `/api/video-sessions/${sessionId}/events/`, undefined, signal);
  if (!response.body) throw new Error('this browser cannot read a streamed answer');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
      if (data) onEvent(JSON.parse(data) as SessionEvent);
    }
  }
}
