// A project's categories (managers): add, rename, recolour, and merge one into another (its masks
// and masklets move over).
import { useState } from 'react';
import type { Category, Project } from '../../core/apiTypes';
import { errorMessage } from '../../core/apiErrors';
import { useApp } from '../appContext';

function CategoryRow({ category, others, manager, act }: {
  category: Category; others: Category[]; manager: boolean; act: (run: () => Promise<unknown>, done: string) => void;
}) {
  const { api } = useApp();
  const [name, setName] = useState(category.name);
  const rename = () => name.trim() && name.trim() !== category.name
    && act(() => api.json('PATCH', `/api/categories/${category.id}/`, { name: name.trim() }), `Renamed to ${name.trim()}.`);
  return (
    <li data-testid={`category-${category.name}`} className="row">
      <input type="color" value={category.color} disabled={!manager} aria-label={`Colour of ${category.name}`}
        onChange={(e) => act(() => api.json('PATCH', `/api/categories/${category.id}/`, { color: e.target.value }), `Colour of ${category.name} changed.`)} />
      <input value={name} disabled={!manager} aria-label={`Name of ${category.name}`} maxLength={100}
        onChange={(e) => setName(e.target.value)} onBlur={rename} onKeyDown={(e) => { if (e.key === 'Enter') rename(); }} />
      {manager && others.length > 0 && (
        <select value="" aria-label={`Merge ${category.name} into`} onChange={(e) => {
          const into = others.find((c) => c.id === Number(e.target.value));
          if (into) act(() => api.json('POST', `/api/categories/${category.id}/merge/`, { into: into.id }), `Merged ${category.name} into ${into.name}.`);
        }}>
          <option value="">Merge into…</option>
          {others.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select>
      )}
    </li>
  );
}

export function CategoriesEditor({ project, manager, onChanged }: { project: Project; manager: boolean; onChanged: () => void }) {
  const { api } = useApp();
  const [added, setAdded] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);

  function act(run: () => Promise<unknown>, done: string) {
    setStatus(null);
    run().then(() => { setStatus({ ok: true, text: done }); onChanged(); }, (e: unknown) => setStatus({ ok: false, text: errorMessage(e) }));
  }

  return (
    <section className="panel form" data-testid="categories">
      <h2>Categories</h2>
      {project.categories.length === 0 && <p className="muted small">None yet: masks have no category.</p>}
      <ul className="category-list">
        {project.categories.map((c) => (
          <CategoryRow key={`${c.id}-${c.name}`} category={c} others={project.categories.filter((o) => o.id !== c.id)} manager={manager} act={act} />
        ))}
      </ul>
      {manager && (
        <form className="row" onSubmit={(e) => { e.preventDefault(); if (added.trim()) { act(() => api.json('POST', `/api/projects/${project.id}/categories/`, { name: added.trim() }), `Added ${added.trim()}.`); setAdded(''); } }}>
          <input name="new-category" value={added} onChange={(e) => setAdded(e.target.value)} placeholder="New category" maxLength={100} />
          <button type="submit">Add category</button>
        </form>
      )}
      {status && <p className={status.ok ? 'notice-ok' : 'form-error'} role={status.ok ? 'status' : 'alert'}>{status.text}</p>}
    </section>
  );
}
