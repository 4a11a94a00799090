// The fully automatic stage's batch job over every image of a project (managers): start, progress,
// cancel, and the summary of what it stored.
import { useEffect, useRef, useState } from 'react';
import { isFinalJob } from '../../core/api';
import { errorMessage } from '../../core/apiErrors';
import type { Job, Project } from '../../core/apiTypes';
import { useApp } from '../appContext';
import { JobBar } from '../JobBar';
import { useJob } from '../useJob';

function jobSummary(job: Job): string {
  const result = job.result as { images?: number; masks?: number } | undefined;
  if (!result || typeof result.masks !== 'number') return '';
  const images = result.images ?? 0;
  return ` ${result.masks} mask${result.masks === 1 ? '' : 's'} on ${images} image${images === 1 ? '' : 's'}.`;
}

function JobProgress({ job }: { job: Job }) {
  return (
    <div className="job" data-testid="auto-job" data-state={job.state}>
      <JobBar job={job} />
      <p className="small">
        <span className={`status job-state-${job.state}`}>{job.state}</span>{' '}
        {job.message && <span className="muted">{job.message}</span>}
        {job.state === 'succeeded' && jobSummary(job)}
      </p>
    </div>
  );
}

export function AutoAnnotate({ project, onFinished }: { project: Project; onFinished: () => void }) {
  const { api } = useApp();
  const tracker = useJob(api, `segdata.autoJob.${project.id}`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const running = tracker.job !== null && !isFinalJob(tracker.job);
  // Once a job ends, the project's counts changed: reload them (once per job).
  const reported = useRef<number | null>(null);
  useEffect(() => {
    const job = tracker.job;
    if (job && isFinalJob(job) && reported.current !== job.id) {
      reported.current = job.id;
      onFinished();
    }
  }, [tracker.job, onFinished]);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      tracker.follow(await api.autoAnnotate(project.id));
    } catch (e) {
      setError(errorMessage(e));
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
      setError(errorMessage(e));
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
