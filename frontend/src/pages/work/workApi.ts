// The work items' endpoints: an item's decision and its thumbnail (fetched with the token).
import type { ApiClient } from '../../core/api';
import type { WorkAction } from '../../core/work';

export type ItemKind = 'image' | 'video';

export function decide(api: ApiClient, kind: ItemKind, id: number, action: WorkAction, reason = ''): Promise<unknown> {
  const body = action === 'flag' || action === 'skip' ? { reason } : undefined;
  return api.json('POST', `/api/${kind}s/${id}/${action}/`, body);
}

export async function thumbnailUrl(api: ApiClient, path: string, signal: AbortSignal): Promise<string> {
  const response = await api.request('GET', path, undefined, signal);
  return URL.createObjectURL(await response.blob());
}
