// Takes the README's screenshots (docs/*.png) from the built site.
// Usage: bash scripts/serve.sh (in another shell), then node tests/e2e/screenshots.mjs [URL]
import { chromium } from 'playwright-core';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu'] });
const page = async (hash, h = 1350) => {
  const p = await b.newPage({ viewport: { width: 1280, height: h }, colorScheme: 'light' });
  await p.goto(url + hash);
  await p.waitForSelector(hash === '#hashing' ? '#ring-svg' : 'svg.topology .node');
  return p;
};
const speed = async (p, v) => { await p.fill('#speed', String(v)); await p.dispatchEvent('#speed', 'input'); };
const preset = async (p, name) => { await p.click('#gallery summary'); await p.click(`.preset[data-preset="${name}"]`); };
const runUntil = async (p, fn, arg) => { await p.click('#btn-play'); await p.waitForFunction(fn, arg, { timeout: 60000 }); await p.click('#btn-play'); };
const pos = () => Number(document.querySelector('#position').textContent);

// Paxos: three nodes mid-run.
let p = await page('#paxos', 1000);
await speed(p, -0.3);
await runUntil(p, () => document.querySelectorAll('svg.topology .msg').length >= 4 && Number(document.querySelector('#position').textContent) > 20);
await p.evaluate(() => window.scrollTo(0, 0));
await p.screenshot({ path: 'docs/screenshot.png' });
await p.close();

// Raft: a leader elected, entries in the logs.
p = await page('#raft');
await speed(p, 1.5);
await runUntil(p, () => /★ leader/.test(document.querySelector('svg.topology').textContent) && document.querySelectorAll('#log-table td.entry').length >= 15);
await p.evaluate(() => window.scrollTo(0, 0));
await p.screenshot({ path: 'docs/raft.png' });
await p.close();

// Multi-Paxos: the leader-crash preset after the new leader adopts; then its space-time diagram.
p = await page('#multipaxos');
await preset(p, 'leader-crash');
await speed(p, 0.8);
await runUntil(p, () => document.querySelector('#narration li.current')?.textContent.startsWith('1.50') || Number(document.querySelector('#position').textContent) > 600);
await p.evaluate(() => window.scrollTo(0, 0));
await p.screenshot({ path: 'docs/multipaxos.png' });
await p.locator('#spacetime').scrollIntoViewIfNeeded();
await p.waitForTimeout(300);
await p.locator('#spacetime').screenshot({ path: 'docs/spacetime.png' });
await p.close();

// Kafka: the failover preset after the broker crash.
p = await page('#kafka');
await preset(p, 'failover');
await speed(p, 0.8);
await runUntil(p, () => document.querySelectorAll('svg.topology .node.down').length > 0 && Number(document.querySelector('#position').textContent) > 300);
await p.evaluate(() => window.scrollTo(0, 0));
await p.screenshot({ path: 'docs/kafka.png' });
await p.close();

// Hashing: a node added, the keys it took drawn large.
p = await page('#hashing', 900);
await p.click('#btn-add-node');
await p.waitForTimeout(1500);
await p.screenshot({ path: 'docs/hashing.png' });
await p.close();
await b.close();
