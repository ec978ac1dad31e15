// make test-browser: the live pages (make wasm-html) in Debian's chromium,
// driven by puppeteer-core. On chapters 1, 4 and 5 it changes an input, clicks
// Run, and requires the matrices worked out by hand for that input and the
// verdict in the DOM, and the page's <main> to equal the native
// `build/chapterN ... --format html` for the same arguments. A bad input must
// show the chapter's error: line and keep the input; --bug must show FAIL;
// the URL fragment must reproduce a run; lecture mode shows one section at a
// time at 1024x768; the index's panel opens a chapter and runs it. Any console
// message, page error or request that is not file: or data: fails the test.
//   node tests/browser/test_live.mjs LIVE_DIR BUILD
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer from 'puppeteer-core';

const [liveDir, build] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), 'live-chromium-'));
const browser = await puppeteer.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  userDataDir: profile,
  protocolTimeout: 60000,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

let failures = 0;
const step = (msg) => process.env.LIVE_TEST_VERBOSE && console.error(`  [${new Date().toISOString().slice(11, 19)}] ${msg}`);
const fail = (msg) => { console.error(`error: ${msg}`); failures++; };
const url = (page) => 'file://' + resolve(liveDir, page);

async function open(page, fragment = '') {
  const tab = await browser.newPage();
  tab.problems = [];
  tab.on('console', (m) => tab.problems.push(`console ${m.type()}: ${m.text()}`));
  tab.on('pageerror', (e) => tab.problems.push(`page error: ${e.message}`));
  await tab.setRequestInterception(true);
  tab.on('request', (r) => {
    if (/^(file|data):/.test(r.url())) return r.continue();
    tab.problems.push(`external request: ${r.url()}`);
    r.abort();
  });
  await tab.setViewport({ width: 1280, height: 900 });
  await tab.goto(url(page) + fragment, { waitUntil: 'load' });
  return tab;
}

// Every matrix shown in <main>, as "a b; c d" with ASCII minus signs.
const matrices = (tab) => tab.$$eval('main mtable', (ts) => ts.map((t) =>
  [...t.querySelectorAll('mtr')].map((r) => [...r.querySelectorAll('mtd')].map((d) => d.textContent.replace(/\u2212/g, '-').trim()).join(' ')).join('; ')));
const verdicts = (tab) => tab.$$eval('main .verdict .word', (ws) => ws.map((w) => w.textContent));
const mainHtml = (tab) => tab.$eval('main', (m) => m.outerHTML);

// The native page's <main> for these arguments, as this browser parses it.
async function nativeMain(tab, n, args) {
  const html = execFileSync(join(build, `chapter${n}`), [...args, '--format', 'html'], { encoding: 'utf8' });
  return tab.evaluate((h) => new DOMParser().parseFromString(h, 'text/html').querySelector('main').outerHTML, html);
}

async function setField(tab, n, name, value) {
  const sel = `#live-${n}-${name}`;
  await tab.$eval(sel, (el) => { el.value = ''; });
  if (await tab.$eval(sel, (el) => el.tagName === 'SELECT')) await tab.select(sel, value);
  else await tab.type(sel, value);
}

async function run(tab) {
  await tab.$eval('.live-status', (s) => { s.textContent = ''; });
  await tab.click('.live-run');
  await tab.waitForFunction(() => document.querySelector('.live-status').textContent !== '', { timeout: 30000, polling: 50 });
}

// Chapter, the input changed, the arguments it means, matrices worked out by hand.
const CASES = [
  { n: 1, field: 'input', value: '1 2 0; 3 4 1', kernel: '1 0; 0 -1',
    args: ['--input', '1 2 0; 3 4 1', '--kernel', '1 0; 0 -1'],
    // X ⋆ K: 1·1 + 4·(−1) = −3 and 2 − 1 = 1; X * K flips K: −1 + 4 = 3, −2 + 1 = −1.
    expect: ['-3 1', '3 -1'] },
  { n: 4, field: 'input', value: '1 5 0 2; 3 2 7 1', args: ['--input', '1 5 0 2; 3 2 7 1'],
    expect: ['5 7'] }, // the maxima of the two 2x2 windows
  { n: 5, field: 'input', value: '1 2 3; 4 5 6; 7 8 9', args: ['--input', '1 2 3; 4 5 6; 7 8 9'],
    // Y = X ⋆ [1 1; 1 2]: 1+2+4+2·5 = 17, 2+3+5+12 = 22, 4+5+7+16 = 32, 5+6+8+18 = 37.
    expect: ['17 22; 32 37'] },
];

