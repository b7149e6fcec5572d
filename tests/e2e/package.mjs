// The package's example page (js/example/, served with js/pkg/ beside it) draws a Raft run
// with the package alone: the nodes appear, playing elects a leader, crashing it is drawn.
// Usage: node tests/e2e/package.mjs http://127.0.0.1:PORT/example/ [screenshot-dir]
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';

const url = process.argv[2];
const shots = process.argv[3] ?? 'test-artifacts';
mkdirSync(shots, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
const errors = [];
page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
page.on('pageerror', e => errors.push(String(e)));
try {
  await page.goto(url);
  await page.waitForSelector('#cluster g.node');
  assert.equal(await page.locator('#cluster g.node').count(), 6, 'five servers and a client');
  assert.match(await page.textContent('#status'), /^event 0 · /);
  await page.click('#play');
  await page.waitForSelector('#cluster g.node[data-role="leader"]', { timeout: 30000 });
  await page.click('#play');
  const leader = await page.locator('#cluster g.node[data-role="leader"] text').first().textContent();
  await page.click('#crash');
  await page.waitForSelector('#cluster g.node[data-up="false"]');
  assert.match(await page.textContent('#status'), /trace [0-9a-f]{16}$/);
  await page.screenshot({ path: `${shots}/package-example.png` });
  assert.deepEqual(errors, [], 'console errors');
  console.log(`ok - the package's example page draws a Raft run, elects ${leader} and crashes it`);
} catch (e) {
  console.log(`not ok - the package's example page\n  ${String(e.stack ?? e).split('\n').join('\n  ')}`);
  await page.screenshot({ path: `${shots}/FAILED-package-example.png` }).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
}
