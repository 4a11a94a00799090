// The schedules section's data: the project's schedules with their latest runs, refreshed every
// REFRESH_MS (next run times and histories move on their own), and the manager's actions (create,
// pause, resume, delete) with what they answered.
import { useCallback, useEffect, useState } from 'react';
import type { ApiClient } from '../../core/api';
import { errorMessage } from '../../core/apiErrors';
import type { ScheduleCreate, ScheduledRun, TrainingSchedule } from '../../core/apiTypes';
import { createSchedule, deleteSchedule, scheduleRuns, schedules as fetchSchedules, updateSchedule } from './scheduleApi';

const REFRESH_MS = 15000;

export interface ScheduleWithRuns { schedule: TrainingSchedule; runs: ScheduledRun[] }

export interface Schedules {
  items: ScheduleWithRuns[] | null;
  error: string | null;
  busy: boolean;
  create: (body: ScheduleCreate) => Promise<boolean>;
  setPaused: (schedule: TrainingSchedule, paused: boolean) => Promise<void>;
  remove: (schedule: TrainingSchedule) => Promise<void>;
  reload: () => Promise<void>;
}

export function useSchedules(api: ApiClient, projectId: number, enabled: boolean): Schedules {
  const [items, setItems] = useState<ScheduleWithRuns[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const fetchAll = useCallback(async (): Promise<ScheduleWithRuns[]> => {
    const list = await fetchSchedules(api, projectId);
    return Promise.all(list.map(async (schedule) => ({ schedule, runs: await scheduleRuns(api, projectId, schedule.id) })));
  }, [api, projectId]);

  const reload = useCallback(async () => {
    try {
      setItems(await fetchAll());
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [fetchAll]);

  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const load = () => fetchAll().then((answer) => { if (live) setItems(answer); }, (e: unknown) => { if (live) setError(errorMessage(e)); });
    void load();
    const timer = window.setInterval(() => void load(), REFRESH_MS);
    return () => { live = false; window.clearInterval(timer); };
  }, [enabled, fetchAll]);

  async function acting(action: () => Promise<void>): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await action();
      await reload();
      return true;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    } finally {
      setBusy(false);
    }
  }

  return {
    items, error, busy, reload,
    create: (body) => acting(async () => { await createSchedule(api, projectId, body); }),
    setPaused: async (schedule, paused) => { await acting(async () => { await updateSchedule(api, projectId, schedule.id, { paused }); }); },
    remove: async (schedule) => { await acting(() => deleteSchedule(api, projectId, schedule.id)); },
  };
}
