// A small WASI (preview1) for running a chapter's wasm build in a page:
// arguments, stdout and stderr collected as bytes, the exit status, the
// clocks and random bytes. No files: stdin is empty, nothing is preopened, and
// opening a path fails with ENOTCAPABLE, so --plot and @FILE say they cannot
// write or read. stdout and stderr are not terminals, as in a pipe.
// runWasi(wasmModule, args) -> {status, stdout, stderr} (strings, UTF-8).
/* exported runWasi */
function runWasi(wasmModule, args) {
  'use strict';
  const ESUCCESS = 0, EBADF = 8, ENOSYS = 52, ESPIPE = 70, ENOTCAPABLE = 76;
  const enc = new TextEncoder();
  const argv = args.map((a) => enc.encode(a + '\0'));
  const out = { 1: [], 2: [] };
  let memory = null;
  class Exit { constructor(status) { this.status = status; } }
  const view = () => new DataView(memory.buffer);
  const bytes = () => new Uint8Array(memory.buffer);
  const putList = (list, ptrs, buf) => {
    let at = buf;
    list.forEach((s, i) => { view().setUint32(ptrs + 4 * i, at, true); bytes().set(s, at); at += s.length; });
    return ESUCCESS;
  };
  const sizes = (list, countPtr, sizePtr) => {
    view().setUint32(countPtr, list.length, true);
    view().setUint32(sizePtr, list.reduce((n, s) => n + s.length, 0), true);
    return ESUCCESS;
  };
  const wasi = {
    args_get: (ptrs, buf) => putList(argv, ptrs, buf),
    args_sizes_get: (c, s) => sizes(argv, c, s),
    environ_get: () => ESUCCESS,
    environ_sizes_get: (c, s) => sizes([], c, s),
    clock_time_get: (id, precision, ptr) => {
      // Realtime in ms since 1970; the others from the page's monotonic clock.
      const ms = id === 0 ? Date.now() : performance.now();
      view().setBigUint64(ptr, BigInt(Math.round(ms * 1e6)), true);
      return ESUCCESS;
    },
    clock_res_get: (id, ptr) => (view().setBigUint64(ptr, 1000n, true), ESUCCESS),
    random_get: (ptr, len) => {
      for (let at = 0; at < len; at += 65536)
        crypto.getRandomValues(bytes().subarray(ptr + at, ptr + Math.min(len, at + 65536)));
      return ESUCCESS;
    },
    fd_write: (fd, iovs, n, written) => {
      if (!out[fd]) return EBADF;
      let total = 0;
      for (let i = 0; i < n; i++) {
        const p = view().getUint32(iovs + 8 * i, true), len = view().getUint32(iovs + 8 * i + 4, true);
        out[fd].push(bytes().slice(p, p + len));
        total += len;
      }
      view().setUint32(written, total, true);
      return ESUCCESS;
    },
    fd_read: (fd, iovs, n, read) => (fd === 0 ? (view().setUint32(read, 0, true), ESUCCESS) : EBADF),
    fd_close: (fd) => (fd <= 2 ? ESUCCESS : EBADF),
    fd_seek: (fd) => (fd <= 2 ? ESPIPE : EBADF),
    fd_fdstat_get: (fd, ptr) => {
      if (fd > 2) return EBADF;
      // Filetype unknown (0): not a character device, so isatty() is false.
      for (let k = 0; k < 24; k++) view().setUint8(ptr + k, 0);
      view().setBigUint64(ptr + 8, 0xffffffffn, true);
      return ESUCCESS;
    },
    fd_fdstat_set_flags: (fd) => (fd <= 2 ? ESUCCESS : EBADF),
    fd_filestat_get: (fd, ptr) => {
      if (fd > 2) return EBADF;
      for (let k = 0; k < 64; k++) view().setUint8(ptr + k, 0);
      return ESUCCESS;
    },
    fd_prestat_get: () => EBADF,
    fd_prestat_dir_name: () => EBADF,
    path_open: () => ENOTCAPABLE,
    path_create_directory: () => ENOTCAPABLE,
    poll_oneoff: () => ENOSYS,
    sched_yield: () => ESUCCESS,
    proc_exit: (status) => { throw new Exit(status); },
  };
  const imports = { wasi_snapshot_preview1: new Proxy(wasi, {
    get: (t, name) => t[name] ?? (() => ENOSYS),
  }) };
  const instance = new WebAssembly.Instance(wasmModule, imports);
  memory = instance.exports.memory;
  let status = 0;
  try {
    instance.exports._start();
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
    status = e.status;
  }
  const text = (chunks) => {
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) all.set(c, at), at += c.length;
    return new TextDecoder().decode(all);
  };
  return { status, stdout: text(out[1]), stderr: text(out[2]) };
}
if (typeof module !== 'undefined') module.exports = { runWasi };
