// The live panel (scripts/live/make_live.mjs puts it in the page). On a
// chapter page, Run turns the panel into the chapter's own arguments (only
// the inputs changed from their defaults, so a default stays the chapter's
// own: a seeded or derived upstream follows a new input's shape), runs the
// embedded wasm with --format html, and puts the <main> it prints in place
// of the page's. Exit status 2 or 4 shows the chapter's error: line in the
// panel and keeps the page and the inputs. The URL fragment holds the
// changed inputs, so a link reproduces the run. On the index, Run opens the
// chosen chapter's page with the inputs in its fragment. Lecture mode: large
// type, one section at a time, arrow keys (and PageUp/PageDown, Space);
// "lecture=1&slide=3" in the fragment opens it at the third section.
(function () {
  'use strict';
  const config = JSON.parse(document.getElementById('live-config').textContent);
  const form = document.getElementById('live-panel');
  const status = form.querySelector('.live-status'), errorLine = form.querySelector('.live-error');
  const chapterSelect = document.getElementById('live-chapter');
  const fieldsOf = (n) => form.querySelector(`.live-fields[data-chapter="${n}"]`) ??
    form.querySelector('.live-fields[data-chapter]');
  const current = () => fieldsOf(chapterSelect ? chapterSelect.value : '');
  let wasm = null;

  // The fragment of the changed inputs: "input=1+2%3B+3+4&bug=no-rot180".
  function params(fields) {
    const p = new URLSearchParams();
    for (const el of fields.querySelectorAll('[name]')) {
      const v = el.value.trim(), key = el.name.slice(2);
      if (v === el.dataset.default) continue;
      if (el.name === '--answer' || el.name === '--formula')
        v.split('\n').map((l) => l.trim()).filter(Boolean).forEach((l) => p.append(key, l));
      else if (v !== '' || el.dataset.default !== '') p.append(key, v);
    }
    return p;
  }

  function args(p) {
    const a = [];
    for (const [k, v] of p) if (!['lecture', 'slide', 'run'].includes(k)) a.push('--' + k, v);
    return a;
  }

  function fill(fields, p) {
    for (const el of fields.querySelectorAll('[name]')) {
      const all = p.getAll(el.name.slice(2));
      el.value = all.length ? all.join('\n') : el.dataset.default;
    }
  }

  function showError(text) {
    errorLine.textContent = text;
    errorLine.hidden = !text;
  }

  const decode = (b64) => {
    const raw = atob(b64.trim()), bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  };

  function module() {
    if (!wasm) wasm = new WebAssembly.Module(decode(document.getElementById('live-wasm').textContent));
    return wasm;
  }

  // The files a default run reads (chapter 7's data), embedded by make_live.mjs.
  let files = null;
  function embeddedFiles() {
    if (!files) {
      files = {};
      for (const s of document.querySelectorAll('script.live-file')) files[s.dataset.path] = decode(s.textContent);
    }
    return files;
  }

  const VERDICT = { 0: 'every check passed', 1: 'a check or an answer failed', 3: 'a check could not decide' };

  function runChapter(p) {
    const a = [config.program, ...args(p), '--format', 'html'];
    let r, t0 = performance.now();
    try {
      const wasmModule = module(), data = embeddedFiles(); // once, on the first Run: not part of a Run's time
      t0 = performance.now();
      r = runWasi(wasmModule, a, data);
    } catch (e) {
      r = { status: 'trap', stdout: '', stderr: `error: the chapter stopped: ${e.message}` };
    }
    const ms = Math.round(performance.now() - t0);
    if (r.status === 2 || r.status === 4 || r.status === 'trap' || !r.stdout) {
      showError(r.stderr.trim().split('\n').filter((l) => l.startsWith('error:')).join('\n') ||
                r.stderr.trim() || `error: the chapter exited ${r.status} and printed nothing`);
      status.textContent = `exit ${r.status} · ${ms} ms`;
      return false;
    }
    showError('');
    const doc = new DOMParser().parseFromString(r.stdout, 'text/html');
    const fresh = doc.querySelector('main'), old = document.querySelector('main');
    if (fresh && old) old.replaceWith(document.importNode(fresh, true));
    status.textContent = `exit ${r.status}: ${VERDICT[r.status] ?? ''} · ran in ${ms} ms`;
    slide = Math.max(0, Math.min(slide, slides().length - 1));
    showSlide();
    return true;
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fields = current(), p = params(fields);
    if (config.mode === 'index') {
      p.append('run', '1');
      location.href = `chapter${fields.dataset.chapter}.html#${p}`;
      return;
    }
    if (runChapter(p)) {
      if (document.body.classList.contains('lecture')) p.append('lecture', '1');
      history.replaceState(null, '', p.toString() ? '#' + p : location.pathname);
    }
  });

  form.querySelector('.live-reset').addEventListener('click', () => {
    fill(current(), new URLSearchParams());
    showError('');
  });

  if (chapterSelect) {
    const show = () => form.querySelectorAll('.live-fields[data-chapter]').forEach((f) => {
      f.hidden = f.dataset.chapter !== chapterSelect.value;
    });
    chapterSelect.addEventListener('change', show);
    show();
  }

  // ------------------------------------------------------------ lecture mode
  // A slide is the title and intro, then each <h2> with what follows it.
  let slide = 0;
  const slides = () => {
    const out = [[]];
    const main = document.querySelector('main');
    for (const el of main ? main.children : []) {
      if (el.tagName === 'H2' && out[out.length - 1].length) out.push([]);
      out[out.length - 1].push(el);
    }
    // A title with nothing under it but navigation (the link bars and the
    // list of sections) shares the first section's slide.
    if (out.length > 1 && out[0].every((el) => el.tagName === 'H1' || el.tagName === 'NAV'))
      out.splice(0, 2, [...out[0], ...out[1]]);
    return out;
  };
  const counter = document.createElement('p');
  counter.className = 'live-slide';
  counter.setAttribute('aria-live', 'polite');
  document.body.appendChild(counter);

  function showSlide() {
    const on = document.body.classList.contains('lecture'), all = slides();
    all.forEach((els, k) => els.forEach((el) => el.classList.toggle('live-off', on && k !== slide)));
    counter.hidden = !on;
    counter.textContent = `section ${slide + 1} of ${all.length} · ← → to move · Esc to leave`;
    if (on) window.scrollTo(0, 0);
  }

  const lectureButton = form.querySelector('.live-lecture');
  function lecture(on) {
    document.body.classList.toggle('lecture', on);
    lectureButton.setAttribute('aria-pressed', String(on));
    form.querySelector('details').open = !on;
    showSlide();
  }
  lectureButton.addEventListener('click', () => lecture(!document.body.classList.contains('lecture')));

  document.addEventListener('keydown', (e) => {
    if (!document.body.classList.contains('lecture') || e.target.closest('input, textarea, select')) return;
    const n = slides().length;
    if (['ArrowRight', 'ArrowDown', 'PageDown', ' '].includes(e.key)) slide = Math.min(n - 1, slide + 1);
    else if (['ArrowLeft', 'ArrowUp', 'PageUp'].includes(e.key)) slide = Math.max(0, slide - 1);
    else if (e.key === 'Home') slide = 0;
    else if (e.key === 'End') slide = n - 1;
    else if (e.key === 'Escape') return lecture(false);
    else return;
    e.preventDefault();
    showSlide();
  });

  // ------------------------------------------------------------ the fragment
  const start = new URLSearchParams(location.hash.slice(1));
  if (config.mode === 'chapter' && [...start.keys()].length) {
    fill(current(), start);
    if ([...start.keys()].some((k) => k !== 'lecture' && k !== 'slide')) runChapter(params(current()));
  }
  slide = Math.max(0, (parseInt(start.get('slide'), 10) || 1) - 1);
  if (start.get('lecture') === '1') lecture(true);
  else showSlide();
})();
