// A project's members and, for staff, new accounts.
import type { ApiClient } from '../../core/api';
import type { Membership, Role, User } from '../../core/apiTypes';

export const ROLES: [Role, string][] = [
  ['annotator', 'Annotator: annotates images and videos'],
  ['reviewer', 'Reviewer: accepts, rejects or fixes annotations'],
  ['researcher', 'Researcher: reads and exports'],
  ['manager', 'Manager: members, settings, uploads, everything'],
];

export const members = (api: ApiClient, projectId: number) => api.json<Membership[]>('GET', `/api/projects/${projectId}/members/`);
export const addMember = (api: ApiClient, projectId: number, username: string, role: Role) =>
  api.json<Membership>('POST', `/api/projects/${projectId}/members/`, { username, role });
export const changeRole = (api: ApiClient, projectId: number, id: number, role: Role) =>
  api.json<Membership>('PATCH', `/api/projects/${projectId}/members/${id}/`, { role });
export const removeMember = (api: ApiClient, projectId: number, id: number) =>
  api.json<void>('DELETE', `/api/projects/${projectId}/members/${id}/`);
export const createUser = (api: ApiClient, username: string, password: string) =>
  api.json<User>('POST', '/api/users/', { username, password });
