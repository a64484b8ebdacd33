// A Vite plugin that prints, after the build, the JavaScript each page loads: its entry chunk
// plus every chunk it imports statically (shared chunks count for each page that needs them),
// raw and gzipped, so a page that grows past its budget shows in the build log.
import { gzipSync } from "node:zlib";
import type { Plugin } from "vite";

interface ChunkInfo {
  code: string;
  imports: string[];
  isEntry: boolean;
  name: string;
}

export function pageSizes(): Plugin {
  return {
    name: "nnweb-page-sizes",
    apply: "build",
    generateBundle(_options, bundle) {
      const chunks = new Map<string, ChunkInfo>();
      for (const [file, out] of Object.entries(bundle)) {
        if (out.type === "chunk") chunks.set(file, out);
      }
      const rows: [string, number, number][] = [];
      for (const [file, chunk] of chunks) {
        if (!chunk.isEntry) continue;
        const seen = new Set<string>();
        const visit = (f: string) => {
          if (seen.has(f) || !chunks.has(f)) return;
          seen.add(f);
          chunks.get(f)!.imports.forEach(visit);
        };
        visit(file);
        let raw = 0;
        let gz = 0;
        for (const f of seen) {
          const code = chunks.get(f)!.code;
          raw += Buffer.byteLength(code);
          gz += gzipSync(code).length;
        }
        rows.push([chunk.name, raw, gz]);
      }
      rows.sort((a, b) => b[1] - a[1]);
      const kib = (n: number) => (n / 1024).toFixed(1).padStart(8);
      const lines = rows.map(
        ([name, raw, gz]) => `  ${name.padEnd(22)}${kib(raw)} KiB${kib(gz)} KiB gzip`,
      );
      this.info(`JavaScript per page (entry + static imports):\n${lines.join("\n")}`);
    },
  };
}
