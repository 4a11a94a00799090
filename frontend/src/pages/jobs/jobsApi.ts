// A project's jobs, cancel and retry; what each kind of job does, in words.
import type { ApiClient } from '../../core/api';
import type { Job, JobState, Page } from '../../core/apiTypes';

export const JOB_KINDS: Record<string, string> = {
  embed: 'Image embedding',
  extract_frames: 'Frame extraction',
  propose_masks: 'Proposals (semi-automatic)',
  auto_annotate: 'Automatic annotation',
  export: 'Export',
  training_round: 'Training round',
  video_prompt: 'Video prompt',
  video_propagate: 'Propagation',
};

export function jobKindLabel(kind: string): string {
  return JOB_KINDS[kind] ?? kind.replace(/_/g, ' ');
}

export function projectJobs(api: ApiClient, projectId: number, states: JobState[]): Promise<Page<Job>> {
  const filter = states.length ? `?state=${states.join(',')}` : '';
  return api.json('GET', `/api/projects/${projectId}/jobs/${filter}`);
}

export function cancelJob(api: ApiClient, jobId: number): Promise<Job> {
  return api.json('POST', `/api/jobs/${jobId}/cancel/`);
}

export function retryJob(api: ApiClient, jobId: number): Promise<Job> {
  return api.json('POST', `/api/jobs/${jobId}/retry/`);
}
