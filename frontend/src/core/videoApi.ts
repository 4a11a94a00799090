// The video endpoints, as functions over the shared ApiClient (kept apart from api.ts so that file
// stays small): videos and their frames, the annotation session, prompts, propagation, masklets.
import { ApiError, type ApiClient, type Job, type Page } from './api';
import type { CompressedRle } from './rle';
import type { MaskletsAnswer } from './video';

export interface VideoRecord {
  id: number; project: number; width: number; height: number; file_name: string; fps: number; frame_count: number;
  duration?: number | null; annotation_fps: number; annotation_frame_count: number; frames_extracted: number;
  extraction_job: (Pick<Job, 'id' | 'state' | 'progress'> & { message?: string }) | null; file_url?: string;
  created_at?: string;
}
export interface FrameRecord { index: number; source_index: number; timestamp: number; file_url: string }
export interface VideoSessionRecord {
  id: number; video: number; worker: string | null; tracker_version?: string | null; frame_count: number;
  objects: { object_id: number; category: number | null; status: string }[];
}
export type VideoPromptRequest =
  | { kind: 'points'; frame: number; obj_id: number; points: [number, number][]; labels: (0 | 1)[];
    box?: [number, number, number, number]; category?: number | null }
  | { kind: 'mask'; frame: number; obj_id: number; rle: CompressedRle; category?: number | null }
  | { kind: 'remove'; frame: number; obj_id: number };
export type PropagateDirection = 'forward' | 'backward' | 'both';

async function json<T>(api: ApiClient, method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const response = await api.request(method, path, body, signal);
  return (await response.json()) as T;
}

/** Every page of a DRF list (or the plain list when the view is not paginated). */
async function all<T>(api: ApiClient, path: string, signal?: AbortSignal): Promise<T[]> {
  const out: T[] = [];
  const sep = path.includes('?') ? '&' : '?';
  for (let page = 1; ; page++) {
    const answer = await json<Page<T> | T[]>(api, 'GET', `${path}${sep}page=${page}`, undefined, signal);
    if (Array.isArray(answer)) return answer;
    out.push(...answer.results);
    if (!answer.next) return out;
  }
}

export function projectVideos(api: ApiClient, projectId: number, page = 1): Promise<Page<VideoRecord>> {
  return json(api, 'GET', `/api/projects/${projectId}/videos/?page=${page}`);
}

export function video(api: ApiClient, videoId: number, signal?: AbortSignal): Promise<VideoRecord> {
  return json(api, 'GET', `/api/videos/${videoId}/`, undefined, signal);
}

export function videoFrames(api: ApiClient, videoId: number, signal?: AbortSignal): Promise<FrameRecord[]> {
  return all<FrameRecord>(api, `/api/videos/${videoId}/frames/`, signal);
}

/** A frame's JPEG, fetched with the token (file_url needs it), as a blob. */
export async function frameBlob(api: ApiClient, frame: FrameRecord, signal?: AbortSignal): Promise<Blob> {
  const response = await api.request('GET', frame.file_url, undefined, signal);
  return response.blob();
}

/** Opens (or reuses) the video's session; null while its frames are not extracted (400). */
export async function openSession(api: ApiClient, videoId: number): Promise<VideoSessionRecord | null> {
  try {
    return await json<VideoSessionRecord>(api, 'POST', `/api/videos/${videoId}/session/`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) return null;
    throw error;
  }
}

export function addPrompt(api: ApiClient, sessionId: number, prompt: VideoPromptRequest): Promise<Job> {
  return json(api, 'POST', `/api/video-sessions/${sessionId}/prompts/`, prompt);
}

export function propagate(
  api: ApiClient, sessionId: number, start: number, direction: PropagateDirection, objIds?: number[],
): Promise<Job> {
  return json(api, 'POST', `/api/video-sessions/${sessionId}/propagate/`, { start, direction, ...(objIds?.length ? { obj_ids: objIds } : {}) });
}

/** Masklets and their frames; with `updatedAfter` only frames written since (streamed propagation). */
export function masklets(api: ApiClient, videoId: number, updatedAfter?: string | null, signal?: AbortSignal): Promise<MaskletsAnswer> {
  const query = updatedAfter ? `?updated_after=${encodeURIComponent(updatedAfter)}` : '';
  return json(api, 'GET', `/api/videos/${videoId}/masklets/${query}`, undefined, signal);
}
