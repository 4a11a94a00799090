// The exports endpoints, and what each format is for (the form's sentences).
import type { ApiClient } from '../../core/api';
import type { ExportCreate, ExportFormat, ExportRecord, Page } from '../../core/apiTypes';

export interface FormatInfo { format: ExportFormat; label: string; about: string; kinds: ('image' | 'video')[] }

export const FORMATS: FormatInfo[] = [
  { format: 'coco', label: 'COCO', kinds: ['image'], about: 'One instances JSON with RLE masks and COCO boxes; images under their uploaded names. Reads with pycocotools.' },
  { format: 'sa1b', label: 'SA-1B', kinds: ['image'], about: 'A tar of sa_<id>.json files and the images, as SAM\'s dataset ships them.' },
  { format: 'sav', label: 'SA-V', kinds: ['video'], about: 'A tar in the layout sam2\'s SAVDataset reads: 24 fps videos and the manual masklet JSON. Every video needs its environment.' },
  { format: 'plm-fgqa', label: 'PLM-FGQA', kinds: ['video'], about: 'Fine-grained video questions and answers as JSON Lines.' },
  { format: 'plm-stc', label: 'PLM-STC', kinds: ['video'], about: 'Region captions (rcap, rtloc, rdcap) on masklets, with the 6 fps videos they name.' },
];

export function formatLabel(format: string): string {
  return FORMATS.find((f) => f.format === format)?.label ?? format;
}

export function projectExports(api: ApiClient, projectId: number, page = 1): Promise<Page<ExportRecord>> {
  return api.json('GET', `/api/projects/${projectId}/exports/?page=${page}`);
}

export function startExport(api: ApiClient, projectId: number, body: ExportCreate): Promise<ExportRecord> {
  return api.json('POST', `/api/projects/${projectId}/exports/`, body);
}

export function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Downloads need the token, so the file is fetched and handed to the browser as a blob. */
export async function downloadExport(api: ApiClient, record: ExportRecord): Promise<void> {
  if (!record.download_url) return;
  const response = await api.request('GET', record.download_url);
  const blob = await response.blob();
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `export-${record.id}`;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
