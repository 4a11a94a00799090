// A project's settings: its stage in the data engine (managers change it), and in the fully
// automatic stage the job that annotates every image.
import { useEffect, useRef, useState } from 'react';
import { ApiError, canManage, isFinalJob, type Job, type Project, type ProjectStage } from '../core/api';
import { STAGES, stageLabel } from '../core/stages';
import { useApp } from './appContext';
import { Link } from './Link';
import { useAsync } from './useAsync';
import { useJob } from './useJob';

function JobProgress({ job }: { job: Job }) {
  const percent = Math.round((job.progress ?? 0) * 100);
  return (
    <div className="job" data-testid="auto-job" data-state={job.state}>
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <div className={`progress-bar job-${job.state}`} style={{ width: `${job.state === 'succeeded' ? 100 : percent}%` }} />
        <span className="progress-label">{job.state === 'succeeded' ? 100 : percent}%</span>
      </div>
      <p className="small">
        <span className={`status job-state-${job.state}`}>{job.state}</span>{' '}
        {job.message && <span className="muted">{job.message}</span>}
        {job.state === 'succeeded' && jobSummary(job)}
      </p>
    </div>
  );
}

function jobSummary(job: Job): string {
  const result = job.result as { images?: number; masks?: number } | undefined;
  if (!result || typeof result.masks !== 'number') return '';
  const images = result.images ?? 0;
  return ` ${result.masks} mask${result.masks === 1 ? '' : 's'} on ${images} image${images === 1 ? '' : 's'}.`;
}

function AutoAnnotate({ project, onFinished }: { project: Project; onFinished: () => void }) {
  const { api } = useApp();
  const tracker = useJob(api, `segdata.autoJob.${project.id}`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const running = tracker.job !== null && !isFinalJob(tracker.job);
  // Once a job ends, the project's counts changed: reload them (once per job).
  const reported = useRef<string | null>(null);
  useEffect(() => {
    const job = tracker.job;
    if (job && isFinalJob(job) && reported.current !== String(job.id)) {
      reported.current = String(job.id);
      onFinished();
    }
  }, [tracker.job, onFinished]);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      tracker.follow(await api.autoAnnotate(project.id));
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : String((e as Error).message));
    } finally {
      setBusy(false);
    }
  }

  async function cancel() {
    if (!tracker.job) return;
    setBusy(true);
    try {
      // The poll sees the cancelled state on its next answer and stops.
      await api.cancelJob(tracker.job.id);
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : String((e as Error).message));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" data-testid="auto-annotate">
      <h2>Automatic annotation</h2>
      <p className="muted">
        One job on the GPU queue runs the automatic mask generator over every image of the project ({project.image_count}{' '}
        image{project.image_count === 1 ? '' : 's'}) and stores the masks as submitted. A job that is interrupted continues where it stopped; images already done
        by it are not done again.
      </p>
      <div className="row">
        <button type="button" className="primary" onClick={() => void start()} disabled={busy || running || project.kind !== 'image'}>
          {running ? 'Running…' : 'Run automatic annotation'}
        </button>
        {running && <button type="button" className="danger" onClick={() => void cancel()} disabled={busy}>Cancel</button>}
      </div>
      {tracker.job && <JobProgress job={tracker.job} />}
      {(error || tracker.error) && <p className="form-error" role="alert">{error ?? tracker.error}</p>}
    </section>
  );
}

export function SettingsPage({ projectId }: { projectId: number }) {
  const { api, user } = useApp();
  const loaded = useAsync(() => api.project(projectId), [api, projectId]);
  const [project, setProject] = useState<Project | null>(null);
  const [choice, setChoice] = useState<ProjectStage | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    if (loaded.data) {
      setProject(loaded.data);
      setChoice(loaded.data.stage);
    }
  }, [loaded.data]);

  const manager = canManage(project, user);

  async function applyStage() {
    if (!project || !choice || choice === project.stage) return;
    setSaving(true);
    setError(null);
    setNotice(null);
    try {
      const updated = await api.updateProject(project.id, { stage: choice });
      setProject(updated);
      setChoice(updated.stage);
      setNotice(updated.stage === 'semi'
        ? 'Stage changed to semi-automatic. Proposals are being computed for the images that have no mask yet.'
        : `Stage changed to ${stageLabel(updated.stage).toLowerCase()}.`);
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : String((e as Error).message));
    } finally {
      setSaving(false);
    }
  }

  return (
    <main className="page settings-page">
      <nav className="breadcrumbs">
        <Link to={{ page: 'projects' }}>Projects</Link> /{' '}
        <Link to={{ page: 'images', projectId, pageNumber: 1 }}>{project?.name ?? '…'}</Link> / Settings
      </nav>
      <div className="page-head">
        <h1>Settings{project ? `: ${project.name}` : ''}</h1>
        <span className="spacer" />
        <Link to={{ page: 'metrics', projectId }}>Metrics</Link>
      </div>
      {loaded.loading && <p className="muted">Loading…</p>}
      {loaded.error && <p className="form-error" role="alert">{loaded.error}</p>}
      {project && (
        <div className="settings-columns">
          <div className="settings-main">
            <section className="panel" data-testid="stage-settings">
              <h2>Stage</h2>
              <p className="muted">
                The data engine moves a project from masks made by people with the model's help, to the model proposing
                masks for people to check, to the model annotating alone. The stage is recorded on every mask, so the
                metrics compare them.
              </p>
              {!manager && <p className="notice">Only the project's managers can change the stage (your role: {project.role ?? 'none'}).</p>}
              <div className="stage-options" role="radiogroup" aria-label="stage">
                {STAGES.map((s) => (
                  <label key={s.stage} className={`stage-option${choice === s.stage ? ' chosen' : ''}`} data-stage={s.stage}>
                    <input
                      type="radio" name="stage" value={s.stage} checked={choice === s.stage} disabled={!manager || saving}
                      onChange={() => setChoice(s.stage)}
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
                    {saving ? 'Switching…' : choice && choice !== project.stage ? `Switch to ${stageLabel(choice).toLowerCase()}` : 'Switch stage'}
                  </button>
                </div>
              )}
              {notice && <p className="notice-ok" role="status" data-testid="stage-notice">{notice}</p>}
              {error && <p className="form-error" role="alert">{error}</p>}
            </section>
            {project.stage === 'auto' && manager && <AutoAnnotate project={project} onFinished={loaded.reload} />}
            {project.stage === 'auto' && !manager && (
              <section className="panel"><p className="muted">A manager runs the automatic annotation of this project.</p></section>
            )}
          </div>
          <aside className="panel settings-side">
            <h2>Project</h2>
            <dl className="facts">
              <dt>Kind</dt><dd>{project.kind}</dd>
              <dt>Stage</dt><dd data-testid="current-stage">{stageLabel(project.stage)}</dd>
              <dt>Images</dt><dd>{project.images_done} / {project.image_count} with masks</dd>
              <dt>Masks</dt><dd>{project.mask_count}</dd>
              <dt>Your role</dt><dd>{project.role ?? (user?.is_staff ? 'staff' : '—')}</dd>
            </dl>
            <h2>Categories</h2>
            {project.categories.length === 0 && <p className="muted small">None (masks without a category).</p>}
            <ul className="category-list">
              {project.categories.map((c) => (
                <li key={c.id}><span className="swatch" style={{ background: c.color }} /> {c.name}</li>
              ))}
            </ul>
          </aside>
        </div>
      )}
    </main>
  );
}
