// The account page: this browser's session (sign out ends it on the server) and the user's API token
// for scripts and the CLI (when it expires; revoke it here). The key itself is never shown again.
import { useState } from 'react';
import { errorMessage } from '../core/apiErrors';
import type { ApiTokenInfo, BrowserSession } from '../core/apiTypes';
import { useApp } from './appContext';
import { Link } from './Link';
import { useAsync } from './useAsync';

function when(value: string | null | undefined): string {
  return value ? new Date(value).toLocaleString() : 'never';
}

function SessionSection({ session }: { session: BrowserSession }) {
  const { logout } = useApp();
  return (
    <section className="account-section" data-testid="browser-session">
      <h2>This browser</h2>
      <p>
        Signed in as <strong>{session.user?.username}</strong> since {when(session.signed_in_at)}; the session ends{' '}
        {when(session.expires)} unless you sign out first.
      </p>
      <button type="button" onClick={logout}>Sign out</button>
    </section>
  );
}

function TokenSection({ token, onRevoke, busy }: { token: ApiTokenInfo | null; onRevoke: () => void; busy: boolean }) {
  return (
    <section className="account-section">
      <h2>API token</h2>
      <p className="muted small">
        Scripts and the command line sign in with a token (POST /api/auth/token/ with your username and password).
        A token stops working when it expires or when you revoke it.
      </p>
      {token === null ? (
        <p data-testid="no-api-token">You have no API token.</p>
      ) : (
        <p data-testid="api-token" data-prefix={token.prefix}>
          Token <code>{token.prefix}…</code> made {when(token.created)}, {token.expired ? 'expired' : 'expires'} {when(token.expires)}.{' '}
          <button type="button" className="danger" onClick={onRevoke} disabled={busy}>Revoke token</button>
        </p>
      )}
    </section>
  );
}

export function AccountPage() {
  const { api } = useApp();
  const session = useAsync(() => api.session(), [api]);
  const token = useAsync(() => api.apiToken(), [api]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function revoke() {
    setBusy(true);
    setError(null);
    try {
      await api.revokeApiToken();
      token.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const problem = error ?? session.error ?? token.error;
  return (
    <main className="page" data-testid="account-page">
      <nav className="breadcrumbs"><Link to={{ page: 'projects' }}>Projects</Link> / Account</nav>
      <div className="page-head"><h1>Account and sessions</h1></div>
      {problem && <p className="form-error" role="alert">{problem}</p>}
      {session.data ? <SessionSection session={session.data} /> : <p className="muted">Loading…</p>}
      {token.data && <TokenSection token={token.data.token} onRevoke={revoke} busy={busy || token.loading} />}
    </main>
  );
}
