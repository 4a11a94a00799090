// Uploading many files with an answer per file. The API refuses a whole multipart request when one
// file is bad, so each file goes in its own request (a few at a time) and keeps its own status.
import { errorMessage } from './apiErrors';

export type UploadState = 'waiting' | 'uploading' | 'added' | 'duplicate' | 'failed';

export interface UploadItem {
  name: string; size: number; state: UploadState;
  /** The API's `detail` (or a network message) when the file was refused. */
  error?: string;
  imageId?: number;
  /** The fraction of the file sent so far, while uploading (when the browser reports it). */
  progress?: number;
}

export interface UploadOptions {
  concurrency?: number;
  signal?: AbortSignal;
  /** Called with a fresh array after every change (for React state). */
  onChange?: (items: UploadItem[]) => void;
}

/** The API prefixes its messages with the file name; the row already shows it. */
export function fileError(name: string, error: unknown): string {
  const cancelled = error instanceof DOMException && error.name === 'AbortError';
  const message = cancelled ? 'Cancelled.' : errorMessage(error);
  return message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message;
}

export async function uploadEach<F extends { name: string; size: number }>(
  files: F[],
  send: (file: F, signal?: AbortSignal, onProgress?: (fraction: number) => void) => Promise<{ id: number; created: boolean }>,
  options: UploadOptions = {},
): Promise<UploadItem[]> {
  let items: UploadItem[] = files.map((f) => ({ name: f.name, size: f.size, state: 'waiting' }));
  const update = (index: number, patch: Partial<UploadItem>) => {
    items = items.map((item, i) => (i === index ? { ...item, ...patch } : item));
    options.onChange?.(items);
  };
  options.onChange?.(items);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const index = next++;
      if (options.signal?.aborted) {
        update(index, { state: 'failed', error: 'Cancelled.' });
        continue;
      }
      update(index, { state: 'uploading', progress: 0 });
      let shown = 0;
      const onProgress = (fraction: number) => {
        const percent = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
        if (percent > shown) { shown = percent; update(index, { progress: percent / 100 }); }
      };
      try {
        const answer = await send(files[index], options.signal, onProgress);
        update(index, { state: answer.created ? 'added' : 'duplicate', imageId: answer.id, progress: undefined });
      } catch (error) {
        update(index, { state: 'failed', error: fileError(files[index].name, error), progress: undefined });
      }
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency ?? 3, files.length));
  await Promise.all(Array.from({ length: lanes }, worker));
  return items;
}

export function uploadSummary(items: UploadItem[]): string {
  const count = (state: UploadState) => items.filter((i) => i.state === state).length;
  const parts: string[] = [];
  const pending = count('waiting') + count('uploading');
  if (pending) parts.push(`${pending} uploading`);
  if (count('added')) parts.push(`${count('added')} added`);
  if (count('duplicate')) parts.push(`${count('duplicate')} already in the project`);
  if (count('failed')) parts.push(`${count('failed')} failed`);
  return parts.join(' · ');
}
