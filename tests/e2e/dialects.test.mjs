// The real client libraries of every dialect fleetgate serves — @anthropic-ai/sdk (Messages),
// openai (Responses), ollama (Ollama's API) — against `fleetgate serve` in front of `fleetgate
// sim` backends of each kind, on ephemeral loopback ports. Run by ctest (label e2e).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { sim, serve, stopAll } from './support.mjs';

let port, anthropic, openai, ollama;
const tools = [{ name: 'search', description: 'Search the fleet docs',
  input_schema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } }];

before(async () => {
  const vllm = await sim('qwen');                      // OpenAI-compatible
  const claude = await sim('claude-native');           // answers /v1/messages itself
  const dies = await sim('qwen', '--close-after', '2');  // drops its streams after 2 tokens
  port = await serve(`model_list:
  - model_name: "claude-*"
    litellm_params: {model: hosted_vllm/qwen, api_base: "http://127.0.0.1:${vllm}/v1"}
    model_info: {mode: chat}
  - model_name: claude-native
    litellm_params: {model: anthropic/claude-native, api_base: "http://127.0.0.1:${claude}", api_key: sk-up}
  - model_name: local
    litellm_params: {model: hosted_vllm/qwen, api_base: "http://127.0.0.1:${vllm}/v1"}
  - model_name: ollama-native
    litellm_params: {model: ollama_chat/qwen, api_base: "http://127.0.0.1:${vllm}"}
  - model_name: whisper
    litellm_params: {model: openai/whisper-1, api_base: "http://127.0.0.1:${vllm}/v1"}
    model_info: {mode: audio_transcription}
  - model_name: kokoro
    litellm_params: {model: openai/kokoro, api_base: "http://127.0.0.1:${vllm}/v1"}
    model_info: {mode: audio_speech}
  - model_name: reranker
    litellm_params: {model: hosted_vllm/bge-reranker, api_base: "http://127.0.0.1:${vllm}/v1"}
    model_info: {mode: rerank}
  - model_name: painter
    litellm_params: {model: openai/sdxl, api_base: "http://127.0.0.1:${vllm}/v1"}
    model_info: {mode: image_generation}
  - model_name: broken
    litellm_params: {model: hosted_vllm/qwen, api_base: "http://127.0.0.1:${dies}/v1"}
general_settings:
  master_key: sk-e2e
fleetgate:
  access_log: "off"
`);
  const base = `http://127.0.0.1:${port}`;
  anthropic = new Anthropic({ apiKey: 'sk-e2e', baseURL: base, maxRetries: 1, timeout: 10000 });
  openai = new OpenAI({ apiKey: 'sk-e2e', baseURL: `${base}/v1`, maxRetries: 1, timeout: 10000 });
  ollama = new Ollama({ host: base, headers: { Authorization: 'Bearer sk-e2e' } });
});

after(stopAll);

// ---- Anthropic Messages ----

test('anthropic: create through an OpenAI-compatible backend', async () => {
  const m = await anthropic.messages.create({ model: 'claude-sonnet-4-5-20250929', max_tokens: 64,
    system: [{ type: 'text', text: 'Be brief.' }], messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(m.type, 'message');
  assert.equal(m.role, 'assistant');
  assert.equal(m.model, 'claude-sonnet-4-5-20250929');
  assert.equal(m.content[0].type, 'text');
  assert.ok(m.content[0].text.length > 0);
  assert.equal(m.stop_reason, 'end_turn');
  assert.equal(m.usage.output_tokens, 8);
  assert.ok(m.usage.input_tokens > 0);
});

test('anthropic: stream arrives as Anthropic events, delta by delta', async () => {
  const stream = anthropic.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 64,
    messages: [{ role: 'user', content: 'hi' }] });
  const types = [];
  let deltas = 0;
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === 'content_block_delta') deltas++;
  }
  const final = await stream.finalMessage();
  assert.equal(types[0], 'message_start');
  assert.ok(types.includes('content_block_start'));
  assert.ok(types.includes('content_block_stop'));
  assert.equal(types.at(-2), 'message_delta');
  assert.equal(types.at(-1), 'message_stop');
  assert.equal(deltas, 8);
  assert.equal(final.stop_reason, 'end_turn');
  assert.equal(final.usage.output_tokens, 8);
});

