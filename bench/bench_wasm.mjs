// make bench-wasm: what a Run on a live page costs. For every chapter with
// its default inputs and --format html (what the Run button asks for): the
// native build (a process, median of 5 wall times), and the wasm build in
// V8 through the page's own WASI shim (scripts/live/wasi_shim.js; instance
// and run, median of 5, compiled once as the page does), with the sizes of
// the wasm, the static page and the live page.
//   node bench/bench_wasm.mjs BUILD WASM_DIR LIVE_DIR N ...
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const { runWasi } = createRequire(import.meta.url)('../scripts/live/wasi_shim.js');
const [build, wasmDir, liveDir, ...chapters] = process.argv.slice(2);
const REPEAT = 5;
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
const kb = (file) => { try { return (statSync(file).size / 1024).toFixed(0).padStart(6); } catch { return '     -'; } };

console.log('chapter   native ms   wasm ms   wasm/native   wasm KiB   page KiB   live page KiB');
for (const n of chapters) {
  const args = ['--format', 'html'];
  const native = median(Array.from({ length: REPEAT }, () => {
    const t = performance.now();
    spawnSync(join(build, `chapter${n}`), args);
    return performance.now() - t;
  }));
  const mod = new WebAssembly.Module(readFileSync(join(wasmDir, `chapter${n}.wasm`)));
  const wasm = median(Array.from({ length: REPEAT }, () => {
    const t = performance.now();
    runWasi(mod, [`chapter${n}`, ...args]);
    return performance.now() - t;
  }));
  console.log(`${String(n).padStart(7)} ${native.toFixed(1).padStart(11)} ${wasm.toFixed(1).padStart(9)} ` +
              `${(wasm / native).toFixed(1).padStart(13)} ${kb(join(wasmDir, `chapter${n}.wasm`)).padStart(10)} ` +
              `${kb(join(build, 'html', `chapter${n}.html`)).padStart(10)} ${kb(join(liveDir, `chapter${n}.html`)).padStart(15)}`);
}
