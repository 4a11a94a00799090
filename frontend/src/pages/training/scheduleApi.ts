// The retraining schedules endpoints over the shared ApiClient (managers and staff only): a project's
// schedules (list, create), one schedule (change: pause / resume, delete) and its history of runs.
import type { ApiClient } from '../../core/api';
import type { ScheduleCreate, ScheduledRun, ScheduleUpdate, TrainingSchedule } from '../../core/apiTypes';

const base = (projectId: number) => `/api/projects/${projectId}/schedules/`;

export function schedules(api: ApiClient, projectId: number): Promise<TrainingSchedule[]> {
  return api.allPages(base(projectId));
}

export function createSchedule(api: ApiClient, projectId: number, body: ScheduleCreate): Promise<TrainingSchedule> {
  return api.json('POST', base(projectId), body);
}

export function updateSchedule(api: ApiClient, projectId: number, id: number, body: ScheduleUpdate): Promise<TrainingSchedule> {
  return api.json('PATCH', `${base(projectId)}${id}/`, body);
}

export function deleteSchedule(api: ApiClient, projectId: number, id: number): Promise<void> {
  return api.json('DELETE', `${base(projectId)}${id}/`);
}

/** The schedule's latest runs, newest first (the first page of its history). */
export async function scheduleRuns(api: ApiClient, projectId: number, id: number): Promise<ScheduledRun[]> {
  const page = await api.json<{ results: ScheduledRun[] }>('GET', `${base(projectId)}${id}/runs/`);
  return page.results;
}
