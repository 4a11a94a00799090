// What the sent-back page and the top bar's badge need from GET /api/me/rejections/.
import type { ApiClient } from '../../core/api';
import type { ReviewRecord } from '../../core/apiTypes';


/** Image id of each rejected mask (the rejection rows carry the mask id only): mask id -> image id. */
export async function maskImages(api: ApiClient, rows: ReviewRecord[]): Promise<Map<number, number>> {
  const ids = [...new Set(rows.map((r) => r.mask).filter((id): id is number => id !== null))];
  const pairs = await Promise.all(ids.map(async (id) => {
    try {
      return [id, (await api.mask(id)).image] as const;
    } catch {
      return null;
    }
  }));
  return new Map(pairs.filter((p): p is readonly [number, number] => p !== null));
}

/** The badge's text: nothing for zero, the count up to 99, then 99+. */
export function badgeText(count: number | null | undefined): string {
  if (!count || count < 0) return '';
  return count > 99 ? '99+' : String(count);
}
