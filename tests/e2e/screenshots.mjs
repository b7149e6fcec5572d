// Takes the README's screenshots (docs/*.png) from the built site, each at a lesson's key
// moment reached with the lesson's own buttons, at 1280×800.
// Usage: bash scripts/serve.sh (in another shell), then node tests/e2e/screenshots.mjs [URL]
import { chromium } from 'playwright-core';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu'] });
const page = async (hash, h = 800) => {
  const p = await b.newPage({ viewport: { width: 1280, height: h }, colorScheme: 'light' });
  await p.goto(url + hash);
  await p.waitForSelector(hash === '#hashing' ? '#ring-svg' : 'svg.topology .node');
  return p;
};
const preset = async (p, name) => { await p.click('#gallery summary'); await p.click(`.preset[data-preset="${name}"]`); };
// Next ▸ until the current step says `re`.
const lessonTo = async (p, re) => {
  for (let i = 0; i < 15 && !re.test(await p.textContent('#lesson-now')); i++) {
    await p.click('#btn-next');
    await p.waitForFunction(() => document.querySelector('#btn-next')?.textContent !== 'Playing…', null, { timeout: 30000 });
  }
};
const top = async p => { await p.evaluate(() => window.scrollTo(0, 0)); await p.waitForTimeout(200); };

// Paxos: S2 adopts the value its promises report.
let p = await page('#paxos');
await preset(p, 'adopt');
await lessonTo(p, /So S2 proposes 10/);
await top(p);
await p.screenshot({ path: 'docs/screenshot.png' });
await p.close();

// Raft: Figure 8 with the mutant, past the violation: the committed entry overwritten.
p = await page('#raft');
await preset(p, 'figure-8');
await lessonTo(p, /commits up to index 3/);
await p.click('#btn-break-it');
await p.waitForFunction(() => /violated/.test(document.querySelector('#safety').textContent), null, { timeout: 30000 });
await top(p);
await p.screenshot({ path: 'docs/raft.png' });
await p.close();

// Multi-Paxos: the new leader carries slot 3 across; then its space-time diagram.
p = await page('#multipaxos');
await preset(p, 'leader-crash');
await lessonTo(p, /S2 carried\s+it across/);
await top(p);
await p.screenshot({ path: 'docs/multipaxos.png' });
await p.locator('#spacetime').scrollIntoViewIfNeeded();
await p.waitForTimeout(300);
await p.locator('#spacetime').screenshot({ path: 'docs/spacetime.png' });
await p.close();

// Kafka: acks=1 loses an acknowledged record.
p = await page('#kafka');
await preset(p, 'acks-one-loss');
await lessonTo(p, /acknowledged record is gone/);
await top(p);
await p.screenshot({ path: 'docs/kafka.png' });
await p.close();

// Coordination: the paused lock holder wakes and writes with its old token; storage refuses it.
p = await page('#coordination');
await preset(p, 'lock-fencing');
await lessonTo(p, /C1 wakes/);
await top(p);
await p.screenshot({ path: 'docs/coordination.png' });
await p.close();

// Hashing: a node added; who gave keys up.
p = await page('#hashing', 900);
await p.click('#btn-add-node');
await p.waitForTimeout(1500);
await p.screenshot({ path: 'docs/hashing.png' });
await p.close();
await b.close();