for (const c of CASES) {
  const name = `chapter${c.n}`, tab = await open(`${name}.html`);
  // The defaults first: what a Run costs in this browser (the first Run also
  // compiles the wasm).
  await run(tab);
  await run(tab);
  const ms = (await tab.$eval('.live-status', (s) => s.textContent)).match(/ran in (\d+) ms/);
  if (!ms) fail(`${name}: a Run with the defaults shows no time`);
  else console.log(`${name}: a Run with the defaults takes ${ms[1]} ms in Chromium`);
  await setField(tab, c.n, c.field, c.value);
  if (c.kernel) await setField(tab, c.n, 'kernel', c.kernel);
  await run(tab);
  const shown = await matrices(tab), words = await verdicts(tab);
  for (const m of c.expect) if (!shown.includes(m)) fail(`${name}: the matrix [${m}] is not on the page after Run`);
  if (!words.length || words.some((w) => w !== 'PASS')) fail(`${name}: verdicts after Run: ${words.join(' ') || 'none'}`);
  if ((await mainHtml(tab)) !== (await nativeMain(tab, c.n, c.args)))
    fail(`${name}: the page after Run differs from build/${name} ${c.args.join(' ')} --format html`);
  const hash = decodeURIComponent(await tab.evaluate(() => location.hash)).replace(/\+/g, ' ');
  if (!hash.includes(`${c.field}=${c.value}`)) fail(`${name}: the URL fragment ${hash} does not hold the input`);
  console.log(`${name}: Run with --${c.field} "${c.value}" shows ${c.expect.map((m) => `[${m}]`).join(' ')} and ${words.length} PASS verdicts`);

  // The fragment alone reproduces the run in a new tab.
  step('open the link');
  const again = await open(`${name}.html`, await tab.evaluate(() => location.hash));
  await again.waitForFunction(() => /exit/.test(document.querySelector('.live-status').textContent), { timeout: 30000, polling: 50 });
  if ((await mainHtml(again)) !== (await mainHtml(tab))) fail(`${name}: opening the link does not reproduce the run`);

  // A bad input: the chapter's error line beside the panel, the input kept, the page unchanged.
  step('bad input');
  await again.close();
  const kept = await mainHtml(tab);
  await setField(tab, c.n, c.field, '1 x; 2 3');
  step('typed');
  await run(tab);
  step('ran');
  const error = await tab.$eval('.live-error', (e) => (e.hidden ? '' : e.textContent));
  const value = await tab.$eval(`#live-${c.n}-${c.field}`, (e) => e.value);
  if (!error.startsWith(`error: --${c.field}:`)) fail(`${name}: a bad --${c.field} shows "${error}"`);
  if (value !== '1 x; 2 3') fail(`${name}: the bad input was not kept (now "${value}")`);
  if ((await mainHtml(tab)) !== kept) fail(`${name}: a bad input changed the page`);
  console.log(`${name}: a bad --${c.field} shows "${error}" and keeps the input`);

  // --bug: FAIL on the page.
  const bug = await tab.$eval(`#live-${c.n}-bug`, (s) => s.options[1].value);
  await setField(tab, c.n, c.field, c.value);
  await setField(tab, c.n, 'bug', bug);
  await run(tab);
  const bugWords = await verdicts(tab);
  if (!bugWords.includes('FAIL')) fail(`${name}: --bug ${bug} shows no FAIL (${bugWords.join(' ')})`);
  else console.log(`${name}: --bug ${bug} shows FAIL`);
  for (const p of [...tab.problems, ...again.problems]) fail(`${name}: ${p}`);
  await tab.close();
}

// Lecture mode at 1024x768: large type, one section at a time, arrow keys.
{
  const tab = await open('chapter5.html');
  await tab.setViewport({ width: 1024, height: 768 });
  await tab.click('.live-lecture');
  const visible = () => tab.$$eval('main > h2', (hs) => hs.filter((h) => h.offsetParent !== null).map((h) => h.textContent));
  const first = await visible();
  await tab.keyboard.press('ArrowRight');
  const second = await visible();
  await tab.keyboard.press('ArrowRight');
  await tab.keyboard.press('ArrowLeft');
  const back = await visible();
  const size = await tab.$eval('main p', (p) => parseFloat(getComputedStyle(p).fontSize));
  const scroll = await tab.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
  if (first.length !== 1 || second.length !== 1 || first[0] === second[0] || back.join() !== second.join())
    fail(`lecture mode: sections shown ${JSON.stringify([first, second, back])}`);
  if (size < 22) fail(`lecture mode: text is ${size} px`);
  if (scroll) fail('lecture mode scrolls sideways at 1024x768');
  console.log(`lecture mode: one section at a time (→ shows "${second[0]}"), text ${size} px at 1024x768`);
  for (const p of tab.problems) fail(`lecture: ${p}`);
  await tab.close();
}

// The index: choose chapter 5, change the input, Run opens its page and runs.
{
  const tab = await open('index.html');
  await tab.select('#live-chapter', '5');
  await setField(tab, 5, 'input', '1 2 3; 4 5 6; 7 8 9');
  await Promise.all([tab.waitForNavigation(), tab.click('.live-run')]);
  await tab.waitForFunction(() => /exit/.test(document.querySelector('.live-status').textContent), { timeout: 30000, polling: 50 });
  if (!(await matrices(tab)).includes('17 22; 32 37')) fail('index: Run did not show chapter 5 on the new input');
  else console.log('index: Run opens chapter 5 with the input and shows [17 22; 32 37]');
  for (const p of tab.problems) fail(`index: ${p}`);
  await tab.close();
}

await browser.close();
rmSync(profile, { recursive: true, force: true });
console.log(failures ? `test-browser: ${failures} failures` : 'test-browser: every live page passed');
process.exit(failures ? 1 : 0);
