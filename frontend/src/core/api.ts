// Typed client for the Django REST API (token auth). No React here: pages get one ApiClient.
import type { CompressedRle } from './rle';

export interface User { id: number; username: string; is_staff: boolean }
export interface Category { id: number; name: string; color: string }
export type ProjectKind = 'image' | 'video';
/** assisted: people click, SAM proposes; semi: automatic proposals to accept / fix / reject; auto: no person. */
export type ProjectStage = 'assisted' | 'semi' | 'auto';
export interface Project {
  id: number; name: string; kind: ProjectKind; stage: ProjectStage; description: string; annotation_fps: number;
  categories: Category[]; role: string | null;
  image_count: number; video_count: number; mask_count: number; images_done: number;
}
export interface ProjectCreate { name: string; kind: ProjectKind; categories: string[]; description?: string }
export interface ProjectUpdate { name?: string; description?: string; stage?: ProjectStage; annotation_fps?: number }
/** An upload answer row: the image, and whether it is new (false: the same file was already in the project). */
export type UploadedImage = ImageRecord & { created: boolean };
export type EmbeddingStatus = 'ready' | 'pending' | 'failed' | 'none';
export interface ImageRecord {
  id: number; project: number; width: number; height: number; sha256: string; file_name: string;
  file_url: string; mask_count: number; embedding_status: EmbeddingStatus; created_at: string;
}
export interface Page<T> { count: number; next: string | null; previous: string | null; results: T[] }

export interface ModelInfo { backend: string; version: string; fallback: boolean; reason: string | null }
export interface PredictRequest {
  points: [number, number][]; labels: (0 | 1)[]; box?: [number, number, number, number];
  logits_token?: string; multimask: boolean;
}
/** One proposed mask; `logits_token` (when the server sends one) refines from this candidate. */
export interface Candidate { rle: CompressedRle; score: number; logits_token?: string }
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export interface Job { id: number | string; kind: string; state: JobState; progress: number; message: string; result?: unknown }
export type PredictResult =
  | { status: 'ready'; masks: Candidate[]; model: ModelInfo; logits_token: string }
  | { status: 'embedding_pending'; job: Pick<Job, 'id' | 'state' | 'progress'> | null; model?: ModelInfo };

export type MaskSource = 'manual' | 'assisted' | 'auto';
/** proposed: an automatic mask waiting for a person; rejected ones are kept for the metrics only. */
export type MaskStatus = 'proposed' | 'submitted' | 'accepted' | 'rejected';
export interface Prompt {
  kind: 'point' | 'box'; x?: number; y?: number; label?: 0 | 1; box?: [number, number, number, number];
  t_ms: number;
}
export interface MaskRecord {
  id: number; image: number; category: number | null; rle: CompressedRle; area: number;
  bbox: [number, number, number, number]; source: MaskSource; status: MaskStatus | string; version: number;
  seconds: number; clicks: number; model_version: string | null; created_by: number | string | null;
  created_at: string; updated_at: string;
  predicted_iou?: number | null; stability_score?: number | null; stage?: string; edited?: boolean;
}
export interface MaskCreate {
  image: number; category: number | null; rle: CompressedRle; source: MaskSource; seconds: number;
  clicks: number; prompts: Prompt[]; model_version?: string; predicted_iou?: number;
}
export interface MaskUpdate {
  version: number; rle?: CompressedRle; category?: number | null; seconds?: number; clicks?: number;
  prompts?: Prompt[];
}
export type MetricsGroup = 'day' | 'stage' | 'annotator' | 'model_version';
/** One group of GET /api/projects/{id}/metrics/; the group keys present are those asked for. */
export interface MetricsRow {
  day?: string | null; stage?: string | null; annotator?: string | null; model_version?: string | null;
  masks: number; images: number; person_masks?: number; masks_per_image: number | null;
  seconds_per_mask: number | null; clicks_per_mask: number | null;
  proposals_decided: number; proposals_unchanged: number; share_accepted_unchanged: number | null;
}
export interface MetricsAnswer { project: number; by: MetricsGroup[]; rows: MetricsRow[] }

export interface Health { status: string; checks: Record<string, unknown> & { model?: ModelInfo } }

/** A 4xx/5xx answer: `detail` is the API's message, `body` the parsed JSON (field errors, `current`). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly detail: string, readonly body: unknown) {
    super(`${status}: ${detail}`);
    this.name = 'ApiError';
  }
}

/** The answer to a 409 on PATCH/DELETE of a mask: the server's current row. */
export class VersionConflict extends ApiError {
  constructor(detail: string, readonly current: MaskRecord, body: unknown) {
    super(409, detail, body);
    this.name = 'VersionConflict';
  }
}

