// Browser measurements for BENCHMARKS.md (run by scripts/bench.sh; nothing here is asserted):
// time to first render, frame times while animating, and the space-time diagram at 10^5 events.
// Usage: node tests/e2e/bench.mjs http://127.0.0.1:PORT/
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
// The run settings these measurements change are under "Advanced": open, as a user would.
const newPage = browser.newPage.bind(browser);
browser.newPage = async options => {
  const page = await newPage(options);
  await page.addInitScript(() => { try { localStorage.setItem('distlab.advanced', 'open'); } catch { /* no storage */ } });
  return page;
};
// BENCH_ONLY=first|slow|frames|swim|diagram runs one group.
const only = process.env.BENCH_ONLY;
const want = group => !only || only === group;
const out = {};
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };
const speed = async (page, log10) => { await page.fill('#speed', String(log10)); await page.dispatchEvent('#speed', 'input'); };

// Time to first render: navigation start to the first drawn node, five fresh loads.
if (want('first')) {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const t0 = Date.now();
    await page.goto(url + 'raft/');
    await page.waitForSelector('svg.topology .node');
    times.push(Date.now() - t0);
    await page.close();
  }
  out.first_render_ms = { median: pct(times, 0.5), all: times };
}

// Each page on a slow connection (Chromium's network emulation: 1.6 Mbit/s down, 150 ms round
// trip), served gzip-compressed as a static host would (dist/ through a small gzip server
// here), with an empty cache: navigation start to the page's first drawing, three loads each.
if (want('slow') && process.env.DIST) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };
  const server = createServer((req, res) => {
    let path = normalize(join(process.env.DIST, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    if (!path.startsWith(normalize(process.env.DIST))) { res.writeHead(403); res.end(); return; }
    try { if (statSync(path).isDirectory()) path = join(path, 'index.html'); } catch { res.writeHead(404); res.end(); return; }
    const body = gzipSync(readFileSync(path), { level: 9 });
    res.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream', 'Content-Encoding': 'gzip', 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise(done => server.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${server.address().port}/`;
  const drawn = { hashing: '#ring-svg', compare: '#compare-seed' };
  out.first_render_slow_ms = {};
  // SLOW_PAGES=shardkv,dfs measures only those.
  const pages = process.env.SLOW_PAGES?.split(',')
    ?? ['paxos', 'multipaxos', 'raft', 'kafka', 'swim', 'coordination', 'shardkv', 'dfs', 'compare', 'hashing'];
  for (const p of pages) {
    const times = [];
    for (let i = 0; i < 3; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions',
        { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 });
      const t0 = Date.now();
      await page.goto(base + p + '/');
      await page.waitForSelector(drawn[p] ?? 'svg.topology .node', { timeout: 60000 });
      times.push(Date.now() - t0);
      await context.close();
    }
    out.first_render_slow_ms[p] = { median: pct(times, 0.5), all: times };
  }
  server.close();
}

// Frame times while animating: requestAnimationFrame deltas over 5 s of play.
async function frames(hash, setup) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url + hash.slice(1) + '/');
  await page.waitForSelector('svg.topology .node');
  await setup(page);
  await page.click('#btn-play');
  // Frame deltas, and the messages drawn in flight counted every tenth frame.
  const [deltas, flying] = await page.evaluate(() => new Promise(done => {
    const ds = [], fs = []; let last = performance.now(); const end = last + 5000;
    const tick = now => {
      ds.push(now - last); last = now;
      if (ds.length % 10 === 0) fs.push(Number(document.querySelector('.flights-layer').dataset.inFlight));
      if (now < end) requestAnimationFrame(tick); else done([ds, fs]);
    };
    requestAnimationFrame(tick);
  }));
  const nodes = await page.locator('svg.topology .node').count();
  await page.close();
  const mean = Math.round(flying.reduce((a, b) => a + b, 0) / Math.max(1, flying.length));
  return { nodes, in_flight_mean: mean, in_flight_max: Math.max(0, ...flying), frames: deltas.length, p50_ms: +pct(deltas, 0.5).toFixed(1), p95_ms: +pct(deltas, 0.95).toFixed(1) };
}
if (want('frames')) out.frames_raft_5_servers = await frames('#raft', async page => { await speed(page, 0.5); });
if (want('frames')) out.frames_kafka_20_nodes = await frames('#kafka', async page => {
  await page.fill('#brokers', '9'); await page.fill('#partitions', '32'); await page.fill('#rf', '3');
  await page.fill('#consumers', '6'); await page.fill('#produce-every', '1');
  await page.selectOption('#scenario', ''); await page.click('#btn-apply'); await speed(page, 0.5);
});

