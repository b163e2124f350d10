// Dark and light: the system's choice by default, a switch that is remembered.
import { createContext } from "preact";
import { useContext } from "preact/hooks";

export type Theme = "light" | "dark";
export const ThemeContext = createContext<Theme>("light");
export const useTheme = (): Theme => useContext(ThemeContext);

export function initialTheme(): Theme {
  const stored = localStorage.getItem("mv.theme");
  if (stored === "light" || stored === "dark") return stored;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

/** The page's colours follow at once: set before the re-render, so charts drawn in that render
 *  (their effects run before the shell's) read the new theme's CSS variables, not the old ones. */
export function applyTheme(theme: Theme, remember = false): Theme {
  document.documentElement.dataset.theme = theme;
  if (remember) localStorage.setItem("mv.theme", theme);
  return theme;
}
