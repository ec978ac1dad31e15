// make bench-wasm: what a Run on a live page costs. For every chapter with
// its default inputs and --format html (what the Run button asks for): the
// native build (a process, median of 5 wall times), and the wasm build in
// V8 through the page's own WASI shim (scripts/live/wasi_shim.js; instance
// and run, median of 5, compiled once as the page does), with the sizes of
// the wasm, the static page and the live page. On a shared machine the wall
// times grow with the load, so the CPU time of each run is shown beside it:
// the native process's from /proc/self/stat (its children's user + system
// ticks, averaged over the runs), the wasm run's from process.cpuUsage
// (median). The wasm run is given the
// files the live page embeds (chapter 7's data). A run that exits non-zero
// (a default run passes every check) or prints an empty page is an error:
// the bench says so and exits 1, rather than timing a failure.
//   node bench/bench_wasm.mjs BUILD WASM_DIR LIVE_DIR N ...
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const { runWasi } = createRequire(import.meta.url)('../scripts/live/wasi_shim.js');
const [build, wasmDir, liveDir, ...chapters] = process.argv.slice(2);
const REPEAT = 5;
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
// The user + system CPU time of the waited-for children, in ms (Linux).
const TICK_MS = 10; // USER_HZ is 100 on every Linux configuration
function childrenCpuMs() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[13]) + Number(fields[14])) * TICK_MS; // cutime, cstime (fields 16 and 17)
  } catch { return NaN; }
}
const kb = (file) => { try { return (statSync(file).size / 1024).toFixed(0).padStart(6); } catch { return '     -'; } };

// The files embedded in a live page, as its shim is given them (scripts/live/live.js).
function embeddedFiles(page) {
  const files = {};
  let text = '';
  try { text = readFileSync(page, 'utf8'); } catch { return files; }
  for (const m of text.matchAll(/<script type="application\/octet-stream" class="live-file" data-path="([^"]+)">([^<]*)<\/script>/g))
    files[m[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"')] = new Uint8Array(Buffer.from(m[2], 'base64'));
  return files;
}

let failures = 0;
function failed(n, what, status, stderr) {
  failures++;
  const line = String(stderr).trim().split('\n').find((l) => l.startsWith('error:')) ?? '';
  console.error(`error: chapter${n} ${what} run exited ${status}${line ? `: ${line}` : ''}`);
}

console.log('chapter   native ms   cpu ms   wasm ms   cpu ms   wasm/native   wasm KiB   page KiB   live page KiB');
for (const n of chapters) {
  const args = ['--format', 'html'];
  let nativeBad = null, wasmBad = null;
  const cpu0 = childrenCpuMs();
  const native = median(Array.from({ length: REPEAT }, () => {
    const t = performance.now();
    const p = spawnSync(join(build, `chapter${n}`), args, { maxBuffer: 1 << 28 });
    const ms = performance.now() - t;
    if (p.status !== 0 || !p.stdout.length) nativeBad = p;
    return ms;
  }));
  const nativeCpu = (childrenCpuMs() - cpu0) / REPEAT;
  const wasmCpus = [];
  const mod = new WebAssembly.Module(readFileSync(join(wasmDir, `chapter${n}.wasm`)));
  const files = embeddedFiles(join(liveDir, `chapter${n}.html`));
  const wasm = median(Array.from({ length: REPEAT }, () => {
    const t = performance.now(), c = process.cpuUsage();
    const r = runWasi(mod, [`chapter${n}`, ...args], files);
    const ms = performance.now() - t, used = process.cpuUsage(c);
    wasmCpus.push((used.user + used.system) / 1000);
    if (r.status !== 0 || !r.stdout.length) wasmBad = r;
    return ms;
  }));
  if (nativeBad) failed(n, 'native', nativeBad.status, nativeBad.stderr);
  if (wasmBad) failed(n, 'wasm', wasmBad.status, wasmBad.stderr);
  const cpu = (v) => (Number.isFinite(v) ? v.toFixed(0) : '-').padStart(8);
  console.log(`${String(n).padStart(7)} ${native.toFixed(1).padStart(11)} ${cpu(nativeCpu)} ${wasm.toFixed(1).padStart(9)} ` +
              `${cpu(median(wasmCpus))} ` +
              `${(wasm / native).toFixed(1).padStart(13)} ${kb(join(wasmDir, `chapter${n}.wasm`)).padStart(10)} ` +
              `${kb(join(build, 'html', `chapter${n}.html`)).padStart(10)} ${kb(join(liveDir, `chapter${n}.html`)).padStart(15)}`);
}
if (failures) {
  console.error(`error: bench-wasm: ${failures} run(s) failed; their times above are not a Run's`);
  process.exit(1);
}
