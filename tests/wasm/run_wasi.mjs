// Runs one wasm chapter under Node's WASI: node tests/wasm/run_wasi.mjs FILE.wasm ARGS...
// stdout and stderr are the process's own; the exit status is the chapter's.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: ['chapter', ...args], env: {}, returnOnExit: true,
                        preopens: { '.': '.' } });
const mod = await WebAssembly.compile(readFileSync(file));
const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
process.exitCode = wasi.start(inst);
