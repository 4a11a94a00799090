// Upload images or videos into a project (managers): choose or drop files; each goes in its own
// request and gets its own line (a bar of the bytes sent, then added, already in the project, or the
// server's reason for refusing it). What follows an upload (embeddings, frame extraction) shows in
// the list, read from its jobs.
import { useRef, useState, type DragEvent } from 'react';
import { uploadEach, uploadSummary, type UploadItem } from '../core/upload';
import { useApp } from './appContext';

const STATE_LABEL = { waiting: 'waiting', uploading: 'uploading…', added: 'added', duplicate: 'already in the project', failed: 'refused' } as const;

const KINDS = {
  image: { title: 'Upload images', accept: 'image/jpeg,image/png,image/webp', about: 'JPEG, PNG or WebP' },
  video: { title: 'Upload videos', accept: 'video/*,.mp4,.mov,.m4v,.webm,.mkv,.avi', about: 'MP4, MOV, WebM, MKV or AVI; frames are extracted for annotation after the upload' },
} as const;

export function UploadPanel({ projectId, kind = 'image', onUploaded }: { projectId: number; kind?: 'image' | 'video'; onUploaded: () => void }) {
  const { api } = useApp();
  const input = useRef<HTMLInputElement>(null);
  const [items, setItems] = useState<UploadItem[]>([]);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);

  async function upload(files: File[]) {
    if (!files.length || busy) return;
    setBusy(true);
    try {
      const done = await uploadEach(files, async (file, signal, onProgress) => {
        const form = new FormData();
        form.append('files', file, file.name);
        const [item] = await api.upload<{ id: number; created: boolean }[]>(`/api/projects/${projectId}/${kind}s/`, form, onProgress, signal);
        return item;
      }, { concurrency: 2, onChange: setItems });
      if (done.some((i) => i.state === 'added')) onUploaded();
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    void upload([...e.dataTransfer.files]);
  }

  return (
    <section
      className={`upload${dragging ? ' dragging' : ''}`} data-testid="upload"
      onDragOver={(e) => { e.preventDefault(); setDragging(true); }} onDragLeave={() => setDragging(false)} onDrop={onDrop}
    >
      <div className="upload-head">
        <strong>{KINDS[kind].title}</strong>
        <span className="muted small">{KINDS[kind].about} — choose files or drop them here. A file already in the project is not stored twice.</span>
        <span className="spacer" />
        <label className={`button${busy ? ' disabled' : ''}`}>
          {busy ? 'Uploading…' : 'Choose files…'}
          <input
            ref={input} type="file" multiple accept={KINDS[kind].accept} hidden disabled={busy}
            onChange={(e) => void upload([...(e.target.files ?? [])])} data-testid="upload-input"
          />
        </label>
      </div>
      {items.length > 0 && (
        <>
          <p className="small" data-testid="upload-summary">{uploadSummary(items)}</p>
          <ul className="upload-list" data-testid="upload-list">
            {items.map((item, i) => (
              <li key={`${item.name}-${i}`} className={`upload-${item.state}`}>
                <span className="upload-name">{item.name}</span>
                <span className="muted small">{Math.max(1, Math.round(item.size / 1024))} KB</span>
                {item.state === 'uploading' && item.progress !== undefined && (
                  <progress max={1} value={item.progress} aria-label={`${item.name} sent`} data-testid="upload-progress" />
                )}
                <span className={`status upload-state-${item.state}`}>
                  {item.state === 'uploading' && item.progress !== undefined ? `${Math.round(item.progress * 100)} %` : STATE_LABEL[item.state]}
                </span>
                {item.error && <span className="form-error small" role="alert">{item.error}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
