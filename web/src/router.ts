// A small router over the History API: the app lives under /ui/, and the gateway answers
// index.html for every path there, so a reload or a shared link opens the same page.
import { useEffect, useState } from "preact/hooks";

export const BASE = "/ui";

export interface Route { name: string; params: Record<string, string>; query: URLSearchParams }

const TABLE: [string, RegExp][] = [
  ["board", /^\/?$/],
  ["project", /^\/projects\/(?<projectId>\d+)\/?$/],
  ["analyse", /^\/projects\/(?<projectId>\d+)\/analyse\/?$/],
  ["builder", /^\/projects\/(?<projectId>\d+)\/new-test\/?$/],
  ["test", /^\/tests\/(?<historyId>\d+)\/?$/],
  ["compare", /^\/compare\/?$/],
];

export function match(pathname: string, search = ""): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  for (const [name, pattern] of TABLE) {
    const found = pattern.exec(path);
    if (found) return { name, params: { ...found.groups }, query: new URLSearchParams(search) };
  }
  return { name: "not-found", params: {}, query: new URLSearchParams(search) };
}

export function href(path: string): string {
  return BASE + (path.startsWith("/") ? path : `/${path}`);
}

const listeners = new Set<() => void>();
export function navigate(path: string, replace = false): void {
  const url = href(path);
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  window.scrollTo(0, 0);
  listeners.forEach((listener) => listener());
  setTimeout(focusHeading, 0); // after Preact has drawn the new page (its render is a microtask)
}

/** A new page is announced as one: focus moves to its heading once it is drawn. */
function focusHeading(tries: number = 20): void {
  const heading = document.querySelector<HTMLElement>("#content h1");
  if (heading) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); return; }
  if (tries > 0) setTimeout(() => focusHeading(tries - 1), 50);
}

export function useRoute(): Route {
  const read = () => match(location.pathname, location.search);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const update = () => setRoute(read());
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => { listeners.delete(update); window.removeEventListener("popstate", update); };
  }, []);
  return route;
}

/** A click on an in-app link changes the page without a reload (modified clicks still open tabs). */
export function onLinkClick(event: MouseEvent): void {
  const anchor = (event.target as Element).closest("a");
  if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey
    || event.shiftKey || event.altKey || anchor.target || anchor.hasAttribute("download")) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(`${BASE}/`) && url.pathname !== BASE) return;
  event.preventDefault();
  navigate(url.pathname.slice(BASE.length) + url.search);
}
