// The retraining endpoints over the shared ApiClient (apart from api.ts, as reviewApi.ts is):
// rounds (list, start), model versions (list, promote, roll back).
import { ApiError, type ApiClient, type Job, type Page } from '../../core/api';

/** Held-out figures of one model as the backend writes them (training/evaluate.py METRIC_NAMES, plus "masks"). */
export type Figures = Partial<Record<string, number>>;
/** ModelVersion.metrics: the candidate and the model serving when the round ran, on the same held-out masks. */
export interface VersionMetrics { candidate?: Figures | null; parent?: Figures | null; gate_metric?: string }
export type VersionStatus = 'candidate' | 'active' | 'retired';
export interface ModelVersion {
  id: number; project: number; spec: string; version: string; parent_version: string; status: VersionStatus | string;
  metrics: VersionMetrics; snapshot: Record<string, unknown>; created_at: string; promoted_at: string | null;
}
export type RoundTrigger = 'manual' | 'schedule' | 'threshold';
export interface TrainingRound {
  id: number; project: number; trigger: RoundTrigger | string; config: Record<string, unknown>; job: Job;
  parent_version: string; candidate: ModelVersion | null; promoted: boolean | null; masks_used: number; log: string;
  created_at: string;
}
/** What a manager may set for one round (backend RoundConfigSerializer); everything is optional. */
export interface RoundConfig { steps?: number; heldout_percent?: number; seed?: number }

/** 409 on start: the project already has a round queued or running (`current`). */
export class RoundRunning extends Error {
  constructor(readonly detail: string, readonly current: TrainingRound | null) {
    super(detail);
    this.name = 'RoundRunning';
  }
}

async function json<T>(api: ApiClient, method: string, path: string, body?: unknown): Promise<T> {
  const response = await api.request(method, path, body);
  return (await response.json()) as T;
}

/** Every page of a DRF list (or a plain list, should the endpoint stop paginating). */
async function all<T>(api: ApiClient, path: string): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const answer = await json<Page<T> | T[]>(api, 'GET', `${path}?page=${page}`);
    if (Array.isArray(answer)) return answer;
    items.push(...answer.results);
    if (!answer.next) return items;
  }
}

/** A project's rounds, newest first (the API's order). */
export function rounds(api: ApiClient, projectId: number): Promise<TrainingRound[]> {
  return all(api, `/api/projects/${projectId}/rounds/`);
}

export function round(api: ApiClient, roundId: number): Promise<TrainingRound> {
  return json(api, 'GET', `/api/rounds/${roundId}/`);
}

/** Queue a round (202). Throws RoundRunning on 409 (one round at a time per project). */
export async function startRound(api: ApiClient, projectId: number, config: RoundConfig = {}): Promise<TrainingRound> {
  try {
    return await json(api, 'POST', `/api/projects/${projectId}/rounds/`, { config });
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      const current = (error.body as { current?: TrainingRound } | null)?.current ?? null;
      throw new RoundRunning(error.detail, current);
    }
    throw error;
  }
}

/** A project's model versions, newest first. */
export function modelVersions(api: ApiClient, projectId: number): Promise<ModelVersion[]> {
  return all(api, `/api/projects/${projectId}/model-versions/`);
}

export function promoteVersion(api: ApiClient, versionId: number): Promise<ModelVersion> {
  return json(api, 'POST', `/api/model-versions/${versionId}/promote/`);
}

/** Back to the active version's parent; `active` is null when that is the deployment's default model. */
export function rollback(api: ApiClient, projectId: number): Promise<{ active: ModelVersion | null }> {
  return json(api, 'POST', `/api/projects/${projectId}/model-versions/rollback/`);
}
