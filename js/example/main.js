// A Raft run drawn with the distlab package only: build, step, snapshot, act.
import init, { Run } from '../pkg/distlab_js.js';

await init();
const run = Run.fromProtocol('raft', 1);
const svg = document.getElementById('cluster');
const status = document.getElementById('status');
const NS = 'http://www.w3.org/2000/svg';
const colours = { leader: '#e69f00', candidate: '#56b4e9', follower: '#cccccc', client: '#f0e442' };
let playing = false;

const place = (i, n) => {
  const a = (2 * Math.PI * i) / n - Math.PI / 2;
  return [150 * Math.cos(a), 150 * Math.sin(a)];
};

function el(name, attrs, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function draw() {
  const snap = run.snapshot();
  const n = snap.nodes.length;
  svg.replaceChildren();
  // Messages in flight: a dot between its ends, as far along as its time.
  const now = snap.time;
  for (const f of snap.flights) {
    const [x1, y1] = place(f.from, n);
    const [x2, y2] = place(f.to, n);
    const t = Math.min(1, Math.max(0, (now - f.sent_at) / Math.max(1, f.arrive_at - f.sent_at)));
    svg.append(el('circle', { class: 'msg', cx: x1 + (x2 - x1) * t, cy: y1 + (y2 - y1) * t, r: 5 }));
  }
  snap.nodes.forEach((node, i) => {
    const [x, y] = place(i, n);
    const g = el('g', { class: 'node', 'data-role': node.view.role, 'data-up': String(node.up) });
    const fill = node.up ? (colours[node.view.role] ?? '#cccccc') : '#555555';
    g.append(el('circle', { cx: x, cy: y, r: 30, fill }));
    g.append(el('text', { x, y: y - 2 }, node.name));
    g.append(el('text', { x, y: y + 13 }, node.up ? node.view.role : 'crashed'));
    svg.append(g);
  });
  const leader = snap.nodes.find(node => node.up && node.view.role === 'leader');
  status.textContent = `event ${snap.position} · ${snap.flights.length} in flight · ` +
    (leader ? `leader ${leader.name}` : 'no leader') + ` · trace ${run.traceHash()}`;
}

function tick() {
  if (!playing) return;
  for (let i = 0; i < 2; i++) run.step();
  draw();
  requestAnimationFrame(tick);
}

document.getElementById('play').onclick = () => {
  playing = !playing;
  document.getElementById('play').textContent = playing ? 'Pause' : 'Play';
  tick();
};
document.getElementById('step').onclick = () => { run.step(); draw(); };
document.getElementById('crash').onclick = () => {
  const snap = run.snapshot();
  const leader = snap.nodes.findIndex(node => node.up && node.view.role === 'leader');
  if (leader >= 0) run.act({ crash: leader });
  draw();
};
draw();