// The sharded database with every group drawn: five replica groups of three, all in the first
// configuration, 64 shards (their chips under the groups), a group joining or leaving every
// 1.5 s, four clients, plus the configuration service: 22 nodes. The file system with eight
// racks of four data nodes (32), three metadata servers and four clients.
if (want('frames')) out.frames_shardkv_5_groups = await frames('#shardkv', async page => {
  await page.selectOption('#scenario', '');
  await page.fill('#groups', '5'); await page.fill('#joined', '5'); await page.fill('#shards', '64');
  await page.fill('#moves', '1500'); await page.fill('#clients', '4');
  await page.click('#btn-apply'); await speed(page, 0);
});
if (want('frames')) out.frames_dfs_32_data_nodes = await frames('#dfs', async page => {
  await page.selectOption('#scenario', '');
  await page.fill('#racks', 'r1:4,r2:4,r3:4,r4:4,r5:4,r6:4,r7:4,r8:4'); await page.fill('#clients', '4');
  await page.click('#btn-apply'); await speed(page, 0);
});

// A hundred nodes: single-decree Paxos with 9 proposers, 100 acceptors and 5 learners at 1x:
// 900 Prepares go out in the first 10 ms, then Promises, Accepts and Accepted notices, about
// 500 messages in flight on average over the 5 s measured (PAXOS_ROLES=p,a,l to change).
if (want('frames')) out.frames_paxos_100_nodes = await frames('#paxos', async page => {
  const [np, na, nl] = (process.env.PAXOS_ROLES ?? '9,100,5').split(',');
  await page.fill('#proposers', np); await page.fill('#acceptors', na); await page.fill('#learners', nl);
  await page.click('#btn-apply'); await speed(page, 0);
});

// SWIM crowds: a step (a click on Step to the frame after it is drawn, 20 steps after 2 s of
// play) and frame times while playing at 100x, for 32, 300 and 1,000 members.
if (want('swim')) {
  out.swim_crowd = {};
  for (const members of ['32', '300', '1000']) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url + 'swim/');
    await page.waitForSelector('svg.topology');
    await page.selectOption('#scenario', ''); await page.fill('#members', members); await page.click('#btn-apply');
    await page.waitForTimeout(500);
    await speed(page, 2);
    await page.click('#btn-play');
    const deltas = await page.evaluate(() => new Promise(done => {
      const ds = []; let last = performance.now(); const end = last + 5000;
      const tick = now => { ds.push(now - last); last = now; if (now < end) requestAnimationFrame(tick); else done(ds); };
      requestAnimationFrame(tick);
    }));
    await page.click('#btn-play');
    const steps = [];
    for (let i = 0; i < 20; i++) {
      steps.push(await page.evaluate(() => new Promise(done => {
        const t = performance.now();
        document.querySelector('#btn-step').click();
        requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t)));
      })));
    }
    out.swim_crowd[members] = {
      position: Number(await page.textContent('#position')),
      play_frames: deltas.length, play_p50_ms: +pct(deltas, 0.5).toFixed(1), play_p95_ms: +pct(deltas, 0.95).toFixed(1),
      step_p50_ms: +pct(steps, 0.5).toFixed(1), step_max_ms: +Math.max(...steps).toFixed(1),
      elements: await page.evaluate(() => document.querySelectorAll('*').length),
    };
    await page.close();
  }
}

// The space-time diagram at 10^5 events: Multi-Paxos with 9 servers and 8 clients played
// to event 100,000, then the time from a click to the next painted frame.
if (want('diagram')) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url + 'multipaxos/');
  await page.waitForSelector('svg.topology .node');
  await page.fill('#servers', '9'); await page.fill('#clients', '8'); await page.click('#btn-apply');
  await speed(page, 2);
  const t0 = Date.now();
  await page.click('#btn-play');
  await page.waitForFunction(() => Number(document.querySelector('#position').textContent) >= 100000, null, { timeout: 600000, polling: 1000 });
  await page.click('#btn-play');
  const reached = await page.textContent('#position');
  const timed = async (selector) => page.evaluate(sel => new Promise(done => {
    const t = performance.now();
    document.querySelector(sel).click();
    requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t)));
  }), selector);
  const res = {};
  for (const span of ['200', '1000', '5000']) {
    await page.click(`#spacetime .st-controls button:text-is("${span}")`);
    const steps = [];
    for (let i = 0; i < 10; i++) steps.push(await timed('#btn-back'));
    res[`step_back_with_${span}_events_shown_ms`] = { p50: +pct(steps, 0.5).toFixed(1), max: +Math.max(...steps).toFixed(1) };
  }
  // At 5,000 events shown the arrows are painted on a canvas (web/src/arrowpaint.rs).
  res.arrows_drawn = await page.locator('#spacetime .arrow').count();
  res.arrows_painted = Number(await page.getAttribute('#spacetime canvas.st-canvas', 'data-arrows').catch(() => 0));
  out.diagram_at_1e5 = { position: Number(reached), played_in_s: (Date.now() - t0) / 1000, ...res };
  await page.close();
}
console.log(JSON.stringify(out, null, 2));
await browser.close();
