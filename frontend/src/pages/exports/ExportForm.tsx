// The form that starts an export: the format (those that fit the project's kind) and its options.
import { useState, type FormEvent } from 'react';
import type { ExportCreate, ExportFormat, ProjectKind } from '../../core/apiTypes';
import { errorMessage } from '../../core/apiErrors';
import { FORMATS } from './exportsApi';

export function ExportForm({ kind, onStart }: { kind: ProjectKind; onStart: (body: ExportCreate) => Promise<void> }) {
  const formats = FORMATS.filter((f) => f.kinds.includes(kind));
  const [format, setFormat] = useState<ExportFormat>(formats[0].format);
  const [includeAll, setIncludeAll] = useState(false);
  const [frames, setFrames] = useState(false);
  const [leaveOut, setLeaveOut] = useState(false);
  const [uncategorised, setUncategorised] = useState('uncategorised');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (format === 'coco' && !leaveOut && !uncategorised.trim()) {
      setError('Name the category for masks without one, or leave those masks out.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body: ExportCreate = { format, include_all: includeAll };
      if (format === 'sav') body.frames = frames;
      if (format === 'coco') body.uncategorised = leaveOut ? '' : uncategorised.trim();
      await onStart(body);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="panel form export-form" onSubmit={submit} data-testid="export-form">
      <h2>New export</h2>
      <fieldset className="format-choices">
        <legend>Format</legend>
        {formats.map((f) => (
          <label key={f.format} className="format-choice">
            <input type="radio" name="format" value={f.format} checked={format === f.format} onChange={() => setFormat(f.format)} />
            <strong>{f.label}</strong> <span className="muted small">{f.about}</span>
          </label>
        ))}
      </fieldset>
      <label className="row">
        <input type="checkbox" checked={includeAll} onChange={(e) => setIncludeAll(e.target.checked)} name="include_all" />
        Also proposed and rejected {kind === 'video' ? 'masklets' : 'masks'} (otherwise only kept ones; accepted ones where the project requires review)
      </label>
      {format === 'sav' && (
        <label className="row">
          <input type="checkbox" checked={frames} onChange={(e) => setFrames(e.target.checked)} name="frames" />
          Also the 24 fps frames as JPEGs (larger file)
        </label>
      )}
      {format === 'coco' && (
        <fieldset>
          <legend>Masks without a category</legend>
          <label className="row">
            <input type="radio" name="uncategorised-mode" checked={!leaveOut} onChange={() => setLeaveOut(false)} />
            Export them under the category
            <input
              type="text" name="uncategorised" value={uncategorised} disabled={leaveOut} maxLength={100}
              onChange={(e) => setUncategorised(e.target.value)} aria-label="Category for masks without one"
            />
          </label>
          <label className="row">
            <input type="radio" name="uncategorised-mode" checked={leaveOut} onChange={() => setLeaveOut(true)} data-testid="leave-out" />
            Leave them out
          </label>
        </fieldset>
      )}
      {error && <p className="form-error" role="alert">{error}</p>}
      <button type="submit" className="primary" disabled={busy}>{busy ? 'Starting…' : 'Start export'}</button>
    </form>
  );
}
