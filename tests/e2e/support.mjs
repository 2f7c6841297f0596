// Starting `fleetgate sim` and `fleetgate serve` on ephemeral loopback ports for the e2e tests,
// and stopping them (SIGTERM, so a sanitizer build runs its leak check).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const binary = process.env.FLEETGATE_BINARY;
const children = [];

export function start(args, pattern) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const entry = { child, output: '' };
    children.push(entry);
    const timer = setTimeout(() => reject(new Error(`no match for ${pattern}: ${entry.output}`)), 10000);
    const onData = (chunk) => {
      entry.output += chunk;
      const m = entry.output.match(pattern);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${entry.output}`)));
  });
}

export function sim(models, ...extra) {
  return start(['sim', '--listen', '127.0.0.1:0', '--models', models, '--tokens', '8', ...extra],
               /sim listening on http:\/\/127\.0\.0\.1:(\d+)/);
}

// `fleetgate serve` with `yaml` as its config; returns the port.
export function serve(yaml) {
  const dir = mkdtempSync(join(tmpdir(), 'fleetgate-e2e-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, yaml);
  return start(['serve', '--config', config, '--listen', '127.0.0.1:0', '--threads', '1',
    '--data', config + '.db'], /fleetgate listening on http:\/\/127\.0\.0\.1:(\d+)/);
}

export async function stopAll() {
  await Promise.all(children.map(({ child }) => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  })));
  if (process.env.E2E_DEBUG) for (const { output } of children) console.log(output);
  for (const { output } of children)
    assert.doesNotMatch(output, /ERROR: (Address|Leak)Sanitizer|runtime error:/);
}
