import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../core/apiErrors';
import type { User } from '../core/apiTypes';
import { parseRoute } from '../core/route';
import { useApp } from './appContext';

// Signs this browser in with a session cookie (api.login); the server limits failed attempts per
// address and per username, and its sentence (e.g. how long to wait) is shown as it comes.
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
      setError(loginError(err)); // wrong credentials (400), or too many failures (429, with the wait)
      setPassword('');
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
        <p className="muted small">This browser stays signed in until you log out; it keeps no password or token.</p>
      </form>
    </main>
  );
}

/** A failed sign-in in a sentence: wrong credentials, too many tries, or the server's own words. */
export function loginError(error: unknown): string {
  if (error instanceof ApiError && error.status === 400) return 'That username and password do not match an account. Check both and try again.';
  if (error instanceof ApiError && error.status === 429) {
    const wait = /try again in (\d+) s/.exec(error.detail)?.[1]; // the server says how long the window lasts
    return `Too many sign-in attempts. Wait ${wait ? `${wait} s` : 'a minute'}, then try again.`;
  }
  return errorMessage(error, 'The server cannot be reached. Check that it is running, then try again.');
}
