// The project's stage in the data engine, with a sentence on each; managers switch it.
import { useState } from 'react';
import { errorMessage } from '../../core/apiErrors';
import type { Project, ProjectStage } from '../../core/apiTypes';
import { STAGES, stageLabel } from '../../core/stages';
import { useApp } from '../appContext';

export function StagePanel({ project, manager, onChanged }: {
  project: Project; manager: boolean; onChanged: (updated: Project) => void;
}) {
  const { api } = useApp();
  // The stage picked but not applied yet (null: the project's own).
  const [picked, setPicked] = useState<ProjectStage | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const choice = picked ?? project.stage;

  async function applyStage() {
    if (choice === project.stage) return;
    setSaving(true);
    setError(null);
    setNotice(null);
    try {
      const updated = await api.updateProject(project.id, { stage: choice });
      onChanged(updated);
      setPicked(null);
      setNotice(updated.stage === 'semi'
        ? 'Stage changed to semi-automatic. Proposals are being computed for the images that have no mask yet.'
        : `Stage changed to ${stageLabel(updated.stage).toLowerCase()}.`);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <section className="panel" data-testid="stage-settings">
      <h2>Stage</h2>
      <p className="muted">
        The data engine moves a project from masks made by people with the model's help, to the model proposing
        masks for people to check, to the model annotating alone. The stage is recorded on every mask, so the
        metrics compare them.
      </p>
      {!manager && <p className="notice">Only the project's managers can change the stage (your role: {project.role ?? 'none'}).</p>}
      {project.learned_model_missing && <p className="banner banner-warning" data-testid="needs-model">The semi-automatic and fully automatic stages are off: {project.learned_model_missing}</p>}
      <div className="stage-options" role="radiogroup" aria-label="stage">
        {STAGES.map((s) => (
          <label key={s.stage} className={`stage-option${choice === s.stage ? ' chosen' : ''}`} data-stage={s.stage}>
            <input
              type="radio" name="stage" value={s.stage} checked={choice === s.stage}
              disabled={!manager || saving || (s.stage !== 'assisted' && !!project.learned_model_missing && project.stage !== s.stage)}
              onChange={() => setPicked(s.stage)}
            />
            <span className="stage-text">
              <span><strong>{s.label}</strong>{project.stage === s.stage && <span className="badge current">current</span>}</span>
              <span className="stage-summary">{s.summary}</span>
              <span className="muted small">{s.details}</span>
            </span>
          </label>
        ))}
      </div>
      {manager && (
        <div className="row">
          <button type="button" className="primary" onClick={() => void applyStage()} disabled={saving || choice === project.stage}>
            {saving ? 'Switching…' : choice !== project.stage ? `Switch to ${stageLabel(choice).toLowerCase()}` : 'Switch stage'}
          </button>
        </div>
      )}
      {notice && <p className="notice-ok" role="status" data-testid="stage-notice">{notice}</p>}
      {error && <p className="form-error" role="alert">{error}</p>}
    </section>
  );
}
