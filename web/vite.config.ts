import preact from "@preact/preset-vite";
import { defineConfig } from "vitest/config";

// The gateway serves the build at /ui/ (same origin as the API); `npm run dev` proxies the API
// to a gateway on :8000 so the dev server behaves the same.
const api = ["/project", "/openapi", "/endpoint", "/load-testing", "/test-history", "/scheduler",
  "/sse", "/ws", "/live", "/api"];

export default defineConfig({
  base: "/ui/",
  plugins: [preact()],
  build: { target: "es2020", sourcemap: false, chunkSizeWarningLimit: 300 },
  server: {
    proxy: Object.fromEntries(api.map((p) => [p, { target: "http://127.0.0.1:8000", ws: p === "/ws" }])),
  },
  test: { include: ["tests/**/*.test.ts"], environment: "node" },
});
