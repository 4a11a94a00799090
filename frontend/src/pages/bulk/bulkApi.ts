// Many masks (or masklets) at once: set the category, accept or reject; the answer says which were
// done and why the others were refused.
import type { ApiClient } from '../../core/api';
import type { MaskRecord, MaskStatus, Page } from '../../core/apiTypes';

export type BulkAction = 'categorise' | 'accept' | 'reject';
export interface BulkResult { done: number[]; refused: { id: number; reason: string }[] }

export function bulk(api: ApiClient, projectId: number, body: { kind: 'mask' | 'masklet'; ids: number[]; action: BulkAction; category?: number | null; reason?: string }): Promise<BulkResult> {
  return api.json('POST', `/api/projects/${projectId}/bulk/`, body);
}

export function projectMasks(api: ApiClient, projectId: number, page: number, status: MaskStatus | ''): Promise<Page<MaskRecord>> {
  return api.json('GET', `/api/masks/?project=${projectId}&page=${page}${status ? `&status=${status}` : ''}`);
}

export function bulkSummary(action: BulkAction, result: BulkResult): string {
  const verb = { categorise: 'categorised', accept: 'accepted', reject: 'rejected' }[action];
  const done = `${result.done.length} ${verb}`;
  if (!result.refused.length) return `${done}.`;
  const reasons = [...new Set(result.refused.map((r) => r.reason))].join('; ');
  return `${done}; ${result.refused.length} refused: ${reasons}.`;
}
