// The QA taxonomy of a video project (PLM fine-grained questions): question types, each with its
// subtypes, as one line per type ("type: subtype, subtype").
import { useState, type FormEvent } from 'react';
import type { Project } from '../../core/apiTypes';
import { errorMessage } from '../../core/apiErrors';
import { useApp } from '../appContext';

export function taxonomyText(taxonomy: Record<string, string[]>): string {
  return Object.entries(taxonomy).map(([type, subtypes]) => `${type}: ${subtypes.join(', ')}`).join('\n');
}

/** Lines "type: a, b" -> {type: [a, b]}; the sentence of the first problem, if any. */
export function parseTaxonomy(text: string): { taxonomy: Record<string, string[]>; error: string | null } {
  const taxonomy: Record<string, string[]> = {};
  for (const [n, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const [type, rest = ''] = line.split(':', 2);
    const name = type.trim();
    if (!name) return { taxonomy, error: `Line ${n + 1} has no question type before the colon.` };
    if (name.length > 64) return { taxonomy, error: `Line ${n + 1}: a question type has at most 64 characters.` };
    if (name in taxonomy) return { taxonomy, error: `“${name}” is listed twice.` };
    taxonomy[name] = rest.split(',').map((s) => s.trim()).filter(Boolean);
  }
  return { taxonomy, error: null };
}

export function TaxonomyEditor({ project, manager, onChanged }: { project: Project; manager: boolean; onChanged: (p: Project) => void }) {
  const { api } = useApp();
  const [text, setText] = useState(() => taxonomyText(project.qa_taxonomy as Record<string, string[]>));
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);

  async function save(e: FormEvent) {
    e.preventDefault();
    const parsed = parseTaxonomy(text);
    if (parsed.error) { setStatus({ ok: false, text: parsed.error }); return; }
    try {
      onChanged(await api.updateProject(project.id, { qa_taxonomy: parsed.taxonomy }));
      setStatus({ ok: true, text: `Taxonomy saved: ${Object.keys(parsed.taxonomy).length} question types.` });
    } catch (err) {
      setStatus({ ok: false, text: errorMessage(err) });
    }
  }

  return (
    <form className="panel form" onSubmit={save} data-testid="taxonomy">
      <h2>QA taxonomy</h2>
      <p className="muted small">The question types annotators pick for video questions (PLM-FGQA), one per line, with its subtypes after a colon: <code>action: counting, direction</code>.</p>
      <textarea name="taxonomy" rows={6} value={text} disabled={!manager} onChange={(e) => setText(e.target.value)} />
      {status && <p className={status.ok ? 'notice-ok' : 'form-error'} role={status.ok ? 'status' : 'alert'}>{status.text}</p>}
      {manager && <button type="submit" className="primary">Save taxonomy</button>}
    </form>
  );
}
