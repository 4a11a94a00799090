// Follows a background job (GET /api/jobs/{id}/ until it is final), remembering its id in the
// browser so a reload of the page picks the progress up again.
import { useCallback, useEffect, useState } from 'react';
import { waitForJob, type ApiClient } from '../core/api';
import { ApiError, errorMessage } from '../core/apiErrors';
import type { Job } from '../core/apiTypes';

export interface JobTracker {
  job: Job | null;
  error: string | null;
  /** Start following a job (the answer of the POST that created it). */
  follow: (job: Job) => void;
  forget: () => void;
}

export function useJob(api: ApiClient, storageKey: string, storage: Storage = window.localStorage): JobTracker {
  const [jobId, setJobId] = useState<number | null>(() => {
    const stored = Number(storage.getItem(storageKey));
    return stored > 0 ? stored : null;
  });
  const [job, setJob] = useState<Job | null>(null);
  // The error belongs to the job id it came from: following another job clears it.
  const [failure, setFailure] = useState<{ jobId: number; message: string } | null>(null);

  const forget = useCallback(() => {
    storage.removeItem(storageKey);
    setJob(null);
    setJobId(null);
  }, [storage, storageKey]);

  useEffect(() => {
    if (jobId === null) return;
    const abort = new AbortController();
    waitForJob(api, jobId, { signal: abort.signal, intervalMs: 700, onProgress: (j) => { if (!abort.signal.aborted) setJob(j); } })
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        // A stored id whose job is gone (another database, deleted) is forgotten quietly.
        if (e instanceof ApiError && e.status === 404) forget();
        else setFailure({ jobId, message: errorMessage(e) });
      });
    return () => abort.abort();
  }, [api, jobId, forget]);

  const follow = useCallback((started: Job) => {
    storage.setItem(storageKey, String(started.id));
    setJob(started);
    setJobId(started.id);
  }, [storage, storageKey]);

  return {
    job: job && job.id === jobId ? job : null,
    error: failure && failure.jobId === jobId ? failure.message : null,
    follow, forget,
  };
}
