// An item's thumbnail (made once by the server and kept), fetched with the token.
import { useEffect, useState } from 'react';
import { useApp } from '../appContext';
import { thumbnailUrl } from './workApi';

export function Thumbnail({ path, alt }: { path: string; alt: string }) {
  const { api } = useApp();
  const [loaded, setLoaded] = useState<{ path: string; url: string } | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    let url: string | null = null;
    thumbnailUrl(api, path, abort.signal).then((u) => { url = u; setLoaded({ path, url: u }); }, () => undefined);
    return () => { abort.abort(); if (url) URL.revokeObjectURL(url); };
  }, [api, path]);
  const src = loaded?.path === path ? loaded.url : undefined;
  return <span className="thumb-cell">{src ? <img src={src} alt={alt} /> : <img alt="" />}</span>;
}
