// The lab in both languages, against the built site: every page opened by a browser whose
// language is Chinese (zh-CN) speaks Chinese, with no English word left a reader would need
// (an allow-list holds message names, commands, units and names: i18n/allow.txt and the
// protocols' message names), and by an English browser speaks English with no Chinese leaking
// in; the switch changes the language in place and keeps the run; a reload and a share link
// keep the language; axe finds no violation in either language.
// Usage: node tests/e2e/i18n.mjs http://127.0.0.1:PORT/ [screenshot-dir]
// With SHOTS_DOCS=1 it also writes each page's Chinese screenshots (desktop and phone) to docs/zh/.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/';
const shots = process.argv[3] ?? 'test-artifacts/i18n';
mkdirSync(shots, { recursive: true });
const docs = process.env.SHOTS_DOCS ? new URL('../../docs/zh/', import.meta.url).pathname : null;
if (docs) mkdirSync(docs, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// Words that stay as they are: the allow-list file, and every message name the palette knows.
const root = new URL('../../', import.meta.url);
const allowed = new Set();
for (const line of readFileSync(new URL('i18n/allow.txt', root), 'utf8').split('\n')) {
  if (!line.startsWith('#')) for (const w of line.split(/\s+/)) if (w) allowed.add(w);
}
for (const m of readFileSync(new URL('web/src/palette.rs', root), 'utf8').matchAll(/"([A-Z][A-Za-z]+)"/g)) allowed.add(m[1]);

const PAGES = [
  ['paxos', 'svg.topology .node'],
  ['multipaxos', 'svg.topology .node'],
  ['raft', 'svg.topology .node'],
  ['kafka', 'svg.topology .node'],
  ['swim', 'svg.topology .node'],
  ['coordination', 'svg.topology .node'],
  ['shardkv', 'svg.topology .node'],
  ['dfs', 'svg.topology .node'],
  ['compare', '#btn-compare'],
  ['hashing', '#ring-svg'],
];

let passed = 0, failed = 0;
async function test(name, fn) {
  if (process.env.ONLY && !name.includes(process.env.ONLY)) return;
  try {
    await fn();
    console.log(`ok - ${name}`);
    passed++;
  } catch (e) {
    console.log(`not ok - ${name}\n  ${String(e.stack ?? e).split('\n').join('\n  ')}`);
    failed++;
  }
}

async function open(path, locale, ready, viewport = { width: 1280, height: 1000 }) {
  // The page's CSP forbids inline scripts: the test's context lets it inject axe.
  const context = await browser.newContext({ locale, viewport, bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(url + path);
  await page.waitForSelector(ready, { timeout: 30000 });
  return { page, context, errors };
}

// English words a reader of Chinese would meet: in text, in tooltips and labels, in the title.
// Elements marked translate="no" (names, commands, message names), code and keys are skipped.
// Not words to translate: the names of the page's mutants and presets (its menus' values), a
// Latin term in full-width brackets after its Chinese one (提案者（Proposer）, the usual way
// to give the original), quoted data ('hello', "x"), and dotted or underscored identifiers
// (min.insync.replicas, my_topic).
const englishWords = page => page.evaluate(allowedList => {
  const allowed = new Set(allowedList);
  const names = [...document.querySelectorAll('#mutant option, #scenario option')].map(o => o.value).filter(v => v.length > 2);
  const found = new Map();
  const skip = el => el.closest('[translate="no"], code, kbd, script, style, noscript, #lang, [hidden]');
  const check = (raw, where) => {
    let text = raw;
    for (const n of names) text = text.split(n).join(' ');
    text = text
      .replace(/（[^（）\u4e00-\u9fff]{1,60}）/g, ' ')
      .replace(/'[^']{1,40}'|"[^"]{1,60}"|“[^”]{1,60}”/g, ' ')
      .replace(/\b[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z0-9]+)+\b/g, ' ')
      .replace(/\b[A-Za-z]+-\d+\b/g, ' ');
    for (const w of text.split(/[^A-Za-z]+/)) {
      if (w.length >= 2 && !allowed.has(w) && !allowed.has(w.toLowerCase()) && !found.has(w)) {
        found.set(w, where.trim().slice(0, 100));
      }
    }
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (el && !skip(el)) check(walker.currentNode.textContent, walker.currentNode.textContent);
  }
  for (const el of document.querySelectorAll('[title], [aria-label], [placeholder], [alt]')) {
    if (skip(el)) continue;
    for (const a of ['title', 'aria-label', 'placeholder', 'alt']) {
      const v = el.getAttribute(a);
      if (v) check(v, `${a}="${v}"`);
    }
  }
  check(document.title, 'title');
  check(document.querySelector('meta[name=description]')?.content ?? '', 'description');
  return [...found].map(([w, where]) => `${w}  ←  ${where}`);
}, [...allowed]);

// Chinese text on an English page (the switch's own "简体中文" aside).
const chineseText = page => page.evaluate(() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (el && !el.closest('#lang') && /[\u4e00-\u9fff]/.test(walker.currentNode.textContent)) found.push(walker.currentNode.textContent.slice(0, 80));
  }
  return found;
});

