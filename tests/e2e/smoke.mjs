// Playwright smoke test against the built site (dist/ served on loopback).
// Usage: node tests/e2e/smoke.mjs http://127.0.0.1:PORT/ [screenshot-dir]
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/';
const shots = process.argv[3] ?? 'test-artifacts';
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let passed = 0, failed = 0;
async function test(name, fn) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors = [];
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', e => errors.push(String(e)));
  try {
    await page.goto(url);
    await page.waitForSelector('svg.topology .node');
    await fn(page);
    assert.deepEqual(errors, [], 'console errors');
    console.log(`ok - ${name}`);
    passed++;
  } catch (e) {
    console.log(`not ok - ${name}\n  ${String(e.stack ?? e).split('\n').join('\n  ')}`);
    await page.screenshot({ path: `${shots}/FAILED-${name.replace(/\W+/g, '-')}.png` }).catch(() => {});
    failed++;
  } finally {
    await page.close();
  }
}

const position = async page => Number(await page.textContent('#position'));

await test('loads with three nodes and no console errors', async page => {
  assert.equal(await page.locator('svg.topology .node').count(), 3);
  assert.match(await page.textContent('#safety'), /Safety holds/);
  await page.screenshot({ path: `${shots}/paxos-start.png` });
});

await test('play moves messages along the links', async page => {
  await page.fill('#speed', '1'); // 10x
  await page.dispatchEvent('#speed', 'input');
  await page.click('#btn-play');
  await page.waitForSelector('svg.topology .msg');
  const m = page.locator('svg.topology .msg').first();
  const a = await m.getAttribute('transform');
  await page.waitForTimeout(150);
  const still = await page.locator('svg.topology .msg').count();
  const b = still > 0 ? await page.locator('svg.topology .msg').first().getAttribute('transform') : null;
  assert.ok(b === null || a !== b, `a message stayed at ${a}`);
  assert.ok(await position(page) > 0);
  await page.screenshot({ path: `${shots}/paxos-playing.png` });
});

await test('step forward and back restores the previous position', async page => {
  for (let i = 0; i < 5; i++) await page.click('#btn-step');
  assert.equal(await position(page), 5);
  const log5 = await page.textContent('#event-log');
  await page.click('#btn-step');
  assert.equal(await position(page), 6);
  await page.keyboard.press('ArrowLeft');
  assert.equal(await position(page), 5);
  assert.equal(await page.textContent('#event-log'), log5);
});

await test('crash a node from the inspector', async page => {
  await page.click('svg.topology .node[data-node="1"] .body');
  await page.click('#btn-crash');
  await page.waitForSelector('svg.topology .node.down[data-node="1"]');
  assert.match(await page.textContent('#event-log'), /S2 crashes/);
  await page.click('#btn-restart');
  await page.waitForSelector('svg.topology .node[data-node="1"]:not(.down)');
  await page.screenshot({ path: `${shots}/paxos-crash.png` });
});

await test('bad input shows a message and changes nothing', async page => {
  await page.fill('#acceptors', '42');
  await page.click('#btn-apply');
  await page.waitForSelector('#error');
  assert.match(await page.textContent('#error'), /acceptors must be a whole number from 1 to 9/);
  assert.equal(await page.locator('svg.topology .node').count(), 3);
});

await test('a mutant breaks safety and the badge names the event', async page => {
  await page.selectOption('#mutant', 'ignore-promised-value');
  await page.selectOption('#faults', 'heavy');
  await page.fill('#seed', '0');
  await page.click('#btn-apply');
  await page.fill('#speed', '2');
  await page.dispatchEvent('#speed', 'input');
  await page.click('#btn-play');
  await page.waitForSelector('#safety.bad', { timeout: 20000 });
  assert.match(await page.textContent('#safety'), /agreement violated at event \d+/);
  await page.screenshot({ path: `${shots}/paxos-violation.png` });
});

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
