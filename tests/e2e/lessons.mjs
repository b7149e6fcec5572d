// Each lesson as a first-time learner takes it: a fresh page at 1280×800, the preset picked
// from the gallery, then only the lesson's own buttons (Next ▸, Break it). At the lesson's
// key moment its evidence must be on screen together: the drawing, the step that explains it
// and the table or badge that proves it, all within the viewport, without scrolling.
// Usage: node tests/e2e/lessons.mjs http://127.0.0.1:PORT/ [screenshot-dir]
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

async function lesson(name, hash, fn, viewport = { width: 1280, height: 800 }) {
  if (process.env.ONLY && !name.includes(process.env.ONLY)) return;
  const page = await browser.newPage({ viewport, isMobile: viewport.width < 500, hasTouch: viewport.width < 500 });
  const errors = [];
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', e => errors.push(String(e)));
  try {
    await page.goto(url + hash);
    await page.waitForSelector(hash === '#hashing' ? '#ring-svg' : 'svg.topology .node');
    await fn(page);
    assert.deepEqual(errors, [], 'console errors');
    console.log(`ok - ${name}`);
    passed++;
  } catch (e) {
    console.log(`not ok - ${name}\n  ${String(e.stack ?? e).split('\n').join('\n  ')}`);
    failed++;
  } finally {
    await page.screenshot({ path: `${shots}/lesson-${name.replace(/\W+/g, '-')}.png` }).catch(() => {});
    await page.close();
  }
}

const preset = async (page, name) => {
  await page.click('#gallery summary');
  await page.click(`.preset[data-preset="${name}"]`);
  await page.waitForSelector('#lesson-now');
};

// Press Next ▸ and wait until the lesson has paused at the next step; return how long it took.
const next = async page => {
  const t0 = Date.now();
  await page.click('#btn-next');
  await page.waitForFunction(() => document.querySelector('#btn-next')?.textContent !== 'Playing…', null, { timeout: 30000 });
  return Date.now() - t0;
};

// Next ▸ until the current step's text matches `re` (at most `max` presses).
const nextUntil = async (page, re, max = 12) => {
  for (let i = 0; i < max; i++) {
    if (re.test(await page.textContent('#lesson-now'))) return;
    const ms = await next(page);
    assert.ok(ms < 8000, `a step took ${ms} ms to reach`);
  }
  assert.match(await page.textContent('#lesson-now'), re);
};

// Every selector is drawn, wholly or mostly, inside the viewport (1280×800, or a phone's).
const onScreen = async (page, ...selectors) => {
  const { width, height } = page.viewportSize();
  for (const s of selectors) {
    const box = await page.locator(s).first().boundingBox();
    assert.ok(box, `${s} is drawn`);
    const visible = Math.min(box.y + box.height, height) - Math.max(box.y, 0);
    assert.ok(visible >= Math.min(box.height, 120) * 0.9, `${s} is on screen (top ${Math.round(box.y)}, height ${Math.round(box.height)})`);
    assert.ok(box.x >= 0 && box.x + Math.min(box.width, 200) <= width, `${s} is within the width`);
  }
};

const raftLeader = () => [...document.querySelectorAll('svg.topology .node')].filter(n => /★ leader/.test(n.textContent) && !n.classList.contains('down')).length;

