// Reads fleetgate's access log after bench/failover.sh and prints what the fault did:
// non-2xx responses, p99 latency around the fault, and until when the faulty deployment got
// requests. Usage: node failover_report.mjs ACCESS_LOG FAULT_MS BACK_MS DEPLOYMENT_ID
import { readFileSync } from 'node:fs';

const [file, faultArg, backArg, dead] = process.argv.slice(2);
const fault = Number(faultArg);
const back = Number(backArg);
const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
// The log stamps a request when it ends; its start is that minus its latency.
const reqs = lines.map((r) => {
  const end = Date.parse(r.ts);
  return { ...r, end, start: end - r.latency_ms };
});
const pct = (values, p) => {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const touched = (r) => r.deployment === dead || (r.failed ?? '').split(',').includes(dead);
const during = reqs.filter((r) => r.start >= fault && r.start < back);
const toDead = during.filter(touched);
// Requests that reached the faulty deployment within the first cooldown: passive ejection.
const firstStreak = [];
for (const r of toDead.sort((a, b) => a.start - b.start)) {
  if (firstStreak.length && r.start - firstStreak[firstStreak.length - 1].start > 2000) break;
  firstStreak.push(r);
}
const lastEjected = firstStreak.length ? firstStreak[firstStreak.length - 1].start - fault : 0;
const around = reqs.filter((r) => r.start >= fault - 500 && r.start < fault + 500);
const non2xx = reqs.filter((r) => r.status < 200 || r.status >= 300);
const afterBack = reqs.filter((r) => r.start >= back && r.deployment === dead);
const fmt = (ms) => `${ms.toFixed(0)} ms`;
const max = (values) => values.reduce((a, b) => Math.max(a, b), -Infinity);
const min = (values) => values.reduce((a, b) => Math.min(a, b), Infinity);
console.log(`requests logged: ${reqs.length}; non-2xx: ${non2xx.length}` +
            (non2xx.length ? ` (statuses ${[...new Set(non2xx.map((r) => r.status))].join(',')})` : ''));
for (const r of non2xx.slice(0, 3)) console.log(`  e.g. ${JSON.stringify(r)}`);
console.log(`p99 latency of requests started within 0.5 s of the fault: ${fmt(pct(around.map((r) => r.latency_ms), 99))}` +
            `; max ${fmt(max(around.map((r) => r.latency_ms)))}; overall p99 ${fmt(pct(reqs.map((r) => r.latency_ms), 99))}`);
console.log(`max latency of any request started while it was down: ${fmt(max(during.map((r) => r.latency_ms)))}`);
console.log(`requests that tried ${dead} while it was down: ${toDead.length}; ` +
            `the last before it was ejected started ${fmt(lastEjected)} after the fault; ` +
            `later half-open trials: ${toDead.length - firstStreak.length}`);
console.log(`retried requests: ${reqs.filter((r) => (r.attempts ?? 1) > 1).length}; ` +
            `first request served by ${dead} again: ${afterBack.length ? fmt(min(afterBack.map((r) => r.start)) - back) + ' after it came back' : 'none within the run'}`);
