// A new retraining schedule: a clock (every N minutes / hours / days, or a cron line in UTC) and/or a
// number of newly accepted masks, and the recipe of its rounds (steps, trainable part, gate figure).
import { useState } from 'react';
import type { ScheduleCreate, SchedulePeriod } from '../../core/apiTypes';

type ClockKind = 'interval' | 'cron' | 'none';
const TRAINABLE = ['decoder', 'decoder+prompt', 'all'] as const;
const GATE_METRICS = ['NoC@85', 'NoC@90', 'mIoU@1', 'mIoU@3', 'mIoU@5'] as const;

/** A positive whole number typed in a field, or null for an empty one (the server judges the rest). */
function count(text: string): number | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : Number(trimmed);
}

export function scheduleBody(form: {
  name: string; clock: ClockKind; every: string; period: SchedulePeriod; cron: string; everyMasks: string;
  minNewMasks: string; steps: string; trainable: string; gateMetric: string;
}): ScheduleCreate {
  const body: ScheduleCreate = { name: form.name.trim(), config: {} };
  if (form.clock === 'interval') Object.assign(body, { every: count(form.every), period: form.period });
  if (form.clock === 'cron') body.cron = form.cron.trim();
  const everyMasks = count(form.everyMasks);
  if (everyMasks !== null) body.every_masks = everyMasks;
  const minNew = count(form.minNewMasks);
  if (minNew !== null) body.min_new_masks = minNew;
  const steps = count(form.steps);
  if (steps !== null) body.config = { ...body.config, steps };
  if (form.trainable) body.config = { ...body.config, trainable: form.trainable as (typeof TRAINABLE)[number] };
  if (form.gateMetric) body.config = { ...body.config, gate_metric: form.gateMetric as (typeof GATE_METRICS)[number] };
  return body;
}

export function ScheduleForm({ busy, gateMetric, onCreate }: {
  busy: boolean; gateMetric?: string; onCreate: (body: ScheduleCreate) => Promise<boolean>;
}) {
  const [name, setName] = useState('');
  const [clock, setClock] = useState<ClockKind>('interval');
  const [every, setEvery] = useState('1');
  const [period, setPeriod] = useState<SchedulePeriod>('days');
  const [cron, setCron] = useState('0 3 * * *');
  const [everyMasks, setEveryMasks] = useState('');
  const [minNewMasks, setMinNewMasks] = useState('1');
  const [steps, setSteps] = useState('');
  const [trainable, setTrainable] = useState('');
  const [gate, setGate] = useState('');

  const submit = async () => {
    const body = scheduleBody({ name, clock, every, period, cron, everyMasks, minNewMasks, steps, trainable, gateMetric: gate });
    if (await onCreate(body)) setName('');
  };

  return (
    <form className="schedule-form" data-testid="schedule-form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <div className="row">
        <label>Name <input name="schedule-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} placeholder="nightly" /></label>
        <label>Clock{' '}
          <select name="clock" value={clock} onChange={(e) => setClock(e.target.value as ClockKind)}>
            <option value="interval">every…</option>
            <option value="cron">at a cron time (UTC)</option>
            <option value="none">no clock (masks only)</option>
          </select>
        </label>
        {clock === 'interval' && (
          <>
            <input type="number" name="every" min={1} value={every} onChange={(e) => setEvery(e.target.value)} className="steps-input" aria-label="every" />
            <select name="period" value={period} onChange={(e) => setPeriod(e.target.value as SchedulePeriod)} aria-label="period">
              <option value="minutes">minutes</option>
              <option value="hours">hours</option>
              <option value="days">days</option>
            </select>
          </>
        )}
        {clock === 'cron' && (
          <input name="cron" value={cron} onChange={(e) => setCron(e.target.value)} aria-label="cron"
            title="minute hour day-of-month month day-of-week, in UTC" className="cron-input" />
        )}
        <label>after every{' '}
          <input type="number" name="every-masks" min={1} value={everyMasks} onChange={(e) => setEveryMasks(e.target.value)}
            placeholder="—" className="steps-input" /> new masks
        </label>
      </div>
      <div className="row">
        {clock !== 'none' && (
          <label title="a timed run starts a round only if this many masks were accepted since the last round">
            timed runs need{' '}
            <input type="number" name="min-new-masks" min={0} value={minNewMasks} onChange={(e) => setMinNewMasks(e.target.value)} className="steps-input" /> new masks
          </label>
        )}
        <label>steps <input type="number" name="schedule-steps" min={1} value={steps} onChange={(e) => setSteps(e.target.value)} placeholder="default" className="steps-input" /></label>
        <label>trains{' '}
          <select name="trainable" value={trainable} onChange={(e) => setTrainable(e.target.value)}>
            <option value="">default</option>
            {TRAINABLE.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <label>gate{' '}
          <select name="gate-metric" value={gate} onChange={(e) => setGate(e.target.value)}>
            <option value="">project's ({gateMetric ?? '…'})</option>
            {GATE_METRICS.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </label>
        <span className="spacer" />
        <button type="submit" className="primary" disabled={busy}>Add schedule</button>
      </div>
    </form>
  );
}
