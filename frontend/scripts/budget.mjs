// Fails the build when first-load JavaScript (index.html's entry script and the chunks it
// preloads, gzip -9) is over budget: the same measure as benchmarks/lighthouse/run.py.

import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const DIST = new URL("../dist/", import.meta.url).pathname;
const BUDGET = 60 * 1024;

const html = readFileSync(`${DIST}index.html`, "utf8");
const paths = [
  ...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
  ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
].map((m) => m[1]);
let total = 0;
for (const path of paths) {
  const size = gzipSync(readFileSync(DIST + path.replace(/^\//, "")), { level: 9 }).length;
  console.log(`  ${path}  ${(size / 1024).toFixed(1)} KB gzipped`);
  total += size;
}
const verdict = total <= BUDGET ? "within" : "OVER";
console.log(`first-load JavaScript: ${(total / 1024).toFixed(1)} KB gzipped, ${verdict} the ${BUDGET / 1024} KB budget`);
if (total > BUDGET) process.exit(1);
