// The official openai npm client against `fleetgate serve` in front of `fleetgate sim`, all on
// ephemeral loopback ports. Run by ctest (label e2e) with FLEETGATE_BINARY set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import OpenAI from 'openai';
import { sim, serve, stopAll } from './support.mjs';

let client;
let port;
before(async () => {
  const simPort = await sim('qwen2.5-7b');
  port = await serve(`model_list:
  - model_name: complex
    litellm_params:
      model: hosted_vllm/qwen2.5-7b
      api_base: http://127.0.0.1:${simPort}/v1
general_settings:
  master_key: sk-e2e
fleetgate:
  access_log: "off"
`);
  client = new OpenAI({ apiKey: 'sk-e2e', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0, timeout: 10000 });
});

after(stopAll);

test('chat completion', async () => {
  const r = await client.chat.completions.create({ model: 'complex', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.ok(r.choices[0].message.content.length > 0);
  assert.equal(r.usage.completion_tokens, 8);
});

test('streaming chat completion arrives chunk by chunk to the end', async () => {
  const stream = await client.chat.completions.create({
    model: 'complex', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  let text = '';
  let chunks = 0;
  let finish = null;
  for await (const chunk of stream) {
    chunks += 1;
    if (chunk.choices.length) {
      text += chunk.choices[0].delta.content ?? '';
      finish = chunk.choices[0].finish_reason ?? finish;
    }
  }
  assert.equal(chunks, 9);  // 8 tokens and the finish chunk: no usage chunk unless asked
  assert.equal(finish, 'stop');
  assert.equal(text.split(' ').filter(Boolean).length, 8);
});

test('models listing', async () => {
  const page = await client.models.list();
  assert.deepEqual(page.data.map((m) => m.id), ['complex']);
});

test('errors surface as OpenAI errors', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] }),
    (e) => e.status === 404 && e.code === 'model_not_found');
  const anonymous = new OpenAI({ apiKey: 'wrong', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
  await assert.rejects(anonymous.models.list(), (e) => e.status === 401);
});

test('curl through the gateway', () => {
  const out = execFileSync('curl', ['-sS', '-H', 'Authorization: Bearer sk-e2e', '-H', 'content-type: application/json',
    '-d', '{"model":"complex","messages":[{"role":"user","content":"hi"}]}',
    `http://127.0.0.1:${port}/v1/chat/completions`], { encoding: 'utf8', timeout: 10000 });
  assert.equal(JSON.parse(out).object, 'chat.completion');
});
