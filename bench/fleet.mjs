// Driven by bench/fleet.sh: starts `fleetgate serve` with N checks and a webhook receiver,
// pings every check once per period at an even rate, lets 1 % fall silent, and measures.
import { spawn } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';

const [bin, work, checksArg, secondsArg] = process.argv.slice(2);
const checks = Number(checksArg), seconds = Number(secondsArg);
const periodMs = 10_000, graceMs = 1_000, silentAfterMs = 20_000;
const silent = (i) => i % 100 === 0;
const name = (i) => 'c' + String(i).padStart(5, '0');

// The receiver: when each firing alert arrived, by check.
const firedAt = new Map();
let notifications = 0;
const receiver = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    notifications++;
    const p = JSON.parse(body);
    if (p.status === 'firing') {
      const check = p.alerts[0].labels.check;
      if (check && !firedAt.has(check)) firedAt.set(check, performance.now());
    }
    res.end();
  });
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));

let yaml = `model_list: []\nfleetgate:\n  access_log: "off"\nfleet:\n  alerts:\n    receivers:\n` +
  `      - {name: bench, webhook: "http://127.0.0.1:${receiver.address().port}/"}\n  checks:\n`;
for (let i = 0; i < checks; i++) yaml += `    - {name: ${name(i)}, period: 10s, grace: 1s}\n`;
fs.writeFileSync(`${work}/fleet.yaml`, yaml);

const fg = spawn(bin, ['serve', '--config', `${work}/fleet.yaml`, '--listen', '127.0.0.1:0',
  '--threads', '2', '--data', `${work}/fleet.db`], { stdio: ['ignore', 'ignore', 'pipe'] });
const port = await new Promise((resolve, reject) => {
  let err = '';
  const timer = setTimeout(() => reject(new Error('fleetgate did not start: ' + err)), 20000);
  fg.stderr.on('data', (d) => {
    err += d;
    const m = err.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    if (m) { clearTimeout(timer); resolve(Number(m[1])); }
  });
});
const cpuTicks = () => {
  const f = fs.readFileSync(`/proc/${fg.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);  // utime + stime
};
const hz = 100;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const latencies = [];
let failures = 0, sent = 0;
const lastPing = new Map();  // silent checks: when their last ping was answered
function ping(i) {
  const t0 = performance.now();
  sent++;
  const req = http.request({ host: '127.0.0.1', port, path: `/ping/${name(i)}`, agent }, (res) => {
    res.resume();
    res.on('end', () => {
      const t1 = performance.now();
      latencies.push(t1 - t0);
      if (res.statusCode !== 200) failures++;
      if (silent(i)) lastPing.set(name(i), t0);
    });
  });
  req.on('error', () => failures++);
  req.end();
}

// Each check at its own offset in the period: checks/period pings per second, evenly.
const start = performance.now();
const ticks0 = cpuTicks();
let next = 0;  // the next ping, counted from the start
await new Promise((resolve) => {
  const timer = setInterval(() => {
    const elapsed = performance.now() - start;
    if (elapsed >= seconds * 1000) { clearInterval(timer); resolve(); return; }
    const due = Math.floor((elapsed * checks) / periodMs);
    for (; next <= due; next++) {
      const i = next % checks;
      const at = (next * periodMs) / checks;
      if (silent(i) && at >= silentAfterMs) continue;
      ping(i);
    }
  }, 5);
});
const ticks1 = cpuTicks();
// The silent checks' deadlines passed long ago (at ~31 s); the others are still pinged.
await new Promise((r) => setTimeout(r, 1000));
const rss = fs.readFileSync(`/proc/${fg.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)[1];
fg.kill('SIGTERM');
receiver.close();
agent.destroy();

const pct = (a, p) => a[Math.min(a.length - 1, Math.floor((a.length * p) / 100))];
latencies.sort((a, b) => a - b);
const lateness = [];
let missed = 0;
for (const [check, t] of lastPing) {
  const fired = firedAt.get(check);
  if (fired === undefined) { missed++; continue; }
  lateness.push(fired - (t + periodMs + graceMs));
}
lateness.sort((a, b) => a - b);
const cpuS = (ticks1 - ticks0) / hz;
console.log(`== ${checks} checks, ${(checks * 1000 / periodMs).toFixed(0)} pings/s for ${seconds} s; ` +
  `${lastPing.size} fall silent at ${silentAfterMs / 1000} s ==`);
console.log(`pings: ${sent} sent, ${failures} not 200; latency p50 ${pct(latencies, 50).toFixed(2)} ms, ` +
  `p99 ${pct(latencies, 99).toFixed(2)} ms, max ${latencies[latencies.length - 1].toFixed(2)} ms`);
console.log(`fleetgate CPU: ${cpuS.toFixed(2)} s in ${seconds} s = ${(100 * cpuS / seconds).toFixed(1)} % of one core ` +
  `(${(1e6 * cpuS / sent).toFixed(1)} us per ping); peak RSS ${(rss / 1024).toFixed(1)} MiB`);
console.log(`alerts: ${lateness.length} of ${lastPing.size} silent checks fired (${missed} missed), ` +
  `${notifications} notifications in all`);
if (lateness.length)
  console.log(`detection lateness (deadline -> webhook received): p50 ${pct(lateness, 50).toFixed(0)} ms, ` +
    `p99 ${pct(lateness, 99).toFixed(0)} ms, max ${lateness[lateness.length - 1].toFixed(0)} ms (target p99 <= 1000 ms)`);
process.exit(0);
