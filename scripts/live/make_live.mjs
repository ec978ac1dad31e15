// make wasm-html: the live pages. For every chapter N, LIVE/chapterN.html is
// BUILD/html/chapterN.html (exactly `build/chapterN --format html`) with a
// panel before its <main>: the chapter's options pre-filled with their
// defaults, a --bug selector, --answer and --formula boxes, and a Run button
// that runs WASM/chapterN.wasm in the page (scripts/live/wasi_shim.js) with
// --format html and puts the <main> it prints in place of the page's. The
// wasm is embedded as base64: the page loads nothing and works from file://.
// LIVE/index.html is make html's index with a panel that opens a chapter's
// live page with the chosen inputs (in the URL fragment) and runs it.
//   node scripts/live/make_live.mjs BUILD WASM_DIR LIVE_DIR N ...
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [build, wasmDir, liveDir, ...chapters] = process.argv.slice(2);
const here = new URL('.', import.meta.url).pathname;
const asset = (name) => readFileSync(join(here, name), 'utf8');
mkdirSync(liveDir, { recursive: true });

const run = (n, args) => execFileSync(join(build, `chapter${n}`), args, { encoding: 'utf8', maxBuffer: 1 << 28 });
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

// A JSON value as the chapter's matrix syntax: "1 2; 3 4", "1 0", "0.5".
function literal(v) {
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  if (!Array.isArray(v)) return null;
  if (v.every((x) => typeof x === 'number')) return v.join(' ');
  if (v.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number'))) return v.map((r) => r.join(' ')).join('; ');
  return null; // several channels: no literal for it
}

// JSON keys for options whose name is not the key.
const KEY_OF = { '--lr': ['learning_rate', 'step_lr'] };

// The chapter's own options from --help ("Chapter options:" up to a blank
// line), each with its default: the value the chapter reports under the
// option's name in JSON, else a plain "(default: V)" of --help.
function chapterOptions(n) {
  const help = run(n, ['--help']).split('\n');
  const json = JSON.parse(run(n, ['--format', 'json']));
  const start = help.indexOf('Chapter options:');
  const options = [];
  for (let i = start + 1; start >= 0 && i < help.length && help[i].trim(); i++) {
    const m = help[i].match(/^  (--[\w-]+) (\S+)\s+(.*)$/);
    if (m) options.push({ name: m[1], metavar: m[2], help: m[3] });
    else if (options.length) options[options.length - 1].help += ' ' + help[i].trim();
  }
  const live = options.filter((o) => o.metavar !== 'FILE' && !/\bfile\b/i.test(o.help) && !/of --data$/.test(o.help));
  for (const o of live) {
    const keys = KEY_OF[o.name] ?? [o.name.slice(2)];
    const key = keys.find((k) => k in json);
    let value = key !== undefined ? literal(json[key]) : null;
    if (value === null) {
      const d = o.help.match(/\(default:? ([-\w.]+)(?:[,)]| each)/);
      value = d ? d[1] : '';
    }
    o.value = value;
    o.matrix = /^[MVG]$/.test(o.metavar) || value.includes(' ');
  }
  const bugs = run(n, ['--bug', 'list']).split('\n').filter(Boolean).map((l) => {
    const m = l.match(/^(\S+)\s+(.*)$/);
    return { name: m[1], description: m[2] };
  });
  const title = help[0];
  // The files a default run reads (a FILE option's "(default PATH)"), which the page embeds.
  const files = options.filter((o) => o.metavar === 'FILE')
    .map((o) => (o.help.match(/\(default ([^\s)]+)\)/) ?? [])[1]).filter((f) => f && existsSync(f));
  return { n, program: `chapter${n}`, title, options: live, bugs, files,
           formulas: help.some((l) => /^  --formula /.test(l)) };
}

// The panel's form for one chapter (also used, one per chapter, by the index).
function fields(c) {
  const f = [];
  for (const o of c.options) {
    const id = `live-${c.n}-${o.name.slice(2)}`;
    const input = o.matrix
      ? `<textarea id="${id}" name="${o.name}" rows="2" spellcheck="false" data-default="${esc(o.value)}">${esc(o.value)}</textarea>`
      : `<input id="${id}" name="${o.name}" spellcheck="false" data-default="${esc(o.value)}" value="${esc(o.value)}">`;
    f.push(`<div class="live-field${o.matrix ? ' wide' : ''}"><label for="${id}"><code>${esc(o.name)}</code> ` +
           `<span>${esc(o.help)}</span></label>${input}</div>`);
  }
  const bugOptions = c.bugs.map((b) => `<option value="${esc(b.name)}">${esc(b.name)}: ${esc(b.description)}</option>`);
  const field = (name, help, control, wide) => f.push(`<div class="live-field${wide ? ' wide' : ''}">` +
    `<label for="live-${c.n}-${name}"><code>--${name}</code> <span>${help}</span></label>${control}</div>`);
  field('bug', 'inject a classic mistake', `<select id="live-${c.n}-bug" name="--bug" data-default="">` +
        `<option value="">none: the right code</option>${bugOptions.join('')}</select>`);
  field('seed', 'seed for every random choice', `<input id="live-${c.n}-seed" name="--seed" data-default="1" value="1">`);
  field('answer', 'your hand-computed NAME=MATRIX, one per line', `<textarea id="live-${c.n}-answer" name="--answer" ` +
        `rows="2" spellcheck="false" data-default="" placeholder="e.g. ${esc(c.answerExample)}"></textarea>`, true);
  if (c.formulas)
    field('formula', 'a gradient formula NAME = EXPRESSION, one per line', `<textarea id="live-${c.n}-formula" ` +
          `name="--formula" rows="2" spellcheck="false" data-default="" placeholder="e.g. ${esc(c.formulaExample)}"></textarea>`, true);
  return `<div class="live-fields" data-chapter="${c.n}">\n${f.join('\n')}\n</div>`;
}

