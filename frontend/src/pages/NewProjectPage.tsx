// Create a project (its creator becomes its manager), then upload its images or videos on its page.
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../core/apiErrors';
import type { ProjectKind } from '../core/apiTypes';
import { parseCategories } from '../core/stages';
import { useApp } from './appContext';
import { Link } from './Link';

export function NewProjectPage() {
  const { api, navigate } = useApp();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<ProjectKind>('image');
  const [categories, setCategories] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const names = parseCategories(categories);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const project = await api.createProject({ name: name.trim(), kind, categories: names, description });
      navigate(project.kind === 'image' ? { page: 'images', projectId: project.id, pageNumber: 1 } : { page: 'videos', projectId: project.id });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="page">
      <nav className="breadcrumbs"><Link to={{ page: 'projects' }}>Projects</Link> / New project</nav>
      <h1>New project</h1>
      <form className="panel form" onSubmit={submit} data-testid="new-project">
        <label>
          Name
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} autoFocus />
        </label>
        <label>
          Kind
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as ProjectKind)}>
            <option value="image">Images</option>
            <option value="video">Videos</option>
          </select>
        </label>
        <label>
          Categories <span className="muted small">one per line or separated by commas; may be empty (class-agnostic masks, as SA-1B)</span>
          <textarea name="categories" rows={4} value={categories} onChange={(e) => setCategories(e.target.value)} placeholder={'car\nperson\nbicycle'} />
        </label>
        {names.length > 0 && (
          <p className="small muted" data-testid="category-preview">{names.length} categor{names.length === 1 ? 'y' : 'ies'}: {names.join(', ')}</p>
        )}
        <label>
          Description <span className="muted small">optional</span>
          <textarea name="description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="row">
          <button type="submit" className="primary" disabled={busy || !name.trim()}>{busy ? 'Creating…' : 'Create project'}</button>
          <Link to={{ page: 'projects' }} className="button">Cancel</Link>
        </div>
        <p className="muted small">You become the project's manager; upload its {kind === 'image' ? 'images' : 'videos'} on the next page.</p>
      </form>
    </main>
  );
}
