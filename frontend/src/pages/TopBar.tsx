import { Link } from './Link';
import { useApp } from './appContext';
import { SentBackBadge } from './review/SentBackBadge';

export function TopBar() {
  const { user, logout } = useApp();
  return (
    <header className="topbar">
      <Link to={{ page: 'projects' }} className="brand">Segmentation data engine</Link>
      <span className="spacer" />
      {user && <SentBackBadge />}
      {user && <Link to={{ page: 'account' }} className="user">{user.username}</Link>}
      <button type="button" className="link-button" onClick={logout}>Log out</button>
    </header>
  );
}
