// The review endpoints over the shared ApiClient (apart from api.ts, as videoApi.ts is).
import type { ApiClient } from '../../core/api';
import type {
  MaskDecision, MaskletDecision, MaskletRecord, MaskRecord, Page, ReviewQueueAnswer, ReviewRecord,
} from '../../core/apiTypes';

export type QueueKind = ReviewQueueAnswer<unknown>['kind'];

export function maskQueue(api: ApiClient, projectId: number): Promise<ReviewQueueAnswer<MaskRecord>> {
  return api.json('GET', `/api/projects/${projectId}/review/queue/?kind=mask`);
}

export function maskletQueue(api: ApiClient, projectId: number): Promise<ReviewQueueAnswer<MaskletRecord>> {
  return api.json('GET', `/api/projects/${projectId}/review/queue/?kind=masklet`);
}

/** Throws VersionConflict (with the server's row) when the mask changed since it was shown. */
export function reviewMask(api: ApiClient, maskId: number, decision: MaskDecision): Promise<MaskRecord> {
  return api.json('POST', `/api/masks/${maskId}/review/`, decision);
}

export function reviewMasklet(api: ApiClient, maskletId: number, decision: MaskletDecision): Promise<MaskletRecord> {
  return api.json('POST', `/api/masklets/${maskletId}/review/`, decision);
}

export function myRejections(api: ApiClient, page = 1): Promise<Page<ReviewRecord>> {
  return api.json('GET', `/api/me/rejections/?page=${page}`);
}