test('anthropic: tool use round trip, whole and streamed', async () => {
  const first = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, tools,
    messages: [{ role: 'user', content: 'find the fleet docs' }] });
  assert.equal(first.stop_reason, 'tool_use');
  const use = first.content.find((b) => b.type === 'tool_use');
  assert.equal(use.name, 'search');
  assert.deepEqual(use.input, { q: 'fleet' });

  const stream = anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 64, tools,
    messages: [{ role: 'user', content: 'find the fleet docs' }] });
  const streamed = await stream.finalMessage();
  const streamedUse = streamed.content.find((b) => b.type === 'tool_use');
  assert.deepEqual(streamedUse.input, { q: 'fleet' });
  assert.equal(streamed.stop_reason, 'tool_use');

  const second = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, tools,
    messages: [{ role: 'user', content: 'find the fleet docs' },
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'docs at /docs' }] }] });
  assert.equal(second.stop_reason, 'end_turn');
  assert.equal(second.content[0].type, 'text');
});

test('anthropic: native anthropic/ deployment gets the body, stream and all', async () => {
  const m = await anthropic.messages.create({ model: 'claude-native', max_tokens: 64,
    messages: [{ role: 'user', content: 'hi' }] });
  assert.ok(m.id.startsWith('msg_sim-'));  // the backend's own answer
  const stream = anthropic.messages.stream({ model: 'claude-native', max_tokens: 64,
    messages: [{ role: 'user', content: 'hi' }] });
  const final = await stream.finalMessage();
  assert.equal(final.usage.output_tokens, 8);
});

test('anthropic: count_tokens', async () => {
  const r = await anthropic.messages.countTokens({ model: 'claude-sonnet-4-5',
    messages: [{ role: 'user', content: 'how many tokens is this?' }] });
  assert.ok(r.input_tokens > 0);
});

test('anthropic: typed errors in Anthropic shape', async () => {
  await assert.rejects(anthropic.messages.create({ model: 'gpt-nothing', max_tokens: 8,
    messages: [{ role: 'user', content: 'hi' }] }), (e) => e instanceof Anthropic.NotFoundError &&
      e.error?.type === 'error' && e.error?.error?.type === 'not_found_error');
  const wrong = new Anthropic({ apiKey: 'sk-wrong', baseURL: `http://127.0.0.1:${port}`, maxRetries: 0 });
  await assert.rejects(wrong.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 8,
    messages: [{ role: 'user', content: 'hi' }] }), Anthropic.AuthenticationError);
  await assert.rejects(anthropic.messages.create({ model: 'claude-sonnet-4-5',
    messages: [{ role: 'user', content: 'hi' }] }), Anthropic.BadRequestError);  // no max_tokens
});

// ---- OpenAI Responses ----

test('responses: create, then previous_response_id, GET and DELETE', async () => {
  const r = await openai.responses.create({ model: 'local', input: 'hi', instructions: 'Be brief.' });
  assert.equal(r.object, 'response');
  assert.equal(r.status, 'completed');
  assert.ok(r.output_text.length > 0);
  assert.equal(r.usage.output_tokens, 8);
  const next = await openai.responses.create({ model: 'local', input: 'and again',
    previous_response_id: r.id });
  assert.equal(next.previous_response_id, r.id);
  const got = await openai.responses.retrieve(r.id);
  assert.equal(got.id, r.id);
  await (openai.responses.del ?? openai.responses.delete).call(openai.responses, r.id);
  await assert.rejects(openai.responses.retrieve(r.id), OpenAI.NotFoundError);
});

