// A project's members: everyone sees who works on it; managers add people, change roles and remove.
import { useState } from 'react';
import { canManage } from '../../core/api';
import type { Membership, Role } from '../../core/apiTypes';
import { errorMessage } from '../../core/apiErrors';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { ProjectNav } from '../ProjectNav';
import { useAsync } from '../useAsync';
import { AddMemberForm } from './AddMemberForm';
import { changeRole, members, removeMember, ROLES } from './membersApi';

export function MembersPage({ projectId }: { projectId: number }) {
  const { api, user } = useApp();
  const project = useAsync(() => api.project(projectId), [api, projectId]);
  const list = useAsync(() => members(api, projectId), [api, projectId]);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const manager = canManage(project.data, user);

  async function run(action: () => Promise<unknown>, done: string) {
    setError(null);
    setNotice(null);
    try {
      await action();
      setNotice(done);
    } catch (e) {
      setError(errorMessage(e));
    }
    list.reload();
  }

  const setRole = (m: Membership, role: Role) => run(() => changeRole(api, projectId, m.id, role), `${m.username} is now ${role}.`);
  const remove = (m: Membership) => run(() => removeMember(api, projectId, m.id), `${m.username} no longer works on this project.`);

  return (
    <main className="page members-page">
      <nav className="breadcrumbs"><Link to={{ page: 'projects' }}>Projects</Link> / {project.data?.name ?? '…'} / Members</nav>
      <div className="page-head"><h1>Members{project.data ? `: ${project.data.name}` : ''}</h1></div>
      {project.data && <ProjectNav project={project.data} current="members" />}
      {notice && <p className="notice notice-ok" role="status">{notice}</p>}
      {error && <p className="form-error" role="alert">{error}</p>}
      {list.error && <p className="form-error" role="alert">{list.error}</p>}
      <table className="table" data-testid="members">
        <thead><tr><th>Member</th><th>Role</th><th>Since</th><th /></tr></thead>
        <tbody>
          {list.data?.map((m) => (
            <tr key={m.id} data-testid={`member-${m.username}`}>
              <td>{m.username}{m.user === user?.id ? <span className="muted small"> (you)</span> : null}</td>
              <td>
                {manager ? (
                  <select value={m.role} aria-label={`Role of ${m.username}`} onChange={(e) => void setRole(m, e.target.value as Role)}>
                    {ROLES.map(([value]) => <option key={value} value={value}>{value}</option>)}
                  </select>
                ) : m.role}
              </td>
              <td className="small">{new Date(m.created_at).toLocaleDateString()}</td>
              <td>{manager && <button type="button" onClick={() => void remove(m)}>Remove</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {manager && <AddMemberForm projectId={projectId} onAdded={(message) => { setNotice(message); setError(null); list.reload(); }} />}
      {project.data && !manager && <p className="muted">Managers of this project add members and change roles.</p>}
    </main>
  );
}