// A key the chapter reports as a matrix and its shape, for the --answer
// placeholder (not its value: the box is for a student's own derivation).
function answerExample(n) {
  const json = JSON.parse(run(n, ['--format', 'json']));
  const usable = (k) => Array.isArray(json[k]) && literal(json[k]) !== null;
  const key = Object.keys(json).find((k) => /^(dL_|d[A-Z])/.test(k) && usable(k)) ?? Object.keys(json).find(usable);
  if (!key) return 'NAME=1 2; 3 4';
  const v = json[key], shape = Array.isArray(v[0]) ? `${v.length}x${v[0].length}` : `1x${v.length}`;
  return `${key}=… (your ${shape} value, rows split by ;)`;
}

const ACTIONS = '<div class="live-actions"><button type="submit" class="live-run">Run</button> ' +
  '<button type="button" class="live-reset">Defaults</button> ' +
  '<button type="button" class="live-lecture" aria-pressed="false">Lecture mode</button> ' +
  '<span class="live-status" role="status">ready</span></div>\n<p class="live-error" role="alert" hidden></p>';

function panel(c) {
  return `<form id="live-panel" class="live" data-program="${c.program}">\n<details open>\n` +
    `<summary>Run this chapter here: change the numbers, then Run</summary>\n${fields(c)}\n${ACTIONS}\n` +
    `</details>\n</form>\n`;
}

function writeAtomic(file, text) {
  writeFileSync(file + '.tmp', text);
  renameSync(file + '.tmp', file);
  console.log(file);
}

const style = `<style>${asset('live.css').replace(/\s*\n\s*/g, '')}</style>\n`;
const shim = asset('wasi_shim.js'), script = asset('live.js');
// The example of the chapter's --help notes ("--formula \"dK = xcorr(X, G)\"").
const formulaExample = (n) => (run(n, ['--help']).replace(/\s*\n\s*/g, ' ').match(/--formula "([^"]+)"/) ?? [, 'NAME = EXPR'])[1];
const configs = chapters.map((n) => ({ ...chapterOptions(n), answerExample: answerExample(n), formulaExample: formulaExample(n) }));

for (const c of configs) {
  const page = readFileSync(join(build, 'html', `chapter${c.n}.html`), 'utf8');
  const wasm = readFileSync(join(wasmDir, `chapter${c.n}.wasm`)).toString('base64');
  const config = JSON.stringify({ program: c.program, mode: 'chapter' }).replace(/</g, '\\u003c');
  const tail = `<script type="application/json" id="live-config">${config}</script>\n` +
    `<script type="application/octet-stream" id="live-wasm">${wasm}</script>\n` +
    c.files.map((f) => `<script type="application/octet-stream" class="live-file" data-path="${esc(f)}">` +
                       `${readFileSync(f).toString('base64')}</script>\n`).join('') +
    `<script>\n${shim}\n${script}\n</script>\n`;
  if (!page.includes('<body>\n') || !page.includes('</body>')) throw new Error(`chapter${c.n}.html: no <body>`);
  const live = page.replace('</head>', style + '</head>').replace('<body>\n', '<body>\n' + panel(c))
    .replace('</body>', tail + '</body>');
  writeAtomic(join(liveDir, `chapter${c.n}.html`), live);
}

// The index: a chapter selector and each chapter's fields; Run opens the page.
const index = readFileSync(join(build, 'html', 'index.html'), 'utf8');
const select = `<div class="live-field wide"><label for="live-chapter"><code>chapter</code> <span>the chapter to run</span></label>` +
  `<select id="live-chapter">${configs.map((c) => `<option value="${c.n}">${esc(c.title)}</option>`).join('')}</select></div>`;
const indexPanel = `<form id="live-panel" class="live" data-mode="index">\n<details open>\n` +
  `<summary>Run a chapter in this browser: choose it, change the numbers, then Run</summary>\n` +
  `<div class="live-fields">${select}</div>\n${configs.map(fields).join('\n')}\n${ACTIONS}\n</details>\n</form>\n`;
const indexConfig = JSON.stringify({ mode: 'index' });
writeAtomic(join(liveDir, 'index.html'), index.replace('</head>', style + '</head>')
  .replace('<body>\n', '<body>\n' + indexPanel)
  .replace('</body>', `<script type="application/json" id="live-config">${indexConfig}</script>\n` +
           `<script>\n${script}\n</script>\n</body>`));