test('responses: stream with typed events', async () => {
  const stream = await openai.responses.create({ model: 'local', input: 'hi', stream: true });
  const types = [];
  let text = '';
  for await (const e of stream) {
    types.push(e.type);
    if (e.type === 'response.output_text.delta') text += e.delta;
  }
  assert.equal(types[0], 'response.created');
  assert.equal(types[1], 'response.in_progress');
  assert.ok(types.includes('response.output_item.added'));
  assert.ok(types.includes('response.content_part.added'));
  assert.ok(types.includes('response.output_text.done'));
  assert.ok(types.includes('response.output_item.done'));
  assert.equal(types.at(-1), 'response.completed');
  assert.ok(text.length > 0);
});

test('responses: function call round trip, as Codex sends it', async () => {
  const shell = { type: 'function', name: 'shell', description: 'Run a command',
    strict: false, parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } } } };
  const first = await openai.responses.create({ model: 'local', store: false, stream: false,
    instructions: 'You are Codex.', tools: [shell, { type: 'web_search' }], tool_choice: 'auto',
    parallel_tool_calls: false, reasoning: { effort: 'medium', summary: 'auto' },
    include: ['reasoning.encrypted_content'], prompt_cache_key: 'abc',
    input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'list files' }] }] });
  const call = first.output.find((i) => i.type === 'function_call');
  assert.equal(call.name, 'shell');
  assert.deepEqual(JSON.parse(call.arguments), { q: 'fleet' });
  const second = await openai.responses.create({ model: 'local', store: false, tools: [shell],
    input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'list files' }] },
      { type: 'function_call', call_id: call.call_id, name: 'shell', arguments: call.arguments },
      { type: 'function_call_output', call_id: call.call_id, output: 'a.txt b.txt' }] });
  assert.ok(second.output_text.length > 0);
  // store: false keeps nothing
  await assert.rejects(openai.responses.retrieve(first.id), OpenAI.NotFoundError);
});

test('responses: streamed function call arguments', async () => {
  const stream = await openai.responses.create({ model: 'local', stream: true, input: 'go',
    tools: [{ type: 'function', name: 'search', parameters: { type: 'object' } }] });
  let args = '';
  let done;
  for await (const e of stream) {
    if (e.type === 'response.function_call_arguments.delta') args += e.delta;
    if (e.type === 'response.completed') done = e.response;
  }
  assert.equal(args, '{"q":"fleet"}');
  assert.equal(done.output[0].type, 'function_call');
});

test('responses: dropped fields are named in a header', async () => {
  const r = await fetch(`http://127.0.0.1:${port}/v1/responses`, { method: 'POST',
    headers: { Authorization: 'Bearer sk-e2e', 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'local', input: 'hi', reasoning: { effort: 'high' }, include: [] }) });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('x-fleetgate-dropped'), /reasoning/);
});

// ---- Audio, rerank, images ----

test('audio: transcription and translation of an uploaded file', async () => {
  const wav = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4000, 1)]);
  const t = await openai.audio.transcriptions.create({ model: 'whisper',
    file: await OpenAI.toFile(wav, 'hello.wav', { type: 'audio/wav' }) });
  assert.match(t.text, /fleet/);
  const plain = await openai.audio.transcriptions.create({ model: 'whisper', response_format: 'text',
    file: await OpenAI.toFile(wav, 'hello.wav', { type: 'audio/wav' }) });
  assert.match(String(plain), /fleet/);
  // The file first, as OpenAI's docs write it: the model field comes after the audio.
  const tr = await openai.audio.translations.create({
    file: await OpenAI.toFile(wav, 'hello.wav', { type: 'audio/wav' }), model: 'whisper' });
  assert.match(tr.text, /fleet/);
  // The model decides the deployment: a chat model does not take uploads.
  await assert.rejects(openai.audio.transcriptions.create({ model: 'claude-sonnet-4-5',
    file: await OpenAI.toFile(wav, 'hello.wav') }), OpenAI.NotFoundError);
});

test('audio: speech comes back as a WAV file', async () => {
  const r = await openai.audio.speech.create({ model: 'kokoro', voice: 'af_heart', input: 'hello' });
  assert.match(r.headers.get('content-type'), /^audio\/wav/);
  const bytes = Buffer.from(await r.arrayBuffer());
  assert.equal(bytes.subarray(0, 4).toString(), 'RIFF');
  assert.equal(bytes.subarray(8, 12).toString(), 'WAVE');
  assert.equal(bytes.readUInt32LE(4), bytes.length - 8);  // the whole file arrived
});

