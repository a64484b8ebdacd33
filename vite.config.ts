// Builds frontend/ts/pages/*.ts (one entry per file) into frontend/static/frontend/build/,
// with a manifest that the `{% vite_entry %}` template tag reads.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import { defineConfig } from "vite";
import { pageSizes } from "./vite-page-sizes.ts";

const root = fileURLToPath(new URL("./frontend/ts", import.meta.url));
const pagesDir = resolve(root, "pages");
const entries = Object.fromEntries(
  readdirSync(pagesDir)
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts"))
    .map((name) => [`pages/${name.slice(0, -3)}`, resolve(pagesDir, name)]),
);

export default defineConfig({
  root,
  base: "/static/frontend/build/",
  publicDir: false,
  plugins: [pageSizes()],
  build: {
    manifest: true,
    outDir: fileURLToPath(new URL("./frontend/static/frontend/build", import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    target: "es2022",
    rollupOptions: { input: entries },
  },
  test: {
    root,
    include: ["**/*.test.ts"],
    environment: "node",
  },
});
