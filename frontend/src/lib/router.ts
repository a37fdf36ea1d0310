/**
 * Hash routing (`#/ruptures/12`), so Django serves one index.html at / and needs no catch-all.
 * `match` is pure; `useRoute` re-renders on hashchange.
 */

import { useEffect, useState } from "preact/hooks";

export interface Location {
  path: string;
  query: URLSearchParams;
}

export interface Match {
  name: string;
  params: Record<string, string>;
  query: URLSearchParams;
}

export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#/, "");
  const [pathPart = "", queryPart = ""] = raw.split("?", 2);
  let path = pathPart.startsWith("/") ? pathPart : `/${pathPart}`;
  if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  return { path, query: new URLSearchParams(queryPart) };
}

export type RouteTable = readonly (readonly [name: string, pattern: string])[];

export function match(routes: RouteTable, loc: Location): Match | null {
  const parts = loc.path.split("/").filter(Boolean);
  for (const [name, pattern] of routes) {
    const pp = pattern.split("/").filter(Boolean);
    if (pp.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pp.length; i++) {
      const p = pp[i] as string;
      const v = parts[i] as string;
      if (p.startsWith(":")) {
        try {
          params[p.slice(1)] = decodeURIComponent(v);
        } catch {
          ok = false;
        }
      } else if (p !== v) {
        ok = false;
      }
      if (!ok) break;
    }
    if (ok) return { name, params, query: loc.query };
  }
  return null;
}

export function href(path: string): string {
  return `#${path.startsWith("/") ? path : `/${path}`}`;
}

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  const target = href(path);
  if (opts.replace) {
    history.replaceState(null, "", target);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = target;
  }
}

export function useLocation(): Location {
  const [loc, setLoc] = useState<Location>(() => parseHash(location.hash));
  const shown = location.hash;
  useEffect(() => {
    const onChange = (): void => setLoc(parseHash(location.hash));
    window.addEventListener("hashchange", onChange);
    // A navigation between the first render and this effect (which runs after paint) fired
    // its event before anyone listened.
    if (location.hash !== shown) onChange();
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return loc;
}
