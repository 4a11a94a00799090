// Top level: one ApiClient, the current route from the URL, and a guard that sends a visitor who is
// not signed in (the server's session says so) to the log-in page.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiClient } from './core/api';
import type { User } from './core/apiTypes';
import { parseRoute, routePath, type Route } from './core/route';
import { forgetStoredToken } from './core/storage';
import { AccountPage } from './pages/AccountPage';
import { AppContext } from './pages/appContext';
import { LoginPage } from './pages/LoginPage';
import { ProjectsPage } from './pages/ProjectsPage';
import { ImagesPage } from './pages/ImagesPage';
import { AnnotatorPage } from './pages/annotator/AnnotatorPage';
import { MaskListPage } from './pages/MaskListPage';
import { MetricsPage } from './pages/MetricsPage';
import { TrainingPage } from './pages/training/TrainingPage';
import { NewProjectPage } from './pages/NewProjectPage';
import { SettingsPage } from './pages/settings/SettingsPage';
import { TopBar } from './pages/TopBar';
import { VideoAnnotatorPage } from './pages/video/VideoAnnotatorPage';
import { VideoListPage } from './pages/video/VideoListPage';
import { ReviewQueuePage } from './pages/review/ReviewQueuePage';
import { SentBackPage } from './pages/review/SentBackPage';
import { PlmPage } from './pages/plm/PlmPage';
import { ExportsPage } from './pages/exports/ExportsPage';
import { JobsPage } from './pages/jobs/JobsPage';
import { MembersPage } from './pages/members/MembersPage';
import { BulkMasksPage } from './pages/bulk/BulkMasksPage';

function currentRoute(): Route {
  return parseRoute(window.location.pathname, window.location.search);
}

export function App() {
  const api = useMemo(() => new ApiClient(), []);
  const [route, setRoute] = useState<Route>(currentRoute);
  // undefined until the server said who this browser is signed in as; null: nobody.
  const [user, setUser] = useState<User | null | undefined>(undefined);

  const navigate = useCallback((next: Route, replace = false) => {
    const path = routePath(next);
    if (replace) window.history.replaceState(null, '', path);
    else window.history.pushState(null, '', path);
    setRoute(next);
  }, []);

  useEffect(() => {
    const onPop = () => setRoute(currentRoute());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    const off = api.onUnauthorized(() => {
      setUser(null);
      const here = window.location.pathname + window.location.search;
      navigate({ page: 'login', next: here.startsWith('/login') ? undefined : here }, true);
    });
    forgetStoredToken(window.localStorage);
    let live = true;
    api.session().then(
      (session) => { if (live) setUser(session.user); },
      () => { if (live) setUser(null); },
    );
    return () => { live = false; off(); };
  }, [api, navigate]);

  // Signed out, every page is the log-in page; the address says so too (and where to go after).
  const known = user !== undefined;
  const loggedIn = !!user;
  const loginNext = route.page === 'login' ? route.next : loggedIn ? undefined : routePath(route);
  useEffect(() => {
    if (known && !loggedIn && route.page !== 'login') window.history.replaceState(null, '', routePath({ page: 'login', next: loginNext }));
  }, [known, loggedIn, route, loginNext]);

  const logout = useCallback(() => {
    // The server ends the session; the page forgets the user whatever it answered.
    api.logout().catch(() => undefined).finally(() => {
      setUser(null);
      navigate({ page: 'login' });
    });
  }, [api, navigate]);

  const context = useMemo(() => ({ api, user: user ?? null, navigate, logout }), [api, user, navigate, logout]);

  let page: React.ReactNode;
  if (!known) {
    page = <main className="page" data-testid="app-starting"><p className="muted">Loading…</p></main>;
  } else if (route.page === 'login' || !loggedIn) {
    page = <LoginPage next={loginNext} onLoggedIn={setUser} />;
  } else if (route.page === 'projects') {
    page = <ProjectsPage />;
  } else if (route.page === 'newProject') {
    page = <NewProjectPage />;
  } else if (route.page === 'settings') {
    page = <SettingsPage key={route.projectId} projectId={route.projectId} />;
  } else if (route.page === 'metrics') {
    page = <MetricsPage key={route.projectId} projectId={route.projectId} />;
  } else if (route.page === 'training') {
    page = <TrainingPage key={route.projectId} projectId={route.projectId} />;
  } else if (route.page === 'exports') {
    page = <ExportsPage key={route.projectId} projectId={route.projectId} />;
  } else if (route.page === 'jobs') {
    page = <JobsPage key={route.projectId} projectId={route.projectId} />;
  } else if (route.page === 'members') {
    page = <MembersPage key={route.projectId} projectId={route.projectId} />;
  } else if (route.page === 'projectMasks') {
    page = <BulkMasksPage key={route.projectId} projectId={route.projectId} />;
  } else if (route.page === 'images') {
    page = <ImagesPage projectId={route.projectId} pageNumber={route.pageNumber} />;
  } else if (route.page === 'annotate') {
    page = <AnnotatorPage key={route.imageId} imageId={route.imageId} />;
  } else if (route.page === 'masks') {
    page = <MaskListPage imageId={route.imageId} />;
  } else if (route.page === 'videos') {
    page = <VideoListPage key={route.projectId} projectId={route.projectId} pageNumber={route.pageNumber} />;
  } else if (route.page === 'video') {
    page = <VideoAnnotatorPage key={route.videoId} videoId={route.videoId} />;
  } else if (route.page === 'review') {
    page = <ReviewQueuePage key={`${route.projectId}-${route.kind ?? ''}`} projectId={route.projectId} kind={route.kind} />;
  } else if (route.page === 'sentBack') {
    page = <SentBackPage />;
  } else if (route.page === 'account') {
    page = <AccountPage />;
  } else if (route.page === 'plm') {
    page = <PlmPage key={route.videoId} videoId={route.videoId} tab={route.tab} />;
  } else {
    page = <main className="page"><h1>Not found</h1><p>No page at {route.path}.</p></main>;
  }

  return (
    <AppContext.Provider value={context}>
      <div className={`app app-${loggedIn ? route.page : 'login'}`}>
        {route.page !== 'login' && loggedIn && <TopBar />}
        {page}
      </div>
    </AppContext.Provider>
  );
}
