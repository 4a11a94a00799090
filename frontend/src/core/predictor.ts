// Interactive prediction with the "embedding not ready yet" path: predict answers 202 with a job,
// we poll the job (reporting progress), then ask again. The page only sees progress and a result.
import { ApiClient, waitForJob, type PredictResult } from './api';
import { ApiError } from './apiErrors';
import type { Job, ModelInfo, PredictRequest } from './apiTypes';

export type ReadyPrediction = Extract<PredictResult, { status: 'ready' }>;

export interface PredictOptions {
  signal?: AbortSignal;
  /** Called while the image is being prepared (embedding computed on the server). */
  onPreparing?: (job: Pick<Job, 'state' | 'progress'> & { message?: string }) => void;
  /** The model the server reported while the image was not ready (to show a fallback early). */
  onModel?: (model: ModelInfo) => void;
  pollIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** How many times to re-ask predict after a finished job (guards against a loop). */
  maxRounds?: number;
}

export async function predictWhenReady(
  api: ApiClient, imageId: number, request: PredictRequest, options: PredictOptions = {},
): Promise<ReadyPrediction> {
  const rounds = options.maxRounds ?? 30;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let round = 0; round < rounds; round++) {
    const answer = await api.predict(imageId, request, options.signal);
    if (answer.status === 'ready') return answer;
    if (answer.model) options.onModel?.(answer.model);
    if (!answer.job) {
      // Pending without a job to follow (e.g. queued elsewhere): ask again after a pause.
      options.onPreparing?.({ state: 'queued', progress: 0 });
      await sleep(options.pollIntervalMs ?? 1000);
      continue;
    }
    options.onPreparing?.(answer.job);
    const job = await waitForJob(api, answer.job.id, {
      signal: options.signal, intervalMs: options.pollIntervalMs, sleep: options.sleep,
      onProgress: (j) => options.onPreparing?.(j),
    });
    if (job.state !== 'succeeded') {
      throw new ApiError(503, `preparing the image ${job.state}${job.message ? `: ${job.message}` : ''}`, job);
    }
  }
  throw new ApiError(503, 'the image is still not ready after its embedding job finished', null);
}
