import { chromium } from 'playwright-core';
const [url, members] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await page.addInitScript(() => { try { localStorage.setItem('distlab.advanced', 'open'); } catch {} });
page.on('pageerror', e => console.log('pageerror', String(e)));
await page.goto(url + '#swim');
await page.waitForSelector('svg.topology .node');
await page.selectOption('#scenario', '');
await page.fill('#members', members);
let t0 = Date.now();
await page.click('#btn-apply');
await page.waitForFunction(n => document.querySelectorAll('svg.topology .node').length === n, +members, { timeout: 60000 });
console.log('apply ms', Date.now() - t0);
for (let i = 0; i < 5; i++) {
  t0 = Date.now();
  await page.click('#btn-step');
  await page.evaluate(() => new Promise(r => requestAnimationFrame(() => r())));
  console.log('step ms', Date.now() - t0);
}
const client = await page.context().newCDPSession(page);
await client.send('Profiler.enable');
await client.send('Profiler.start');
for (let i = 0; i < 3; i++) { await page.click('#btn-step'); await page.evaluate(() => new Promise(r => requestAnimationFrame(() => r()))); }
const { profile } = await client.send('Profiler.stop');
const self = new Map();
const byId = new Map(profile.nodes.map(n => [n.id, n]));
const dt = profile.timeDeltas; let i = 0;
for (const s of profile.samples) { const n = byId.get(s); const k = n.callFrame.functionName || n.callFrame.url; self.set(k, (self.get(k) ?? 0) + (dt[i++] ?? 0)); }
console.log([...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `${(v / 1000).toFixed(0)}ms ${k}`).join('\n'));
await browser.close();
