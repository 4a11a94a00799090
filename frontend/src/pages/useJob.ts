// Follows a background job (GET /api/jobs/{id}/ until it is final), remembering its id in the
// browser so a reload of the page picks the progress up again.
import { useCallback, useEffect, useState } from 'react';
import { waitForJob, type ApiClient, type Job } from '../core/api';

export interface JobTracker {
  job: Job | null;
  error: string | null;
  /** Start following a job (the answer of the POST that created it). */
  follow: (job: Job) => void;
  forget: () => void;
}

export function useJob(api: ApiClient, storageKey: string, storage: Storage = window.localStorage): JobTracker {
  const [jobId, setJobId] = useState<string | null>(() => storage.getItem(storageKey));
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (jobId === null) return;
    const abort = new AbortController();
    setError(null);
    waitForJob(api, jobId, { signal: abort.signal, intervalMs: 700, onProgress: (j) => { if (!abort.signal.aborted) setJob(j); } })
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        setError(e instanceof Error ? e.message : String(e));
      });
    return () => abort.abort();
  }, [api, jobId]);

  const follow = useCallback((started: Job) => {
    storage.setItem(storageKey, String(started.id));
    setJob(started);
    setJobId(String(started.id));
  }, [storage, storageKey]);

  const forget = useCallback(() => {
    storage.removeItem(storageKey);
    setJob(null);
    setJobId(null);
  }, [storage, storageKey]);

  // A stored id whose job is gone (another database, deleted) is forgotten quietly.
  useEffect(() => {
    if (error && /404|not found/i.test(error)) forget();
  }, [error, forget]);

  return { job: job && String(job.id) === jobId ? job : null, error, follow, forget };
}
