// What every page needs: the API client, the user, and navigation.
import { createContext, useContext } from 'react';
import type { ApiClient } from '../core/api';
import type { User } from '../core/apiTypes';
import type { Route } from '../core/route';

export interface AppContextValue {
  api: ApiClient;
  user: User | null;
  navigate: (route: Route, replace?: boolean) => void;
  logout: () => void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside AppContext');
  return value;
}
