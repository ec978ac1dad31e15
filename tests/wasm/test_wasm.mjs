// make test-wasm: for every chapter and 20 seeded inputs each, the wasm build
// run under Node's WASI (node:wasi) must print exactly what the native build
// prints, stdout and stderr byte for byte and the same exit status, in text
// and in JSON.
//   node tests/wasm/test_wasm.mjs BUILD WASM_DIR N ...
// Inputs come from a seeded generator per chapter (below); a chapter without
// one (a new chapter) runs with --seed k and its defaults.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [build, wasmDir, ...chapters] = process.argv.slice(2);
const RUNS = 20;
const work = join(build, 'wasm-test');
mkdirSync(work, { recursive: true });

// mulberry32: the inputs are the same on every run of the test.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
const num = (r, lo, hi) => (Math.round((lo + r() * (hi - lo)) * 100) / 100).toString();
const matrix = (r, h, w, lo, hi) =>
  Array.from({ length: h }, () => Array.from({ length: w }, () => num(r, lo, hi)).join(' ')).join('; ');
const vector = (r, n, lo, hi) => matrix(r, 1, n, lo, hi);

const INPUTS = {
  0: (r) => ['--function', ['sin', 'exp', 'log', 'sigmoid', 'bce'][int(r, 0, 4)], '--at', num(r, 0.1, 3)],
  1: (r) => ['--input', matrix(r, int(r, 2, 5), int(r, 2, 5), -5, 5), '--kernel', matrix(r, 2, 2, -2, 2),
             '--mode', r() < 0.5 ? 'valid' : 'full'],
  2: (r) => { const n = int(r, 1, 4); return ['--y', vector(r, n, 0, 1), '--z', vector(r, n, -3, 3)]; },
  3: (r) => { const m = int(r, 1, 3), n = int(r, 1, 3);
              return ['--x', vector(r, m, -2, 2), '--W', matrix(r, n, m, -1, 1), '--b', vector(r, n, -1, 1),
                      '--y', vector(r, n, 0, 1)]; },
  4: (r) => ['--input', matrix(r, int(r, 2, 6), int(r, 2, 6), -9, 9), '--window', '2',
             '--ties', ['first', 'all', 'split'][int(r, 0, 2)]],
  5: (r) => ['--input', matrix(r, int(r, 3, 5), int(r, 3, 5), -3, 3), '--kernel', matrix(r, 2, 2, -2, 2),
             '--stride', String(int(r, 1, 2)), '--padding', String(int(r, 0, 1))],
  6: (r) => ['--epochs', String(int(r, 1, 3)), '--kernels', String(int(r, 1, 4))],
};

// Each wasm run is a Node process of its own (tests/wasm/run_wasi.mjs): many
// node:wasi instances in one process crash Node 20 (a segmentation fault).
const runner = new URL('./run_wasi.mjs', import.meta.url).pathname;
function runWasm(n, args) {
  const p = spawnSync(process.execPath, ['--no-warnings', runner, join(wasmDir, `chapter${n}.wasm`), ...args],
                      { env: {}, maxBuffer: 1 << 28 });
  return { status: p.status, stdout: p.stdout, stderr: p.stderr };
}

function runNative(n, args) {
  const p = spawnSync(join(build, `chapter${n}`), args, { env: {}, maxBuffer: 1 << 28 });
  return { status: p.status, stdout: p.stdout, stderr: p.stderr };
}