// Show a protocol page's moving parts: run some events, open a node's card and the shortcut
// sheet, so their words are on the page too.
async function exercise(page, name) {
  if (name === 'hashing') return;
  if (name === 'compare') {
    await page.click('#btn-compare');
    await page.waitForSelector('#compare-table', { timeout: 60000 });
    return;
  }
  for (let i = 0; i < 40; i++) await page.keyboard.press('ArrowRight');
  await page.click('svg.topology .node[data-node="0"] .body');
  await page.keyboard.press('?');
  await page.waitForSelector('.help, [role=dialog]', { timeout: 5000 }).catch(() => {});
}

const axeSource = readFileSync(new URL('node_modules/axe-core/axe.min.js', root), 'utf8');
async function axe(page) {
  if (!await page.evaluate(() => typeof window.axe === 'object')) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map(v => `${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`));
}

for (const [name, ready] of PAGES) {
  await test(`${name} in Chinese (browser language zh-CN): no English words left, axe clean`, async () => {
    const { page, context, errors } = await open(`${name}/`, 'zh-CN', ready);
    try {
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      assert.equal(await page.inputValue('#lang'), 'zh-CN');
      await exercise(page, name);
      const left = await englishWords(page);
      await page.screenshot({ path: `${shots}/${name}-zh.png`, fullPage: true });
      assert.deepEqual(left, [], `English words on the Chinese ${name} page`);
      await page.keyboard.press('Escape');
      assert.deepEqual(await axe(page), [], 'axe violations in Chinese');
      assert.deepEqual(errors, [], 'console errors');
    } finally {
      await context.close();
    }
  });
  await test(`${name} in English (browser language en): no Chinese, axe clean`, async () => {
    const { page, context, errors } = await open(`${name}/`, 'en-US', ready);
    try {
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await exercise(page, name);
      assert.deepEqual(await chineseText(page), [], `Chinese on the English ${name} page`);
      await page.keyboard.press('Escape');
      assert.deepEqual(await axe(page), [], 'axe violations in English');
      assert.deepEqual(errors, [], 'console errors');
    } finally {
      await context.close();
    }
  });
}

await test('the switch changes the language in place, keeps the run, and a reload and a share link keep it', async () => {
  const { page, context, errors } = await open('raft/', 'en-US', 'svg.topology .node');
  try {
    for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowRight');
    const position = await page.textContent('#position');
    assert.match(await page.textContent('#btn-step'), /Step/);
    await page.selectOption('#lang', 'zh-CN');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    await page.waitForFunction(() => /单步/.test(document.querySelector('#btn-step')?.textContent ?? ''));
    assert.equal(await page.textContent('#position'), position, 'the run stays where it was');
    assert.match(await page.title(), /Raft/);
    await page.reload();
    await page.waitForSelector('svg.topology .node');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN', 'a reload keeps the choice');
    // A link made in Chinese opens in Chinese for an English reader.
    await page.evaluate(() => { document.querySelector('#advanced').open = true; });
    await page.click('#btn-share');
    await page.waitForFunction(() => location.hash.includes('/s='));
    const link = page.url();
    assert.match(link, /[?&]lang=zh-CN/);
    const other = await browser.newContext({ locale: 'en-US', bypassCSP: true });
    const p2 = await other.newPage();
    await p2.goto(link);
    await p2.waitForSelector('svg.topology .node');
    assert.equal(await p2.getAttribute('html', 'lang'), 'zh-CN', 'the link carries its language');
    await other.close();
    // Back to English, in place.
    await page.selectOption('#lang', 'en');
    await page.waitForFunction(() => /Step/.test(document.querySelector('#btn-step')?.textContent ?? ''));
    assert.deepEqual(errors, [], 'console errors');
  } finally {
    await context.close();
  }
});

if (docs) {
  await test('Chinese screenshots of every page for docs/zh/', async () => {
    for (const [name, ready] of PAGES) {
      for (const [size, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 375, height: 812 }]]) {
        const { page, context } = await open(`${name}/`, 'zh-CN', ready, viewport);
        if (name !== 'compare' && name !== 'hashing') {
          // The lesson's second step: a moment with something to see.
          await page.click('#btn-next').catch(() => {});
          await page.waitForFunction(() => !/播放中/.test(document.querySelector('#btn-next')?.textContent ?? ''), null, { timeout: 30000 }).catch(() => {});
        }
        await page.screenshot({ path: `${docs}${name}-${size}.png` });
        await context.close();
      }
    }
  });
}

await browser.close();
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