await lesson('raft: leader crash and re-election', '#raft', async page => {
  await preset(page, 'leader-crash');
  assert.match(await page.textContent('#lesson-progress'), /step 1 of \d+/);
  // The first lesson moment (the first timeout) comes within seconds of opening.
  const first = await next(page);
  assert.ok(first < 6000, `the first step took ${first} ms`);
  assert.match(await page.textContent('#lesson-event'), /event #\d+ · [\d.]+ ms/);
  await nextUntil(page, /leader crashes/);
  assert.equal(await page.locator('svg.topology .node.down').count(), 1, 'the crashed leader is drawn down');
  await nextUntil(page, /new leader of term 2/);
  assert.equal(await page.evaluate(raftLeader), 1, 'one live leader');
  assert.match(await page.textContent('svg.topology'), /leader · term 2/);
  await onScreen(page, 'svg.topology', '#lesson-now', '#log-table');
  // The servers' state cards are readable at this size (they were about 8 px tall).
  const card = await page.$eval('svg.topology .node .card', el => el.getBoundingClientRect().height);
  assert.ok(card >= 11, `a state card's text is ${card.toFixed(1)} px tall`);
  // The old leader restarts at term 1 (as its step says), then catches up: the step that says
  // so comes once the logs agree, when the drawing shows term 2 everywhere.
  await nextUntil(page, /restarts from its disk: its term \(still 1\)/);
  assert.match(await page.textContent('svg.topology'), /follower · term 1/);
  await nextUntil(page, /every log now ends at the same entry/);
  assert.doesNotMatch(await page.textContent('svg.topology'), /term 1\b/);
  // The last step offers the gallery's next lesson, which opens at its first step.
  assert.match(await page.textContent('#btn-next'), /^Next lesson: .+ ▸$/);
  await page.click('#btn-next');
  await page.waitForFunction(() => /step 1 of/.test(document.querySelector('#lesson-progress')?.textContent));
  assert.doesNotMatch(await page.textContent('#gallery summary'), /Leader crash/);
});

await lesson('raft: Figure 8, the correct rule and the mutant', '#raft', async page => {
  await preset(page, 'figure-8');
  await nextUntil(page, /commits up to index 3/);
  await onScreen(page, '#lesson-now', '#log-table', '#btn-break-it');
  // Break it: the commit-old-term mutant, replayed to what it breaks.
  await page.click('#btn-break-it');
  await page.waitForFunction(() => /violated/.test(document.querySelector('#safety').textContent), null, { timeout: 30000 });
  assert.match(await page.textContent('#safety'), /leader-completeness violated at event \d+/);
  assert.match(await page.textContent('#lesson-now'), /without the committed entry 2/);
  await onScreen(page, '#safety', '#lesson-now', 'svg.topology');
  // Past the violation: the overwrite the narration promised, on the logs.
  await nextUntil(page, /every log now holds S5's entry 2/);
  const terms = await page.$$eval('#log-table tbody tr', rows => rows.slice(1).map(r => r.querySelectorAll('td.entry')[1]?.textContent.trim()));
  assert.deepEqual(terms, ['3', '3', '3', '3'], 'entry 2 is now term 3 on S2–S5');
  assert.match(await page.textContent('#safety'), /violated/, 'the badge stays red');
  await onScreen(page, '#log-table', '#lesson-now');
  // Repair brings the correct rule back.
  await page.click('#btn-break-it');
  await page.waitForFunction(() => /Safety holds/.test(document.querySelector('#safety').textContent), null, { timeout: 30000 });
});

await lesson('raft: a stale local read, named by the checker', '#raft', async page => {
  await preset(page, 'stale-local-read');
  await nextUntil(page, /not linearizable/);
  assert.match(await page.textContent('#safety'), /linearizable violated at event \d+/);
  assert.match(await page.textContent('#safety'), /stale read/);
  assert.match(await page.textContent('#lesson-now'), /finished before C1's read began/);
  await onScreen(page, '#safety', '#lesson-now', 'svg.topology', '#log-table');
});

await lesson('hashing: after an add, who gave keys up', '#hashing', async page => {
  await page.click('#btn-add-node');
  await page.waitForSelector('#gave');
  const gave = await page.textContent('#gave');
  assert.match(gave, /node \d+: \d+ → \d+/);
  assert.match(await page.textContent('#gave-fact'), /Every moved key went to node 5, and only ring neighbours of its points gave keys up/);
  // With one virtual node each, the new node's one point has one neighbour: the others keep all.
  await page.fill('#ring-vnodes', '1');
  await page.click('#btn-ring-apply');
  await page.click('#btn-add-node');
  await page.waitForFunction(() => /added node 6/.test(document.querySelector('#moved-summary')?.textContent ?? ''));
  assert.equal(await page.locator('#gave li').count(), 1);
  assert.match(await page.textContent('#gave-fact'), /only its ring neighbour gave keys up/);
  // The view lasts: it is still there after the moved keys' animation.
  await page.waitForTimeout(2000);
  assert.match(await page.textContent('#gave'), /node \d+: \d+ → \d+/);
  await onScreen(page, '#ring-svg', '#gave');
});

await lesson('paxos: a proposer adopts the value its promises report', '#paxos', async page => {
  await preset(page, 'adopt');
  await nextUntil(page, /So S2 proposes 10, not its own 20/);
  await onScreen(page, 'svg.topology', '#lesson-now', '#btn-break-it');
  assert.match(await page.textContent('#safety'), /Safety holds/);
  // Break it: with ignore-promised-value S2 proposes its own 20, and two values are chosen.
  await page.click('#btn-break-it');
  await page.waitForFunction(() => /violated/.test(document.querySelector('#safety').textContent), null, { timeout: 30000 });
  assert.match(await page.textContent('#safety'), /agreement violated at event \d+/);
  await onScreen(page, '#safety', '#lesson-now', 'svg.topology');
});

await lesson('paxos: dueling proposers without back-off push ballots up', '#paxos', async page => {
  await preset(page, 'dueling');
  await nextUntil(page, /Round 3/);
  assert.match(await page.textContent('svg.topology'), /b 3\.\d/, 'a round-3 ballot is drawn');
  await onScreen(page, 'svg.topology', '#lesson-now');
});

await lesson('multi-paxos: a new leader carries an accepted, unchosen value across', '#multipaxos', async page => {
  await preset(page, 'leader-crash');
  await nextUntil(page, /S2 carried\s+it across/);
  const boards = await page.textContent('.side .boards');
  assert.match(boards, /slot 3: put z 3 from b1\.1\s*✓/, 'the quorum table marks who carried the value');
  assert.match(boards, /slot 3not yetb1\.1 put z 3b1\.1 put z 3/, 'slot 3 accepted on S1 and S2 only, not chosen');
  await onScreen(page, 'svg.topology', '#lesson-now', '.side .board');
});

await lesson('kafka: acks=1 loses an acknowledged record, acks=all does not, on the same crash', '#kafka', async page => {
  await preset(page, 'acks-one-loss');
  await nextUntil(page, /acknowledged record is gone/);
  // Kafka never promised acks=1 keeps a record: the badge shows the loss, not a safety failure.
  assert.match(await page.textContent('#safety'), /acks1-not-lost broken at event \d+: the protocol never promised it/);
  assert.equal(await page.getAttribute('#safety', 'class'), 'safety shown');
  await onScreen(page, '#safety', '#lesson-now', 'svg.topology', '#board-0');
  await preset(page, 'failover');
  await nextUntil(page, /sent r4 to B2/);
  assert.match(await page.textContent('#safety'), /Safety holds/);
  assert.match(await page.textContent('#not-promised'), /Also checked, not promised:\s*acks1-not-lost/);
  await onScreen(page, '#safety', '#lesson-now', '#board-0');
});

await lesson('kafka: a retry after a lost answer and a failover is written once; sequences-not-replicated writes it twice', '#kafka', async page => {
  await preset(page, 'retry-once');
  await nextUntil(page, /appends nothing/);
  // The partition board names the leader's newest records: r4 once, at the end.
  const last = async () => page.$eval('#board-0 tbody tr td:last-child', td => td.textContent.trim());
  assert.equal(await last(), 'r2 r3 r4');
  assert.match(await page.textContent('#safety'), /Safety holds/);
  await onScreen(page, '#lesson-now', 'svg.topology', '#board-0');
  await page.click('#btn-break-it');
  await page.waitForFunction(() => /violated/.test(document.querySelector('#safety').textContent), null, { timeout: 30000 });
  assert.match(await page.textContent('#safety'), /no-duplicates violated at event \d+/);
  assert.match(await page.textContent('#lesson-now'), /appends it again, at offset 4/);
  assert.equal(await last(), 'r3 r4 r4', 'r4 twice on the board');
  await onScreen(page, '#safety', '#lesson-now', '#board-0');
});

await lesson('swim: a crash is suspected, then declared dead, and every list shows it', '#swim', async page => {
  await preset(page, 'crash-detected');
  await nextUntil(page, /marks S3 suspect, not dead/);
  assert.match(await page.textContent('.side .boards'), /\?0/, 'the board shows a suspicion');
  assert.match(await page.textContent('#safety'), /Safety holds/);
  await onScreen(page, 'svg.topology', '#lesson-now', '.side .board');
  await nextUntil(page, /confirms it dead/);
  assert.match(await page.textContent('.side .boards'), /✗0/, 'the board shows the death');
  await onScreen(page, 'svg.topology', '#lesson-now', '.side .board');
  await nextUntil(page, /reached everyone/);
  const dead = await page.$$eval('.side .board td', tds => tds.filter(td => /✗/.test(td.textContent)).length);
  assert.ok(dead >= 7, `every live member's row shows S3 dead (${dead} ✗ cells)`);
  await onScreen(page, 'svg.topology', '#lesson-now', '.side .board');
});

await lesson('swim: a member cut off for a second refutes, and skipping suspicion breaks accuracy', '#swim', async page => {
  await preset(page, 'false-suspicion');
  await nextUntil(page, /S4 becomes a suspect/);
  await onScreen(page, 'svg.topology', '#lesson-now', '#btn-break-it');
  await page.click('#btn-break-it');
  await page.waitForFunction(() => /violated/.test(document.querySelector('#safety').textContent), null, { timeout: 30000 });
  assert.match(await page.textContent('#safety'), /accuracy violated at event \d+/);
  await onScreen(page, '#safety', '#lesson-now', 'svg.topology');
});

await lesson('shardkv: a group joins, a shard moves with its value, and a client with the old map is sent on; keep-serving splits its history', '#shardkv', async page => {
  await preset(page, 'join-and-move');
  await nextUntil(page, /wrong\s+group/);
  assert.match(await page.textContent('#boards, body'), /pulls from|serves/, 'the Shards board shows where each shard is');
  await onScreen(page, 'svg.topology', '#lesson-now');
  await nextUntil(page, /reads \w+ from G3 and gets 1/);
  assert.match(await page.textContent('svg.topology'), /get \w+ → = 1/, 'C1 shows the value that moved');
  assert.match(await page.textContent('#safety'), /Safety holds/);
  await preset(page, 'join-and-move');
  await nextUntil(page, /serves\s+only its own shards/);
  await page.click('#btn-break-it');
  await page.waitForFunction(() => /violated/.test(document.querySelector('#safety').textContent), null, { timeout: 30000 });
  assert.match(await page.textContent('#safety'), /single-history violated at event \d+/);
  await onScreen(page, '#safety', '#lesson-now', 'svg.topology');
});

await lesson('shardkv: the new owner\'s leader dies mid-move, the next one finishes it; serve-before-data serves a shard without its data', '#shardkv', async page => {
  await preset(page, 'leader-dies-mid-move');
  await nextUntil(page, /leader crashes, with the shards/);
  assert.match(await page.textContent('svg.topology'), /G3 · config 3/, 'G3\'s box names the configuration it reached');
  assert.ok(await page.$('svg.topology .chip.arriving'), 'G3 waits for a shard, drawn as on its way');
  assert.ok(await page.$('svg.topology .chip.leaving'), 'its old owner keeps a copy, drawn as leaving');
  await onScreen(page, 'svg.topology', '#lesson-now');
  await nextUntil(page, /survived the move and the crash/);
  assert.match(await page.textContent('svg.topology'), /get \w+ → = 1/, 'C1 shows the value that moved');
  assert.match(await page.textContent('#safety'), /Safety holds/);
  await preset(page, 'leader-dies-mid-move');
  await nextUntil(page, /operator lets G3 join/);
  await page.click('#btn-break-it');
  await page.waitForFunction(() => /violated/.test(document.querySelector('#safety').textContent), null, { timeout: 30000 });
  assert.match(await page.textContent('#safety'), /single-history violated at event \d+/);
  await onScreen(page, '#safety', '#lesson-now', 'svg.topology');
});

await lesson('dfs: a data node dies, is counted dead, and its blocks are copied back to three; without re-replication they stay short', '#dfs', async page => {
  await preset(page, 'node-dies');
  await nextUntil(page, /counted dead/);
  assert.match(await page.textContent('.side .boards'), /blocks short of R = 3/, 'the Files board counts the short blocks');
  await nextUntil(page, /ordered copies/);
  await onScreen(page, 'svg.topology', '#lesson-now', '#btn-break-it');
  await nextUntil(page, /C1 reads x/);
  assert.match(await page.textContent('svg.topology'), /read x → = 7/, 'C1 shows what it read');
  assert.match(await page.textContent('.side .boards'), /every block at R = 3/, 'every block is back at three');
  assert.match(await page.textContent('#safety'), /Safety holds/);
  await preset(page, 'node-dies');
  await nextUntil(page, /ordered copies/);
  await page.click('#btn-break-it');
  await page.waitForFunction(() => /violated/.test(document.querySelector('#safety').textContent), null, { timeout: 30000 });
  assert.match(await page.textContent('#safety'), /re-replicated violated at event \d+/);
  await onScreen(page, '#safety', '#lesson-now', 'svg.topology');
});

await lesson('dfs: a whole rack fails and every block survives; with one-rack placement a block is lost', '#dfs', async page => {
  await preset(page, 'rack-fails');
  await nextUntil(page, /C2 reads x/);
  assert.match(await page.textContent('#safety'), /Safety holds/);
  await preset(page, 'rack-fails');
  await nextUntil(page, /Two racks, never one/);
  await page.click('#btn-break-it');
  await page.waitForFunction(() => /violated/.test(document.querySelector('#safety').textContent), null, { timeout: 30000 });
  assert.match(await page.textContent('#safety'), /acked-block-kept violated at event \d+/);
});

await lesson('dfs: two writers of one file take turns by its lease; lease-ignored takes the file from a writer just heard', '#dfs', async page => {
  await preset(page, 'one-writer');
  await nextUntil(page, /AlreadyBeingCreatedException/);
  assert.match(await page.textContent('.side .boards'), /C1 \(block \d+\)/, 'the Files board names C1 as the writer');
  assert.match(await page.textContent('svg.topology'), /waiting: C1 is writing x/, 'C2 says whom it waits for');
  await onScreen(page, 'svg.topology', '#lesson-now', '#btn-break-it');
  await nextUntil(page, /passed the soft limit/);
  await nextUntil(page, /C2's write completes/);
  await nextUntil(page, /one writer at a time/);
  assert.doesNotMatch(await page.textContent('.side .boards'), /C\d \(block/, 'x has no writer once C1 completes');
  assert.match(await page.textContent('#safety'), /Safety holds/);
  await preset(page, 'one-writer');
  await nextUntil(page, /AlreadyBeingCreatedException/);
  await page.click('#btn-break-it');
  await page.waitForFunction(() => /violated/.test(document.querySelector('#safety').textContent), null, { timeout: 30000 });
  assert.match(await page.textContent('#safety'), /lease violated at event \d+/);
  await onScreen(page, '#safety', '#lesson-now', 'svg.topology');
});

await lesson('coordination: a paused lock holder is fenced off by its token; without fencing storage takes its late write', '#coordination', async page => {
  await preset(page, 'lock-fencing');
  await nextUntil(page, /C1 wakes/);
  assert.match(await page.textContent('svg.topology'), /1 refused/, 'storage shows the refused write');
  // The Storage board says it too, where a phone (which hides the cards) sees it: C1's old token, refused.
  assert.match(await page.textContent('.side .boards'), /Storage \(highest token \d+ · \d+ taken · 1 refused\)/);
  assert.match(await page.textContent('.side .boards'), /C1\d+refused/, 'the Storage board names C1 as refused');
  assert.match(await page.textContent('#safety'), /Safety holds/);
  await onScreen(page, 'svg.topology', '#lesson-now', '#btn-break-it');
  await page.click('#btn-break-it');
  await page.waitForFunction(() => /violated/.test(document.querySelector('#safety').textContent), null, { timeout: 30000 });
  assert.match(await page.textContent('#safety'), /fenced-writes violated at event \d+/);
  await onScreen(page, '#safety', '#lesson-now', 'svg.topology');
});

await lesson('coordination: a read from a lagging server is stale, and the same read after sync is current', '#coordination', async page => {
  await preset(page, 'stale-read');
  await nextUntil(page, /gets 1/);
  assert.match(await page.textContent('svg.topology'), /get \/config → = 1/, 'C3 shows the stale answer');
  await onScreen(page, 'svg.topology', '#lesson-now');
  await nextUntil(page, /Now the read from S3 returns 2/);
  assert.match(await page.textContent('svg.topology'), /get \/config → = 2/, 'C3 shows the current answer');
  assert.match(await page.textContent('#safety'), /Safety holds/);
});

await lesson('coordination: a watch outlives its connection; a client that forgets it reads the change unannounced', '#coordination', async page => {
  await preset(page, 'watch-moves');
  await nextUntil(page, /fires the watch at once/);
  await nextUntil(page, /read returns 2/);
  assert.match(await page.textContent('svg.topology'), /get \/config → = 2/, 'C1 shows the new value');
  assert.match(await page.textContent('svg.topology'), /told: \/config changed/, 'C1 shows the event it took');
  assert.match(await page.textContent('#safety'), /Safety holds/);
  await onScreen(page, 'svg.topology', '#lesson-now', '#btn-break-it');
  await page.click('#btn-break-it');
  await page.waitForFunction(() => /violated/.test(document.querySelector('#safety').textContent), null, { timeout: 30000 });
  assert.match(await page.textContent('#safety'), /watch-first violated at event \d+/);
});

await lesson('coordination: a crashed instance leaves the catalog when its session expires', '#coordination', async page => {
  await preset(page, 'service-failover');
  await nextUntil(page, /catalog now holds C2's instance alone/);
  assert.match(await page.textContent('svg.topology'), /instances in the catalog: 1/);
  await onScreen(page, 'svg.topology', '#lesson-now');
});

await lesson('coordination: a leader whose server crashes stops leading, and leads again once reconnected', '#coordination', async page => {
  await preset(page, 'leader-suspended');
  await nextUntil(page, /stops acting as leader at once/);
  assert.match(await page.textContent('svg.topology'), /no longer leads/);
  await onScreen(page, 'svg.topology', '#lesson-now');
  await page.screenshot({ path: `${shots}/coordination-leader-suspended.png` });
  await nextUntil(page, /leads again with the same epoch/);
  assert.doesNotMatch(await page.textContent('svg.topology'), /no longer leads/);
  assert.match(await page.textContent('svg.topology'), /★ leads/);
});

await lesson('kafka: a cooperative join takes two rebalances and nobody stops reading', '#kafka', async page => {
  await preset(page, 'join-eager');
  await nextUntil(page, /Generation 2/);
  assert.match(await page.textContent('.side .boards'), /generation 2/);
  await preset(page, 'join-cooperative');
  await nextUntil(page, /Generation 3/);
  const group = await page.$$eval('.side .board', bs => bs.map(b => b.textContent).find(t => /consumer group/.test(t)));
  assert.match(group, /generation 3/);
  const owners = await page.$$eval('.side .board', bs => {
    const b = bs.find(x => /consumer group/.test(x.textContent));
    return [...b.querySelectorAll('tbody tr')].map(r => r.querySelector('td')?.textContent.trim());
  });
  assert.equal(owners.length, 6);
  assert.ok(owners.every(o => /^C\d/.test(o)), `every partition has an owner: ${owners}`);
  await onScreen(page, '#lesson-now', 'svg.topology');
});

// On a phone the page is one column: the drawing across the screen's width, the lesson's step
// under it, both on screen together at the lesson's moments.
await lesson('phone: the drawing fills the width and the lesson step sits under it', '#kafka', async page => {
  // The badge counts its properties rather than listing them (the list pushed the drawing
  // half a screen down); "What they mean" still names each.
  assert.equal(await page.isVisible('#safety .props'), false);
  assert.match(await page.textContent('#prop-count'), /^\d+ properties, checked after every event$/);
  assert.equal(await page.isVisible('#prop-count'), true);
  const top = (await page.locator('svg.topology').first().boundingBox()).y;
  assert.ok(top < 844 * 0.6, `the drawing starts ${Math.round(top)} px down`);
  await preset(page, 'acks-one-loss');
  await nextUntil(page, /r4 is acknowledged/);
  const drawing = await page.locator('svg.topology').first().boundingBox();
  assert.ok(drawing.width >= 390 * 0.9, `the drawing is ${Math.round(drawing.width)} px wide on a 390 px screen`);
  await page.locator('#lesson-now').scrollIntoViewIfNeeded();
  await onScreen(page, 'svg.topology', '#lesson-now');
  // The badge is scrolled away: the card repeats its verdict.
  assert.match(await page.textContent('#lesson-verdict'), /Safety holds/);
  assert.equal(await page.isVisible('#lesson-verdict'), true);
}, { width: 390, height: 844 });

// On a phone the tables that prove a step lie under its card. While the card's own buttons are
// scrolled away, a bar at the foot of the screen steps the lesson from where the reader is, and
// takes them back to the card.
await lesson('phone: a bar at the foot of the screen steps the lesson from a table', '#dfs', async page => {
  await preset(page, 'one-writer');
  // Picking a lesson starts it at the drawing's top, the card's buttons under it: no bar.
  await page.waitForSelector('#lesson-dock', { state: 'detached', timeout: 5000 });
  await onScreen(page, 'svg.topology', '#btn-next');
  // The tables come under the card (and the closed list of other lessons).
  const [card, board] = await Promise.all(['.lesson', '.boards'].map(s => page.locator(s).first().boundingBox()));
  const gap = board.y - (card.y + card.height);
  assert.ok(gap < 120, `the first table is ${Math.round(gap)} px under the card`);
  await page.evaluate(() => document.querySelector('.boards .board:last-child').scrollIntoView());
  await page.waitForSelector('#lesson-dock');
  assert.match(await page.textContent('#dock-text'), /^1\/\d+/);
  await page.click('#dock-next');
  await page.waitForFunction(() => /step 2 of/.test(document.querySelector('#lesson-progress').textContent)
    && document.querySelector('#dock-next')?.textContent !== 'Playing…', null, { timeout: 30000 });
  assert.match(await page.textContent('#dock-text'), /^2\/\d+ C2 asked to write x/);
  await onScreen(page, '.boards .board:last-child', '#lesson-dock');
  await page.click('#dock-text');
  await page.waitForSelector('#lesson-dock', { state: 'detached' });
  await onScreen(page, '#lesson-now');
}, { width: 390, height: 844 });

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
