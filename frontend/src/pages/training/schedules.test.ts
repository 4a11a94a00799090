import { describe, expect, it } from 'vitest';
import { scheduleBody } from './ScheduleForm';
import { describeSchedule } from './SchedulesSection';

const form = {
  name: ' nightly ', clock: 'interval' as const, every: '6', period: 'hours' as const, cron: '0 3 * * *', everyMasks: '',
  minNewMasks: '1', steps: '', trainable: '', gateMetric: '',
};

describe('describeSchedule', () => {
  it('names the clock and the threshold', () => {
    expect(describeSchedule({ every: 6, period: 'hours', cron: null, every_masks: null })).toBe('every 6 hours');
    expect(describeSchedule({ every: 1, period: 'days', cron: null, every_masks: 1 })).toBe('every day and after every 1 new mask');
    expect(describeSchedule({ every: null, period: null, cron: '0 3 * * *', every_masks: 200 }))
      .toBe('at cron 0 3 * * * (UTC) and after every 200 new masks');
  });
});

describe('scheduleBody', () => {
  it('sends the clock chosen, the threshold and only the recipe settings given', () => {
    expect(scheduleBody(form)).toEqual({ name: 'nightly', every: 6, period: 'hours', min_new_masks: 1, config: {} });
    expect(scheduleBody({ ...form, clock: 'cron', everyMasks: '50', steps: '20', trainable: 'decoder', gateMetric: 'mIoU@1' }))
      .toEqual({ name: 'nightly', cron: '0 3 * * *', every_masks: 50, min_new_masks: 1, config: { steps: 20, trainable: 'decoder', gate_metric: 'mIoU@1' } });
    expect(scheduleBody({ ...form, clock: 'none', everyMasks: '10', minNewMasks: '' })).toEqual({ name: 'nightly', every_masks: 10, config: {} });
  });
});