/** Where the token lives between page loads; localStorage in the browser, a Map in tests. */
export interface TokenStore { get(): string | null; set(token: string | null): void }

export function localTokenStore(storage: Storage = window.localStorage, key = 'segdata.token'): TokenStore {
  return {
    get: () => storage.getItem(key),
    set: (token) => (token === null ? storage.removeItem(key) : storage.setItem(key, token)),
  };
}

export function memoryTokenStore(initial: string | null = null): TokenStore {
  let token = initial;
  return { get: () => token, set: (t) => { token = t; } };
}

type Fetch = typeof fetch;

function errorDetail(body: unknown, fallback: string): string {
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    if (typeof record.detail === 'string') return record.detail;
    // DRF field errors: {"field": ["message", ...]}
    const parts = Object.entries(record).map(([field, value]) =>
      `${field}: ${Array.isArray(value) ? value.join(' ') : String(value)}`);
    if (parts.length) return parts.join('; ');
  }
  return fallback;
}

export class ApiClient {
  /** Called on 401 so the app can go back to the log-in page. */
  onUnauthorized: (() => void) | null = null;

  constructor(
    readonly tokens: TokenStore,
    private readonly baseUrl = '',
    private readonly fetchImpl: Fetch = (...args) => fetch(...args),
  ) {}

  get isLoggedIn(): boolean {
    return this.tokens.get() !== null;
  }

  private headers(json: boolean): Headers {
    const headers = new Headers({ Accept: 'application/json' });
    if (json) headers.set('Content-Type', 'application/json');
    const token = this.tokens.get();
    if (token) headers.set('Authorization', `Token ${token}`);
    return headers;
  }

