import { useState, type FormEvent } from 'react';
import { errorMessage } from '../core/apiErrors';
import type { User } from '../core/apiTypes';
import { parseRoute } from '../core/route';
import { useApp } from './appContext';

export function LoginPage({ next, onLoggedIn }: { next?: string; onLoggedIn: (user: User) => void }) {
  const { api, navigate } = useApp();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await api.login(username, password);
      onLoggedIn(user);
      const [path, search] = (next && next.startsWith('/') ? next : '/').split('?');
      const route = parseRoute(path, search ? `?${search}` : '');
      navigate(route.page === 'login' ? { page: 'projects' } : route, true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit}>
        <h1>Segmentation data engine</h1>
        <label>
          Username
          <input name="username" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
      </form>
    </main>
  );
}
