// A project's jobs: queued, running (with progress), failed (with the message), finished; cancel
// what is queued or running, retry what failed or was cancelled. Read again while any job is live.
import { useState } from 'react';
import { canManage, isFinalJob } from '../../core/api';
import type { Job, JobState } from '../../core/apiTypes';
import { errorMessage } from '../../core/apiErrors';
import { useApp } from '../appContext';
import { JobBar } from '../JobBar';
import { Link } from '../Link';
import { ProjectNav } from '../ProjectNav';
import { useAsync } from '../useAsync';
import { useLiveReload } from '../useLiveReload';
import { cancelJob, jobKindLabel, projectJobs, retryJob } from './jobsApi';

const FILTERS: [string, JobState[]][] = [
  ['All', []], ['Queued or running', ['queued', 'running']], ['Failed', ['failed']], ['Cancelled', ['cancelled']], ['Succeeded', ['succeeded']],
];

export function JobsPage({ projectId }: { projectId: number }) {
  const { api, user } = useApp();
  const [filter, setFilter] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const project = useAsync(() => api.project(projectId), [api, projectId]);
  const jobs = useAsync(() => projectJobs(api, projectId, FILTERS[filter][1]), [api, projectId, filter]);
  useLiveReload(jobs.data?.results.some((j) => !isFinalJob(j)) ?? false, jobs.reload);
  const manager = canManage(project.data, user);

  async function act(action: (api_: typeof api, id: number) => Promise<Job>, job: Job) {
    setError(null);
    try {
      await action(api, job.id);
    } catch (e) {
      setError(errorMessage(e));
    }
    jobs.reload();
  }

  return (
    <main className="page jobs-page">
      <nav className="breadcrumbs"><Link to={{ page: 'projects' }}>Projects</Link> / {project.data?.name ?? '…'} / Jobs</nav>
      <div className="page-head">
        <h1>Jobs{project.data ? `: ${project.data.name}` : ''}</h1>
        {jobs.data && <span className="muted" data-testid="job-count">{jobs.data.count} jobs</span>}
      </div>
      {project.data && <ProjectNav project={project.data} current="jobs" />}
      <div className="filters" role="group" aria-label="Show jobs">
        {FILTERS.map(([label], i) => (
          <button key={label} type="button" className={i === filter ? 'primary' : ''} aria-pressed={i === filter} onClick={() => setFilter(i)}>{label}</button>
        ))}
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
      {jobs.error && <p className="form-error" role="alert">{jobs.error}</p>}
      {jobs.data && jobs.data.count === 0 && <p className="muted" data-testid="no-jobs">No jobs here. Uploads, exports, automatic runs and training rounds start them.</p>}
      {jobs.data && jobs.data.count > 0 && (
        <table className="table" data-testid="jobs">
          <thead><tr><th>Job</th><th>What</th><th>Status</th><th>Started</th><th>Attempts</th><th /></tr></thead>
          <tbody>
            {jobs.data.results.map((job) => (
              <tr key={job.id} data-testid={`job-${job.id}`} data-state={job.state}>
                <td>#{job.id}</td>
                <td>{jobKindLabel(job.kind)}{job.subject_id ? <span className="muted small"> ({(job.subject_type.split('.').pop() ?? '').replace('exportjob', 'export')} {job.subject_id})</span> : null}</td>
                <td>
                  {job.state === 'running' ? <JobBar job={job} /> : <span className={`status job-state-${job.state}`}>{job.state}</span>}
                  {job.message && job.state !== 'succeeded' && <div className={job.state === 'failed' ? 'form-error small' : 'muted small'}>{job.message}</div>}
                </td>
                <td className="small">{new Date(job.started_at ?? job.created_at).toLocaleString()}</td>
                <td>{job.attempts} / {job.max_attempts}</td>
                <td>
                  {!isFinalJob(job) && manager && <button type="button" onClick={() => act(cancelJob, job)}>Cancel</button>}
                  {job.retryable && manager && <button type="button" onClick={() => act(retryJob, job)}>Retry</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
