// Typed client for the Django REST API. No React here: pages get one ApiClient.
// The browser app signs in with a session cookie (HttpOnly: no script can read or keep it) and
// echoes the CSRF cookie in X-CSRFToken on every write; it never holds an API token (those are for
// scripts and the CLI: POST /api/auth/token/). The shapes are the server's schema (apiTypes.ts);
// endpoints of one area live beside it (videoApi.ts, pages/review/reviewApi.ts, ...) as functions
// over `json` and `allPages`.
import { ApiError, errorDetail, VersionConflict } from './apiErrors';
import { rememberedStates } from './work';
import type { UploadedImage } from './apiPending';
import type {
  ApiTokenAnswer, BrowserSession, Health, ImageRecord, Job, MaskConflictBody, MaskCreate, MaskRecord, MaskStatus, MaskUpdate,
  MetricsAnswer, MetricsGroup, Page, PredictAnswer, PredictPending, PredictRequest, Project, ProjectCreate, ProjectUpdate, User, WorkPage,
} from './apiTypes';

/** predict's two answers told apart: the candidates, or the embedding still being computed (202). */
export type PredictResult = ({ status: 'ready' } & PredictAnswer) | PredictPending;

/** What a request carries to say who is asking, by method. */
export interface Credentials { headers(method: string): Record<string, string> }

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** The value of cookie `name` in a `document.cookie` string, or null. */
export function cookieValue(cookies: string, name: string): string | null {
  for (const part of cookies.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

/** The browser app's credentials: the session cookie goes by itself; writes add the CSRF token
 * Django put in the `csrftoken` cookie (read at each request: signing in rotates it). */
export function sessionCredentials(readCookies: () => string = () => document.cookie): Credentials {
  return {
    headers(method): Record<string, string> {
      if (SAFE_METHODS.has(method.toUpperCase())) return {};
      const csrf = cookieValue(readCookies(), 'csrftoken');
      return csrf ? { 'X-CSRFToken': csrf } : {};
    },
  };
}

/** An API token held in memory (tests, scripts): never written to the browser's storage. */
export function tokenCredentials(token: string): Credentials {
  return { headers: () => ({ Authorization: `Token ${token}` }) };
}

/** The path and query of a link the server built (absolute), for this client's base URL. */
function relativeLink(link: string): string {
  const url = new URL(link, 'http://relative.invalid');
  return `${url.pathname}${url.search}`;
}

type Fetch = typeof fetch;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export class ApiClient {
  private unauthorized: (() => void) | null = null;

  constructor(
    private readonly credentials: Credentials = sessionCredentials(),
    private readonly baseUrl = '',
    private readonly fetchImpl: Fetch = (...args) => fetch(...args),
  ) {}

  /** `handler` runs on every 401 (the app goes back to the log-in page); returns a function that removes it. */
  onUnauthorized(handler: () => void): () => void {
    this.unauthorized = handler;
    return () => {
      if (this.unauthorized === handler) this.unauthorized = null;
    };
  }

  private headers(method: string, json: boolean): Headers {
    const headers = new Headers({ Accept: 'application/json', ...this.credentials.headers(method) });
    if (json) headers.set('Content-Type', 'application/json');
    return headers;
  }

  /** Raw request; returns the Response for any 2xx (and 202), throws ApiError otherwise. */
  async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    // FormData goes as multipart (the browser sets the boundary); anything else as JSON.
    const form = typeof FormData !== 'undefined' && body instanceof FormData;
    const response = await this.fetchImpl(this.baseUrl + path, {
      method,
      headers: this.headers(method, body !== undefined && !form),
      body: body === undefined ? undefined : form ? body : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
    if (response.ok) return response;
    const parsed: unknown = await response.json().catch(() => null);
    const detail = errorDetail(parsed, response.statusText || `HTTP ${response.status}`);
    if (response.status === 401) this.unauthorized?.();
    const current = (parsed as Partial<MaskConflictBody> | null)?.current;
    if (response.status === 409 && current) throw new VersionConflict(detail, current, parsed);
    throw new ApiError(response.status, detail, parsed);
  }

  /** A multipart POST whose upload reports progress (fetch's does not): XMLHttpRequest, with the
   * same credentials, answers and errors as `json`. onProgress gets the fraction of the body sent. */
  upload<T>(path: string, form: FormData, onProgress?: (fraction: number) => void, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', this.baseUrl + path);
      this.headers('POST', false).forEach((value, key) => xhr.setRequestHeader(key, value));
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable && event.total > 0) onProgress?.(event.loaded / event.total);
      };
      xhr.onload = () => {
        const parsed = parseJson(xhr.responseText);
        if (xhr.status >= 200 && xhr.status < 300) { resolve(parsed as T); return; }
        if (xhr.status === 401) this.unauthorized?.();
        reject(new ApiError(xhr.status, errorDetail(parsed, xhr.statusText || `HTTP ${xhr.status}`), parsed));
      };
      xhr.onerror = () => reject(new TypeError('The upload did not reach the server.'));
      xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
      if (signal?.aborted) { xhr.abort(); return; }
      signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(form);
    });
  }

  /** A request answered with JSON (nothing for 204). */
  async json<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const response = await this.request(method, path, body, signal);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  /** Every keyset page of a list that takes ?cursor= (each answer's `next` link, followed as given). */
  async allCursorPages<T>(path: string, signal?: AbortSignal): Promise<T[]> {
    const items: T[] = [];
    let next: string | null = `${path}${path.includes('?') ? '&' : '?'}cursor=`;
    while (next) {
      const answer: { next?: string | null; results: T[] } = await this.json('GET', next, undefined, signal);
      items.push(...answer.results);
      next = answer.next ? relativeLink(answer.next) : null;
    }
    return items;
  }

  /** Every page of a DRF list (or the plain list when the view is not paginated). */
  async allPages<T>(path: string, signal?: AbortSignal): Promise<T[]> {
    const items: T[] = [];
    const separator = path.includes('?') ? '&' : '?';
    for (let page = 1; ; page++) {
      const answer = await this.json<Page<T> | T[]>('GET', `${path}${separator}page=${page}`, undefined, signal);
      if (Array.isArray(answer)) return answer;
      items.push(...answer.results);
      if (!answer.next) return items;
    }
  }

  // --- auth
  /** Who this browser is signed in as (user null: nobody); also hands the page its CSRF cookie. */
  session(): Promise<BrowserSession> {
    return this.json('GET', '/api/auth/session/');
  }

  /** Signs this browser in (a session cookie); wrong credentials 400, too many failures 429. */
  async login(username: string, password: string): Promise<User> {
    const session = await this.json<BrowserSession>('POST', '/api/auth/session/', { username, password });
    if (!session.user) throw new ApiError(500, 'the server did not sign this browser in', session);
    return session.user;
  }

  /** Ends this browser's session on the server (the cookie stops working). */
  async logout(): Promise<void> {
    await this.request('DELETE', '/api/auth/session/');
  }

  /** The user's API token (for scripts and the CLI), described without its key; null when none. */
  apiToken(): Promise<ApiTokenAnswer> {
    return this.json('GET', '/api/auth/api-token/');
  }

  /** Revokes the user's API token: every script using it gets 401 from now on. */
  async revokeApiToken(): Promise<void> {
    await this.request('DELETE', '/api/auth/api-token/');
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

  images(projectId: number, page = 1, states: readonly string[] = []): Promise<WorkPage<ImageRecord>> {
    return this.json('GET', `/api/projects/${projectId}/images/?page=${page}${states.length ? `&state=${states.join(',')}` : ''}`);
  }

  image(id: number): Promise<ImageRecord> {
    return this.json('GET', `/api/images/${id}/`);
  }

  /** The next image that still needs work after `afterImageId` (among `states`, the list's filter
   * remembered per project when not given), or null when there is none. */
  async nextImage(projectId: number, afterImageId?: number, states: readonly string[] = rememberedStates(projectId)): Promise<ImageRecord | null> {
    const params = new URLSearchParams();
    if (afterImageId !== undefined) params.set('after', String(afterImageId));
    if (states.length) params.set('state', states.join(','));
    const query = params.size ? `?${params.toString()}` : '';
    try {
      return await this.json<ImageRecord>('GET', `/api/projects/${projectId}/images/next/${query}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  /** The pixels, fetched signed in (file_url is same-origin and needs auth). */
  async imageBlob(image: Pick<ImageRecord, 'id' | 'file_url'>, signal?: AbortSignal): Promise<Blob> {
    const response = await this.fetchImpl(image.file_url, { headers: this.headers('GET', false), credentials: 'same-origin', signal });
    if (!response.ok) throw new ApiError(response.status, `image ${image.id}: HTTP ${response.status}`, null);
    return response.blob();
  }

  // --- prediction
  async predict(imageId: number, request: PredictRequest, signal?: AbortSignal): Promise<PredictResult> {
    const response = await this.request('POST', `/api/images/${imageId}/predict/`, request, signal);
    if (response.status === 202) return { ...((await response.json()) as PredictPending), status: 'embedding_pending' };
    return { ...((await response.json()) as PredictAnswer), status: 'ready' };
  }

  job(id: number, signal?: AbortSignal): Promise<Job> {
    return this.json('GET', `/api/jobs/${id}/`, undefined, signal);
  }

  cancelJob(id: number): Promise<Job> {
    return this.json('POST', `/api/jobs/${id}/cancel/`);
  }

  // --- masks
  /** Every mask of the image (all statuses unless `status` is given), all pages. */
  masks(imageId: number, status?: MaskStatus): Promise<MaskRecord[]> {
    return this.allCursorPages(`/api/masks/?image=${imageId}${status ? `&status=${status}` : ''}`);
  }

  mask(id: number): Promise<MaskRecord> {
    return this.json('GET', `/api/masks/${id}/`);
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
  api: ApiClient, id: number, options: {
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
    if (isFinalJob(job)) return job;
    await sleep(interval);
    interval = Math.min(interval * 1.5, 3000);
  }
}
