// The review endpoints over the shared ApiClient (apart from api.ts, as videoApi.ts is).
import type { ApiClient, MaskRecord, Page } from '../../core/api';
import type { CompressedRle } from '../../core/rle';

export type QueueKind = 'mask' | 'masklet';
export interface MaskletRecord {
  id: number; video: number; object_id: number; category: number | null; status: string;
  created_by: number | null; created_at: string; updated_at: string;
  frames: { count: number; visible: number; edited: number };
}
export interface QueueAnswer<T> { kind: QueueKind; count: number; results: T[] }
export interface ReviewRecord {
  id: number; mask: number | null; masklet: number | null; reviewer: string | null;
  decision: 'accepted' | 'rejected' | 'fixed' | string; reason: string; seconds: number; created_at: string; project: number;
}
export interface MaskDecision {
  decision: 'accept' | 'reject' | 'fix'; version: number; reason?: string; seconds: number; rle?: CompressedRle;
}
export interface MaskletDecision { decision: 'accept' | 'reject'; reason: string; seconds: number }

async function json<T>(api: ApiClient, method: string, path: string, body?: unknown): Promise<T> {
  const response = await api.request(method, path, body);
  return (await response.json()) as T;
}

export function maskQueue(api: ApiClient, projectId: number): Promise<QueueAnswer<MaskRecord>> {
  return json(api, 'GET', `/api/projects/${projectId}/review/queue/?kind=mask`);
}

export function maskletQueue(api: ApiClient, projectId: number): Promise<QueueAnswer<MaskletRecord>> {
  return json(api, 'GET', `/api/projects/${projectId}/review/queue/?kind=masklet`);
}

/** Throws VersionConflict (with the server's row) when the mask changed since it was shown. */
export function reviewMask(api: ApiClient, maskId: number, decision: MaskDecision): Promise<MaskRecord> {
  return json(api, 'POST', `/api/masks/${maskId}/review/`, decision);
}

export function reviewMasklet(api: ApiClient, maskletId: number, decision: MaskletDecision): Promise<MaskletRecord> {
  return json(api, 'POST', `/api/masklets/${maskletId}/review/`, decision);
}

export function myRejections(api: ApiClient, page = 1): Promise<Page<ReviewRecord>> {
  return json(api, 'GET', `/api/me/rejections/?page=${page}`);
}
