// The retraining endpoints over the shared ApiClient (apart from api.ts, as reviewApi.ts is):
// rounds (list, start), model versions (list, promote, roll back), simulator runs (list, start).
import type { ApiClient } from '../../core/api';
import { ApiError } from '../../core/apiErrors';
import type {
  ModelVersion, RollbackAnswer, RoundConfig, RoundConflictBody, Simulation, SimulationOptions, TrainingRound,
} from '../../core/apiTypes';

/** 409 on start: the project already has a round queued or running (`current`). */
export class RoundRunning extends Error {
  constructor(readonly detail: string, readonly current: TrainingRound | null) {
    super(detail);
    this.name = 'RoundRunning';
  }
}

/** A project's rounds, newest first (the API's order). */
export function rounds(api: ApiClient, projectId: number): Promise<TrainingRound[]> {
  return api.allPages(`/api/projects/${projectId}/rounds/`);
}

export function round(api: ApiClient, roundId: number): Promise<TrainingRound> {
  return api.json('GET', `/api/rounds/${roundId}/`);
}

/** Queue a round (202). Throws RoundRunning on 409 (one round at a time per project). */
export async function startRound(api: ApiClient, projectId: number, config: RoundConfig = {}): Promise<TrainingRound> {
  try {
    return await api.json('POST', `/api/projects/${projectId}/rounds/`, { config });
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      throw new RoundRunning(error.detail, (error.body as RoundConflictBody | null)?.current ?? null);
    }
    throw error;
  }
}

/** A project's model versions, newest first. */
export function modelVersions(api: ApiClient, projectId: number): Promise<ModelVersion[]> {
  return api.allPages(`/api/projects/${projectId}/model-versions/`);
}

export function promoteVersion(api: ApiClient, versionId: number): Promise<ModelVersion> {
  return api.json('POST', `/api/model-versions/${versionId}/promote/`);
}

/** Back to the active version's parent; `active` is null when that is the deployment's default model. */
export function rollback(api: ApiClient, projectId: number): Promise<RollbackAnswer> {
  return api.json('POST', `/api/projects/${projectId}/model-versions/rollback/`);
}

/** The project's simulator runs (jobs of kind "simulation"), newest first. */
export function simulations(api: ApiClient, projectId: number): Promise<Simulation[]> {
  return api.allPages(`/api/projects/${projectId}/simulations/`);
}

/** Queue a simulator run (202; site admins only). */
export function startSimulation(api: ApiClient, projectId: number, options: SimulationOptions = {}): Promise<Simulation> {
  return api.json('POST', `/api/projects/${projectId}/simulations/`, { options });
}
