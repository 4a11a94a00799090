// Add a member by username (managers); staff may create the account first (a new team member).
import { useState, type FormEvent } from 'react';
import type { Role } from '../../core/apiTypes';
import { errorMessage } from '../../core/apiErrors';
import { useApp } from '../appContext';
import { addMember, createUser, ROLES } from './membersApi';

export function AddMemberForm({ projectId, onAdded }: { projectId: number; onAdded: (message: string) => void }) {
  const { api, user } = useApp();
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('annotator');
  const [newAccount, setNewAccount] = useState(false);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!username.trim()) { setError('Enter a username.'); return; }
    setBusy(true);
    setError(null);
    try {
      if (newAccount) await createUser(api, username.trim(), password);
      await addMember(api, projectId, username.trim(), role);
      onAdded(newAccount
        ? `Created ${username.trim()} and added them as ${role}. Give them the password to sign in.`
        : `Added ${username.trim()} as ${role}.`);
      setUsername('');
      setPassword('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="panel form" onSubmit={submit} data-testid="add-member">
      <h2>Add a member</h2>
      <div className="row">
        <label>Username <input name="member-username" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" maxLength={150} /></label>
        <label>Role{' '}
          <select name="member-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </label>
      </div>
      {user?.is_staff && (
        <label className="row">
          <input type="checkbox" checked={newAccount} onChange={(e) => setNewAccount(e.target.checked)} name="new-account" />
          This is a new person: create their account (you are staff)
        </label>
      )}
      {newAccount && (
        <label>First password <input type="password" name="member-password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" /></label>
      )}
      {!user?.is_staff && <p className="muted small">The person needs an account first; an administrator creates it.</p>}
      {error && <p className="form-error" role="alert">{error}</p>}
      <button type="submit" className="primary" disabled={busy}>{newAccount ? 'Create and add' : 'Add member'}</button>
    </form>
  );
}