// Every chapter must agree byte for byte, including 0, 6 and 7, which
// compute exp, log, sin and friends: src/core/mathfn.c gives both builds the
// same bits where glibc's and wasi-libc's (musl's) libm differ in the last one.
let failed = 0, compared = 0;
for (const n of chapters) {
  let same = 0;
  for (let k = 1; k <= RUNS; k++) {
    const gen = INPUTS[n] ?? (() => []);
    const base = [...gen(rng(1000 * Number(n) + k)), '--seed', String(k)];
    for (const format of ['text', 'json']) {
      const args = [...base, '--format', format];
      if (process.env.WASM_TEST_VERBOSE) console.error(args.join(" "));
      const a = runNative(n, args), b = runWasm(n, args);
      compared++;
      const diff = a.status !== b.status ? `exit ${a.status} native, ${b.status} wasm`
        : !a.stdout.equals(b.stdout) ? 'stdout differs' : !a.stderr.equals(b.stderr) ? 'stderr differs' : '';
      if (!diff) { same++; continue; }
      failed++;
      const q = args.map((s) => (/[^\w.=-]/.test(s) ? `'${s}'` : s)).join(' ');
      const f = join(work, `chapter${n}-${k}-${format}`);
      writeFileSync(`${f}.native`, a.stdout), writeFileSync(`${f}.wasm`, b.stdout);
      console.error(`error: chapter${n} ${q}: ${diff} (diff ${f}.native ${f}.wasm)`);
    }
  }
  console.log(`chapter${n}: ${same} of ${2 * RUNS} runs byte-identical (text and json)`);
}
// Naming a wrong --answer's mistake runs the chapter's --bug variants in the
// same process (src/report/report_mistake.c): under WASI too, and once per
// variant for several answers. Each run must name the --bug, byte for byte.
const NAMED = [
  ['1', ['--answer', 'dL_dK_conv=29 47; 8 28', '--answer', 'dL_dK_xcorr=-29 -47; -8 -28'], 'no-rot180'],
  ['5', ['--answer', 'dX=0 0 0 0; 0 -0.03775406687981454 0.0037754066879814516 0.011326220063944362; ' +
         '0 -0.01887703343990727 -0.00755081337596291 0.011326220063944362'], 'no-rot180'],
];
for (const [n, args, bug] of NAMED) {
  if (!chapters.includes(n)) continue;
  for (const format of ['text', 'json']) {
    const a = runNative(n, [...args, '--format', format]), b = runWasm(n, [...args, '--format', format]);
    compared++;
    const named = format === 'text' ? `--bug=${bug}` : `"matches_mistake": "${bug}"`;
    if (a.status !== b.status || !a.stdout.equals(b.stdout) || !b.stdout.toString().includes(named)) {
      failed++;
      console.error(`error: chapter${n} ${args.join(' ')} --format ${format}: the wasm run does not name --bug ${bug} as native does`);
    }
  }
  console.log(`chapter${n}: a wrong --answer names --bug ${bug} in wasm as natively (text and json)`);
}

// The live page's own WASI shim (scripts/live/wasi_shim.js) with the files
// the page embeds: chapter 7 reads its default data/digits-10.csv from them
// and prints the native page; without them it stops with the native error
// for a missing file. Chapter 1 (no files) runs in it too.
const { runWasi } = createRequire(import.meta.url)('../../scripts/live/wasi_shim.js');
const SHIM_RUNS = [
  ['7', ['--format', 'html'], { 'data/digits-10.csv': readFileSync('data/digits-10.csv') }],
  ['7', ['--format', 'html', '--data', 'data/missing.csv'], { 'data/digits-10.csv': readFileSync('data/digits-10.csv') }],
  ['1', ['--format', 'html'], {}],
];
for (const [n, args, files] of SHIM_RUNS) {
  if (!chapters.includes(n)) continue;
  const a = runNative(n, args);
  const b = runWasi(new WebAssembly.Module(readFileSync(join(wasmDir, `chapter${n}.wasm`))), [`chapter${n}`, ...args], files);
  compared++;
  if (a.status !== b.status || a.stdout.toString() !== b.stdout || a.stderr.toString() !== b.stderr) {
    failed++;
    console.error(`error: chapter${n} ${args.join(' ')} in the page's shim: exit ${b.status} (native ${a.status}), ` +
                  `${b.stdout === a.stdout.toString() ? 'same' : 'other'} stdout; stderr: ${b.stderr.trim().slice(0, 200)}`);
  }
  console.log(`chapter${n} ${args.join(' ')}: the page's WASI shim prints what the native build does`);
}

console.log(failed ? `test-wasm: ${failed} of ${compared} runs differ`
  : `test-wasm: all ${compared} runs byte-identical (stdout, stderr and exit status)`);
process.exit(failed ? 1 : 0);
