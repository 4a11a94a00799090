// A job's progress as a bar with its percent (coloured by state: failed red, cancelled grey).
import type { Job } from '../core/apiTypes';

export function JobBar({ job }: { job: Pick<Job, 'state' | 'progress'> }) {
  const percent = job.state === 'succeeded' ? 100 : Math.round((job.progress ?? 0) * 100);
  return (
    <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
      <div className={`progress-bar job-${job.state}`} style={{ width: `${percent}%` }} />
      <span className="progress-label">{percent}%</span>
    </div>
  );
}
