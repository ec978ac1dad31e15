// A small WASI (preview1) for running a chapter's wasm build in a page:
// arguments, stdout and stderr collected as bytes, the exit status, the
// clocks and random bytes. Files: stdin is empty; the directory "." is
// preopened (fd 3) and holds only the read-only files given in `files`
// ({path: Uint8Array}, e.g. chapter 7's default data/digits-10.csv, which
// the page embeds); opening another path fails with ENOENT, and creating or
// writing one with ENOTCAPABLE, so --plot says it cannot write. stdout and
// stderr are not terminals, as in a pipe.
// runWasi(wasmModule, args, files) -> {status, stdout, stderr} (strings, UTF-8).
/* exported runWasi */
function runWasi(wasmModule, args, files) {
  'use strict';
  const ESUCCESS = 0, EBADF = 8, EINVAL = 28, ENOENT = 44, ENOSYS = 52, ESPIPE = 70, ENOTCAPABLE = 76;
  const DIR_FD = 3, FILETYPE_DIRECTORY = 3, FILETYPE_REGULAR = 4;
  const OFLAGS_CREATE_DIRECTORY_EXCL_TRUNC = 0xf, FDFLAGS_WRITING = 0x1 | 0x2 | 0x8 | 0x10; // append, dsync, rsync, sync
  const RIGHT_FD_WRITE = 1n << 6n;
  files = files || {};
  const open = new Map(); // fd -> {data, at}: the files opened for reading
  let nextFd = DIR_FD + 1;
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
    fd_read: (fd, iovs, n, read) => {
      const f = open.get(fd);
      if (fd !== 0 && !f) return EBADF;
      let total = 0;
      for (let i = 0; f && i < n; i++) {
        const p = view().getUint32(iovs + 8 * i, true), len = view().getUint32(iovs + 8 * i + 4, true);
        const chunk = f.data.subarray(f.at, f.at + len);
        bytes().set(chunk, p);
        f.at += chunk.length, total += chunk.length;
      }
      view().setUint32(read, total, true);
      return ESUCCESS;
    },
    fd_close: (fd) => (fd <= 2 || open.delete(fd) ? ESUCCESS : EBADF),
    fd_seek: (fd, offset, whence, ptr) => {
      const f = open.get(fd);
      if (!f) return fd <= 2 ? ESPIPE : EBADF;
      const at = Number(offset) + [0, f.at, f.data.length][whence];
      if (!(at >= 0)) return EINVAL;
      f.at = at;
      view().setBigUint64(ptr, BigInt(at), true);
      return ESUCCESS;
    },
    fd_fdstat_get: (fd, ptr) => {
      if (fd > 2 && fd !== DIR_FD && !open.has(fd)) return EBADF;
      // stdout and stderr: filetype unknown (0), not a character device, so isatty() is false.
      for (let k = 0; k < 24; k++) view().setUint8(ptr + k, 0);
      view().setUint8(ptr, fd === DIR_FD ? FILETYPE_DIRECTORY : fd > 2 ? FILETYPE_REGULAR : 0);
      view().setBigUint64(ptr + 8, 0xffffffffn, true);
      view().setBigUint64(ptr + 16, 0xffffffffn, true);
      return ESUCCESS;
    },
    fd_fdstat_set_flags: (fd) => (fd <= 2 ? ESUCCESS : EBADF),
    fd_filestat_get: (fd, ptr) => {
      const f = open.get(fd);
      if (fd > 2 && fd !== DIR_FD && !f) return EBADF;
      for (let k = 0; k < 64; k++) view().setUint8(ptr + k, 0);
      if (fd === DIR_FD) view().setUint8(ptr + 16, FILETYPE_DIRECTORY);
      if (f) view().setUint8(ptr + 16, FILETYPE_REGULAR), view().setBigUint64(ptr + 32, BigInt(f.data.length), true);
      return ESUCCESS;
    },
    fd_prestat_get: (fd, ptr) => {
      if (fd !== DIR_FD) return EBADF;
      view().setUint8(ptr, 0); // a directory
      view().setUint32(ptr + 4, 1, true); // its name, ".", is one byte
      return ESUCCESS;
    },
    fd_prestat_dir_name: (fd, ptr, len) => {
      if (fd !== DIR_FD || len < 1) return EBADF;
      bytes()[ptr] = 0x2e;
      return ESUCCESS;
    },
    path_open: (dirfd, dirflags, pathPtr, pathLen, oflags, rightsBase, rightsInheriting, fdflags, fdPtr) => {
      if (dirfd !== DIR_FD) return EBADF;
      if (oflags & OFLAGS_CREATE_DIRECTORY_EXCL_TRUNC || fdflags & FDFLAGS_WRITING || BigInt(rightsBase) & RIGHT_FD_WRITE)
        return ENOTCAPABLE;
      const path = new TextDecoder().decode(bytes().slice(pathPtr, pathPtr + pathLen)).replace(/^(\.\/)+/, '');
      if (!Object.prototype.hasOwnProperty.call(files, path)) return ENOENT;
      const fd = nextFd++;
      open.set(fd, { data: files[path], at: 0 });
      view().setUint32(fdPtr, fd, true);
      return ESUCCESS;
    },
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
