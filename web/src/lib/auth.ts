// Who is signed in and what they may do. The gateway's roles grant permissions (read, test,
// admin); a gateway without auth (GET /auth/me → 404) lets everyone do everything.
import { createContext } from "preact";
import { useContext } from "preact/hooks";

import type { Me, Permission } from "../api/client";
export type { Me, Permission };

/** `me` is null when the gateway has no auth: then every action is offered. */
export interface Access { me: Me | null; can: (permission: Permission) => boolean; logout: () => void }

export function accessFor(me: Me | null, logout: () => void = () => {}): Access {
  return { me, logout, can: (permission) => me === null || me.permissions.includes(permission) };
}

export const AccessContext = createContext<Access>(accessFor(null));
export const useAccess = (): Access => useContext(AccessContext);

/** The readable CSRF cookie's value, repeated in X-CSRF-Token on writes signed in by cookie. */
export function csrfToken(cookies: string = document.cookie): string | null {
  for (const part of cookies.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "mv_csrf") return decodeURIComponent(rest.join("="));
  }
  return null;
}