test('rerank and images', async () => {
  for (const path of ['/v1/rerank', '/rerank']) {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST',
      headers: { Authorization: 'Bearer sk-e2e', 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'reranker', query: 'fleet', documents: ['a', 'b', 'c'] }) });
    assert.equal(r.status, 200);
    const body = await r.json();
    assert.equal(body.results.length, 3);
    assert.equal(body.results[0].index, 0);
  }
  const img = await openai.images.generate({ model: 'painter', prompt: 'a fleet of GPUs' });
  assert.ok(img.data[0].b64_json.length > 0);
});

// ---- Ollama ----

test('ollama: list, version, show', async () => {
  const list = await ollama.list();
  const names = list.models.map((m) => m.name);
  assert.ok(names.includes('local'));
  assert.ok(!names.some((n) => n.includes('*')));
  const v = await ollama.version();
  assert.match(v.version, /^\d+\.\d+/);
  const show = await ollama.show({ model: 'local' });
  assert.ok(show.capabilities.includes('completion'));
  await assert.rejects(ollama.show({ model: 'nothing' }), /not found/);
});

test('ollama: chat, whole and streamed, translated and native', async () => {
  for (const model of ['local', 'local:latest', 'ollama-native']) {
    const r = await ollama.chat({ model, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(r.done, true);
    assert.ok(r.message.content.length > 0);
    assert.equal(r.eval_count, 8);
    const parts = await ollama.chat({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    let last;
    for await (const p of parts) { text += p.message.content; last = p; }
    assert.equal(last.done, true);
    assert.ok(text.length > 0);
  }
});

test('ollama: tool calls come back as Ollama tool_calls', async () => {
  const r = await ollama.chat({ model: 'local', messages: [{ role: 'user', content: 'search' }],
    tools: [{ type: 'function', function: { name: 'search', parameters: { type: 'object' } } }] });
  assert.equal(r.message.tool_calls[0].function.name, 'search');
  assert.deepEqual(r.message.tool_calls[0].function.arguments, { q: 'fleet' });
});

test('ollama: generate and embed', async () => {
  const g = await ollama.generate({ model: 'local', prompt: 'hi' });
  assert.ok(g.response.length > 0);
  const e = await ollama.embed({ model: 'local', input: ['a', 'b'] });
  assert.ok(Array.isArray(e.embeddings[0]));
  assert.ok(e.embeddings[0].length > 0);
  const parts = await ollama.generate({ model: 'local', prompt: 'hi', stream: true });
  let text = '';
  for await (const p of parts) text += p.response;
  assert.ok(text.length > 0);
});

test('ollama: unknown model in Ollama error shape', async () => {
  await assert.rejects(ollama.chat({ model: 'nothing', messages: [{ role: 'user', content: 'x' }], stream: false }),
    (e) => e.status_code === 404);
});

test('metrics count requests by dialect', async () => {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await r.text();
  for (const d of ['anthropic', 'responses', 'ollama'])
    assert.match(text, new RegExp(`fleetgate_dialect_requests_total\\{dialect="${d}",code="200"\\} [1-9]`));
});

// Last: a stream that breaks closes its client connection, which a pooled client may reuse.

test('anthropic: a backend that dies mid-stream ends in an error event', async () => {
  const stream = anthropic.messages.stream({ model: 'broken', max_tokens: 64,
    messages: [{ role: 'user', content: 'hi' }] });
  await assert.rejects((async () => { for await (const _ of stream); })(), /.+/);
});

test('responses: a backend that dies mid-stream ends in response.failed', async () => {
  const stream = await openai.responses.create({ model: 'broken', input: 'hi', stream: true });
  const types = [];
  for await (const e of stream) types.push(e.type);
  assert.equal(types.at(-1), 'response.failed');
});

test('ollama: a backend that dies mid-stream ends in an error line', async () => {
  const parts = await ollama.chat({ model: 'broken', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  await assert.rejects((async () => { for await (const _ of parts); })(), /.+/);
});