  /** Raw request; returns the Response for any 2xx (and 202), throws ApiError otherwise. */
  async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    // FormData goes as multipart (the browser sets the boundary); anything else as JSON.
    const form = typeof FormData !== 'undefined' && body instanceof FormData;
    const response = await this.fetchImpl(this.baseUrl + path, {
      method,
      headers: this.headers(body !== undefined && !form),
      body: body === undefined ? undefined : form ? body : JSON.stringify(body),
      signal,
    });
    if (response.ok) return response;
    let parsed: unknown = null;
    try {
      parsed = await response.json();
    } catch {
      parsed = null;
    }
    const detail = errorDetail(parsed, response.statusText || `HTTP ${response.status}`);
    if (response.status === 401) this.onUnauthorized?.();
    const current = (parsed as { current?: MaskRecord } | null)?.current;
    if (response.status === 409 && current) throw new VersionConflict(detail, current, parsed);
    throw new ApiError(response.status, detail, parsed);
  }

  private async json<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const response = await this.request(method, path, body, signal);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  // --- auth
  async login(username: string, password: string): Promise<User> {
    const { token } = await this.json<{ token: string }>('POST', '/api/auth/token/', { username, password });
    this.tokens.set(token);
    return this.me();
  }

  logout(): void {
    this.tokens.set(null);
  }

  me(): Promise<User> {
    return this.json('GET', '/api/auth/me/');
  }

  health(): Promise<Health> {
    return this.json('GET', '/api/health/');
  }

  // --- projects and images
  projects(page = 1): Promise<Page<Project>> {
    return this.json('GET', `/api/projects/?page=${page}`);
  }

  project(id: number): Promise<Project> {
    return this.json('GET', `/api/projects/${id}/`);
  }

  createProject(project: ProjectCreate): Promise<Project> {
    return this.json('POST', '/api/projects/', project);
  }

  /** Managers only. Moving to 'semi' makes the server propose masks on every image without one. */
  updateProject(id: number, update: ProjectUpdate): Promise<Project> {
    return this.json('PATCH', `/api/projects/${id}/`, update);
  }

  /** Multipart upload (field `files`); one bad file refuses the whole request (4xx with `detail`). */
  uploadImages(projectId: number, files: Blob[], signal?: AbortSignal): Promise<UploadedImage[]> {
    const form = new FormData();
    for (const file of files) form.append('files', file, (file as File).name ?? 'image');
    return this.json('POST', `/api/projects/${projectId}/images/`, form, signal);
  }

  /** The fully automatic stage's batch job over every image (answers the running one if there is one). */
  autoAnnotate(projectId: number): Promise<Job> {
    return this.json('POST', `/api/projects/${projectId}/auto-annotate/`);
  }

  metrics(projectId: number, by: MetricsGroup[]): Promise<MetricsAnswer> {
    return this.json('GET', `/api/projects/${projectId}/metrics/?by=${by.join(',')}`);
  }

  images(projectId: number, page = 1): Promise<Page<ImageRecord>> {
    return this.json('GET', `/api/projects/${projectId}/images/?page=${page}`);
  }

  image(id: number): Promise<ImageRecord> {
    return this.json('GET', `/api/images/${id}/`);
  }

  /** The next image that still needs work after `afterImageId`, or null when there is none. */
  async nextImage(projectId: number, afterImageId?: number): Promise<ImageRecord | null> {
    const query = afterImageId === undefined ? '' : `?after=${afterImageId}`;
    try {
      return await this.json<ImageRecord>('GET', `/api/projects/${projectId}/images/next/${query}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  /** The pixels, fetched with the token (file_url is same-origin and needs auth). */
  async imageBlob(image: ImageRecord, signal?: AbortSignal): Promise<Blob> {
    const response = await this.fetchImpl(image.file_url, { headers: this.headers(false), signal });
    if (!response.ok) throw new ApiError(response.status, `image ${image.id}: HTTP ${response.status}`, null);
    return response.blob();
  }

  // --- prediction
  async predict(imageId: number, request: PredictRequest, signal?: AbortSignal): Promise<PredictResult> {
    const response = await this.request('POST', `/api/images/${imageId}/predict/`, request, signal);
    const body = await response.json();
    if (response.status === 202) return { status: 'embedding_pending', job: body.job ?? null, model: body.model };
    return { status: 'ready', masks: body.masks, model: body.model, logits_token: body.logits_token };
  }

  job(id: number | string, signal?: AbortSignal): Promise<Job> {
    return this.json('GET', `/api/jobs/${id}/`, undefined, signal);
  }

  cancelJob(id: number | string): Promise<Job> {
    return this.json('POST', `/api/jobs/${id}/cancel/`);
  }

  // --- masks
  /** Every mask of the image (all statuses unless `status` is given), all pages. */
  async masks(imageId: number, status?: MaskStatus): Promise<MaskRecord[]> {
    const all: MaskRecord[] = [];
    const filter = status ? `&status=${status}` : '';
    for (let page = 1; ; page++) {
      const answer = await this.json<Page<MaskRecord> | MaskRecord[]>('GET', `/api/masks/?image=${imageId}${filter}&page=${page}`);
      if (Array.isArray(answer)) return answer; // an unpaginated list
      all.push(...answer.results);
      if (!answer.next) return all;
    }
  }

  createMask(mask: MaskCreate): Promise<MaskRecord> {
    return this.json('POST', '/api/masks/', mask);
  }

  /** Throws VersionConflict (with the server's row) when `version` is stale. */
  updateMask(id: number, update: MaskUpdate): Promise<MaskRecord> {
    return this.json('PATCH', `/api/masks/${id}/`, update);
  }

  async deleteMask(id: number, version: number): Promise<void> {
    await this.request('DELETE', `/api/masks/${id}/?version=${version}`);
  }

  /** Decide on a proposed automatic mask; VersionConflict when `version` is stale. */
  acceptMask(id: number, version: number): Promise<MaskRecord> {
    return this.json('POST', `/api/masks/${id}/accept/`, { version });
  }

  rejectMask(id: number, version: number): Promise<MaskRecord> {
    return this.json('POST', `/api/masks/${id}/reject/`, { version });
  }
}

/** Managers of the project (and staff) change its stage, upload, and run automatic jobs. */
export function canManage(project: Pick<Project, 'role'> | null | undefined, user: Pick<User, 'is_staff'> | null): boolean {
  return !!project && (project.role === 'manager' || !!user?.is_staff);
}

export function isFinalJob(job: Pick<Job, 'state'>): boolean {
  return job.state !== 'queued' && job.state !== 'running';
}

/** Polls a job until it leaves queued/running; `onProgress` sees every answer. */
export async function waitForJob(
  api: ApiClient, id: number | string, options: {
    intervalMs?: number; signal?: AbortSignal; onProgress?: (job: Job) => void;
    sleep?: (ms: number) => Promise<void>;
  } = {},
): Promise<Job> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let interval = options.intervalMs ?? 500;
  for (;;) {
    if (options.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const job = await api.job(id, options.signal);
    options.onProgress?.(job);
    if (job.state !== 'queued' && job.state !== 'running') return job;
    await sleep(interval);
    interval = Math.min(interval * 1.5, 3000);
  }
}
