// The automatic-mask generator's settings (the semi-automatic proposals and the fully automatic
// runs): presets, one field per setting with its range, checked here and by the server.
import { useState, type FormEvent } from 'react';
import type { Project } from '../../core/apiTypes';
import { errorMessage } from '../../core/apiErrors';
import { FIELDS, parseSettings, PRESETS, SAM_DEFAULTS, settingsText, type AmgField, type AmgSettings } from '../../core/generator';
import { useApp } from '../appContext';

export function GeneratorSettings({ project, manager, onChanged }: { project: Project; manager: boolean; onChanged: (p: Project) => void }) {
  const { api } = useApp();
  const [values, setValues] = useState(() => settingsText({ ...SAM_DEFAULTS, ...(project.amg_settings as AmgSettings) }));
  const [errors, setErrors] = useState<Partial<Record<AmgField, string>>>({});
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);

  async function save(e: FormEvent) {
    e.preventDefault();
    const parsed = parseSettings(values);
    setErrors(parsed.errors);
    setStatus(null);
    if (Object.keys(parsed.errors).length) return;
    try {
      onChanged(await api.updateProject(project.id, { amg_settings: parsed.settings }));
      setStatus({ ok: true, text: 'Generator settings saved; the next proposals and automatic runs use them.' });
    } catch (err) {
      setStatus({ ok: false, text: errorMessage(err) });
    }
  }

  return (
    <form className="panel form" onSubmit={save} data-testid="generator-settings" noValidate>
      <h2>Automatic mask generator</h2>
      <p className="muted small">How the model proposes masks on its own: in the semi-automatic stage (proposals to check) and the fully automatic runs.</p>
      <div className="row" role="group" aria-label="Presets">
        {PRESETS.map((preset) => (
          <button key={preset.name} type="button" disabled={!manager} title={preset.about} onClick={() => { setValues(settingsText(preset.settings)); setErrors({}); }}>
            {preset.name}
          </button>
        ))}
      </div>
      {FIELDS.map((info) => (
        <label key={info.field}>
          {info.label} <span className="muted small">({info.min}–{info.max}) {info.help}</span>
          <input
            name={info.field} inputMode="decimal" value={values[info.field]} disabled={!manager} aria-invalid={!!errors[info.field]}
            onChange={(e) => setValues({ ...values, [info.field]: e.target.value })}
          />
          {errors[info.field] && <span className="form-error small" role="alert">{errors[info.field]}</span>}
        </label>
      ))}
      {status && <p className={status.ok ? 'notice-ok' : 'form-error'} role={status.ok ? 'status' : 'alert'}>{status.text}</p>}
      {manager && <button type="submit" className="primary">Save generator settings</button>}
    </form>
  );
}
