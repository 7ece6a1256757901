// Runs the official `cloudflare` and `openai` npm clients against a running Ember host and prints ONE JSON
// object on stdout with what each call returned. Any exception: message on stderr, exit code 1.
//
// Environment:
//   EMBER_BASE_URL    the host's root, e.g. http://127.0.0.1:8787 (no /client/v4)
//   EMBER_TOKEN       the bearer token (any non-empty string when the host has none configured)
//   EMBER_MODEL       the model id, e.g. @ember/tiny-llama
//   EMBER_ACCOUNT_ID  the account id (optional; default "conformance")
//   EMBER_PROMPT, EMBER_SYSTEM, EMBER_USER, EMBER_MAX_TOKENS   the inputs (optional; defaults below)
//   EMBER_MISSING_MODEL  a model id the host does not know, for the error calls (optional)
//
// The tool calls and the Responses API run after those (their requests are recorded apart, in `tool_requests`), then
// `ai.finetunes` (in `finetune_requests`): a fine-tune of an adapter written here, uploaded and run with. For tools: a tool
// whose one argument is an enum, asked for by name with parallel calls off, so that the call is short and the answer
// deterministic under greedy decoding on the tiny model.
//
// Every request the clients send is recorded (method, path, a few headers) through their `fetch` option, so the
// caller can check the paths and headers the SDKs really use.

import Cloudflare, { toFile } from 'cloudflare';
import OpenAI from 'openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, streamText, stepCountIs, tool } from 'ai';
import { z } from 'zod';
import { readFileSync } from 'node:fs';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`environment variable ${name} is required`);
  }
  return value;
}

const baseUrl = required('EMBER_BASE_URL').replace(/\/+$/, '');
const token = required('EMBER_TOKEN');
const model = required('EMBER_MODEL');
const accountId = process.env.EMBER_ACCOUNT_ID || 'conformance';
const prompt = process.env.EMBER_PROMPT || 'Tell me a story';
const system = process.env.EMBER_SYSTEM || 'You are a friendly assistant';
const user = process.env.EMBER_USER || 'Why is pizza so good';
const maxTokens = Number.parseInt(process.env.EMBER_MAX_TOKENS || '8', 10);
const missingModel = process.env.EMBER_MISSING_MODEL || '@cf/ember/no-such-model';
const messages = [
  { role: 'system', content: system },
  { role: 'user', content: user },
];

const recordedHeaders = ['authorization', 'content-type', 'accept', 'user-agent', 'x-stainless-lang', 'x-stainless-retry-count'];
const requests = [];

/** The installed version of a package next to this script. */
function packageVersion(name) {
  return JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
}

/** A fetch that records what the SDK sends, then sends it. */
async function recordingFetch(input, init) {
  const request = new Request(input, init);
  const url = new URL(request.url);
  const headers = {};
  for (const name of recordedHeaders) {
    const value = request.headers.get(name);
    if (value !== null) {
      headers[name] = value;
    }
  }
  const entry = { method: request.method, path: url.pathname + url.search, headers };
  requests.push(entry);
  const response = await fetch(input, init);
  entry.status = response.status;
  entry.content_type = response.headers.get('content-type');
  return response;
}

/** Splits an event-stream body into its `data:` payloads (events end with a blank line). */
function sseData(body) {
  const events = body.replace(/\r\n/g, '\n').split('\n\n').filter((event) => event.length > 0);
  return events.map((event) => {
    const data = event
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''));
    if (data.length === 0) {
      throw new Error(`event without data: ${JSON.stringify(event)}`);
    }
    return data.join('\n');
  });
}

/** Runs a call that must fail and returns what it threw. */
async function caught(call) {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('the call was expected to fail but succeeded');
}

async function readAll(stream) {
  const reader = stream.getReader();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let text = '';
  let reads = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    reads++;
    text += decoder.decode(value, { stream: true });
  }
  return { text: text + decoder.decode(), reads };
}

async function cloudflareCalls() {
  const client = new Cloudflare({
    apiToken: token,
    baseURL: `${baseUrl}/client/v4`,
    maxRetries: 0,
    timeout: 30_000,
    fetch: recordingFetch,
  });

  const promptResult = await client.ai.run(model, { account_id: accountId, prompt, max_tokens: maxTokens, temperature: 0 });
  const messagesResult = await client.ai.run(model, { account_id: accountId, messages, max_tokens: maxTokens, temperature: 0 });
  // stop through ai.run: a piece of the prompt's own answer, so the answer must end just before it.
  const stop = promptResult.response.slice(3, 7);
  const stopResult = await client.ai.run(model, { account_id: accountId, prompt, max_tokens: maxTokens, temperature: 0, stop: [stop] });

  // The SDK has no SSE decoder for ai.run: awaiting a streamed run parses the body as text and unwraps `.result`,
  // which a stream has none of. Its documented way to a raw body is `.asResponse()`, which gives the fetch Response.
  const response = await client.ai
    .run(model, { account_id: accountId, prompt, max_tokens: maxTokens, temperature: 0, stream: true })
    .asResponse();
  const { text: body, reads } = await readAll(response.body);
  const data = sseData(body);
  const events = data.map((item) => (item === '[DONE]' ? item : JSON.parse(item)));
  const pieces = events.filter((event) => event !== '[DONE]' && event.usage === undefined);
  const final = events.filter((event) => event !== '[DONE]' && event.usage !== undefined);

  const error = await caught(() => client.ai.run(missingModel, { account_id: accountId, prompt, max_tokens: maxTokens }));

  return {
    prompt: promptResult,
    messages: messagesResult,
    stop: { stop, result: stopResult },
    stream: {
      status: response.status,
      content_type: response.headers.get('content-type'),
      reads,
      event_count: events.length,
      piece_count: pieces.length,
      text: pieces.map((event) => event.response).join(''),
      final: final.length === 1 ? final[0] : final,
      last: events.length > 0 ? events[events.length - 1] : null,
      events_after_done: events.length - 1 - events.indexOf('[DONE]'),
    },
    error: { name: error.constructor.name, status: error.status, errors: error.errors },
  };
}

async function openaiCalls() {
  const client = new OpenAI({
    apiKey: token,
    baseURL: `${baseUrl}/client/v4/accounts/${accountId}/ai/v1`,
    maxRetries: 0,
    timeout: 30_000,
    fetch: recordingFetch,
  });

  const completion = await client.chat.completions.create({ model, messages, max_tokens: maxTokens, temperature: 0 });
  const structured = await client.chat.completions.create({
    model,
    messages,
    max_tokens: 160,
    temperature: 0,
    response_format: {
      type: 'json_schema',
      json_schema: {
        name: 'verdict',
        strict: true,
        schema: {
          type: 'object',
          properties: { ok: { type: 'boolean' }, level: { enum: ['low', 'high'] }, count: { type: 'integer' } },
          required: ['ok', 'level', 'count'],
          additionalProperties: false,
        },
      },
    },
  });

  const stream = await client.chat.completions.create({
    model,
    messages,
    max_tokens: maxTokens,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
  }
  const withChoice = chunks.filter((chunk) => chunk.choices.length > 0);
  const finishing = withChoice.filter((chunk) => chunk.choices[0].finish_reason !== null);
  const usage = chunks.filter((chunk) => chunk.usage);

  const error = await caught(() => client.chat.completions.create({ model: missingModel, messages, max_tokens: maxTokens }));

  return {
    completion,
    structured,
    stream: {
      chunk_count: chunks.length,
      objects: [...new Set(chunks.map((chunk) => chunk.object))],
      ids: [...new Set(chunks.map((chunk) => chunk.id))],
      models: [...new Set(chunks.map((chunk) => chunk.model))],
      first_role: withChoice.length > 0 ? (withChoice[0].choices[0].delta.role ?? null) : null,
      text: withChoice.map((chunk) => chunk.choices[0].delta.content ?? '').join(''),
      finish_reasons: finishing.map((chunk) => chunk.choices[0].finish_reason),
      usage: usage.length === 1 ? usage[0].usage : usage.map((chunk) => chunk.usage),
      usage_is_last: usage.length === 1 && chunks[chunks.length - 1] === usage[0],
    },
    error: {
      name: error.constructor.name,
      status: error.status,
      type: error.type,
      code: error.code,
      param: error.param,
      message: error.message,
    },
  };
}


const weatherParameters = {
  type: 'object',
  properties: { city: { type: 'string', enum: ['Paris', 'Rome'] } },
  required: ['city'],
  additionalProperties: false,
};
const question = { role: 'user', content: 'Weather in Paris?' };
const callTokens = 120;

function openaiClient() {
  return new OpenAI({
    apiKey: token,
    baseURL: `${baseUrl}/client/v4/accounts/${accountId}/ai/v1`,
    maxRetries: 0,
    timeout: 30_000,
    fetch: recordingFetch,
  });
}

async function openaiToolCalls() {
  const client = openaiClient();
  const tools = [{ type: 'function', function: { name: 'get_weather', description: 'The weather in a city.', parameters: weatherParameters } }];
  const named = { type: 'function', function: { name: 'get_weather' } };
  const call = await client.chat.completions.create({ model, messages: [question], tools, tool_choice: named, parallel_tool_calls: false, max_tokens: callTokens, temperature: 0 });
  const assistant = call.choices[0].message;
  const answer = await client.chat.completions.create({
    model,
    messages: [question, assistant, { role: 'tool', tool_call_id: assistant.tool_calls[0].id, content: '22C' }],
    tools,
    tool_choice: 'none',
    max_tokens: maxTokens,
    temperature: 0,
  });

  const stream = await client.chat.completions.create({ model, messages: [question], tools, tool_choice: named, parallel_tool_calls: false, max_tokens: callTokens, temperature: 0, stream: true });
  const calls = [];
  const finishes = [];
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    for (const piece of choice?.delta?.tool_calls ?? []) {
      calls[piece.index] ??= { id: '', name: '', arguments: '', pieces: 0 };
      calls[piece.index].id += piece.id ?? '';
      calls[piece.index].name += piece.function?.name ?? '';
      calls[piece.index].arguments += piece.function?.arguments ?? '';
      calls[piece.index].pieces += 1;
    }
    if (choice?.finish_reason) {
      finishes.push(choice.finish_reason);
    }
  }
  return { call, answer, stream: { calls, finish_reasons: finishes } };
}

async function responsesCalls() {
  const client = openaiClient();
  const tools = [{ type: 'function', name: 'get_weather', description: 'The weather in a city.', parameters: weatherParameters, strict: true }];
  const call = await client.responses.create({ model, input: [question], tools, tool_choice: { type: 'function', name: 'get_weather' }, parallel_tool_calls: false, max_output_tokens: callTokens, temperature: 0 });
  const functionCall = call.output[0];
  const answer = await client.responses.create({
    model,
    input: [question, functionCall, { type: 'function_call_output', call_id: functionCall.call_id, output: '22C' }],
    instructions: system,
    max_output_tokens: maxTokens,
    temperature: 0,
  });

  // The SDK's own stream helper, which accumulates the events into the final response and checks their indices.
  const textStream = client.responses.stream({ model, input: user, instructions: system, max_output_tokens: maxTokens, temperature: 0 });
  const textEvents = [];
  let deltas = '';
  for await (const event of textStream) {
    textEvents.push(event.type);
    if (event.type === 'response.output_text.delta') {
      deltas += event.delta;
    }
  }
  const textFinal = await textStream.finalResponse();

  const callStream = client.responses.stream({ model, input: 'Weather in Paris?', tools, tool_choice: 'required', parallel_tool_calls: false, max_output_tokens: callTokens, temperature: 0 });
  const callEvents = [];
  let argumentDeltas = '';
  for await (const event of callStream) {
    callEvents.push(event.type);
    if (event.type === 'response.function_call_arguments.delta') {
      argumentDeltas += event.delta;
    }
  }
  const callFinal = await callStream.finalResponse();
  return {
    call,
    answer: { ...answer, output_text: answer.output_text },
    text_stream: { events: textEvents, deltas, final: textFinal, output_text: textFinal.output_text },
    call_stream: { events: callEvents, argument_deltas: argumentDeltas, final: callFinal },
  };
}

async function aiSdkCalls() {
  const provider = createOpenAICompatible({
    name: 'ember',
    apiKey: token,
    baseURL: `${baseUrl}/client/v4/accounts/${accountId}/ai/v1`,
    includeUsage: true,
    fetch: recordingFetch,
  });
  const invoked = [];
  const weather = tool({
    description: 'The weather in a city.',
    inputSchema: z.object({ city: z.enum(['Paris', 'Rome']) }).strict(),
    execute: async ({ city }) => {
      invoked.push(city);
      return '22C';
    },
  });
  // The first step must call the tool; the next answers in text.
  const settings = {
    model: provider.chatModel(model),
    messages: [question],
    tools: { get_weather: weather },
    stopWhen: stepCountIs(3),
    prepareStep: ({ stepNumber }) => (stepNumber === 0 ? { toolChoice: { type: 'tool', toolName: 'get_weather' } } : { toolChoice: 'none' }),
    providerOptions: { ember: { parallel_tool_calls: false } },
    maxOutputTokens: callTokens,
    temperature: 0,
    maxRetries: 0,
  };
  const steps = (result) => result.steps.map((step) => ({
    finish_reason: step.finishReason,
    tool_calls: step.toolCalls.map((call) => ({ name: call.toolName, input: call.input })),
    tool_results: step.toolResults.map((result) => ({ name: result.toolName, output: result.output })),
    text: step.text,
  }));

  const generated = await generateText(settings);
  const generatedInvoked = invoked.splice(0);
  const streamed = streamText(settings);
  let streamedText = '';
  for await (const piece of streamed.textStream) {
    streamedText += piece;
  }
  return {
    generate: { invoked: generatedInvoked, steps: steps(generated), text: generated.text },
    stream: { invoked: invoked.splice(0), steps: steps({ steps: await streamed.steps }), text: streamedText },
  };
}

async function cloudflareToolCalls() {
  const client = new Cloudflare({ apiToken: token, baseURL: `${baseUrl}/client/v4`, maxRetries: 0, timeout: 30_000, fetch: recordingFetch });
  const tools = [{ name: 'get_weather', description: 'The weather in a city.', parameters: weatherParameters }];
  const call = await client.ai.run(model, { account_id: accountId, messages: [question], tools, tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: false, max_tokens: callTokens, temperature: 0 });
  return { call };
}

/**
 * A PEFT adapter for Ember's tiny model (2 layers, width 64, 2 KV heads of 16), written here: rank 2 on q_proj and
 * v_proj of both layers, float32 factors of a fixed pattern.
 */
function tinyAdapter() {
  const rank = 2;
  const header = {};
  const data = [];
  let offset = 0;
  for (const layer of [0, 1]) {
    for (const [module, outputs] of [['q_proj', 64], ['v_proj', 32]]) {
      const prefix = `base_model.model.model.layers.${layer}.self_attn.${module}`;
      for (const [name, shape] of [[`${prefix}.lora_A.weight`, [rank, 64]], [`${prefix}.lora_B.weight`, [outputs, rank]]]) {
        const count = shape[0] * shape[1];
        const values = Float32Array.from({ length: count }, (_, i) => 0.1 * Math.sin(offset + i + 1));
        header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + count * 4] };
        offset += count * 4;
        data.push(Buffer.from(values.buffer));
      }
    }
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const config = { peft_type: 'LORA', task_type: 'CAUSAL_LM', r: rank, lora_alpha: 16, target_modules: ['q_proj', 'v_proj'], model_type: 'llama' };
  return { config: Buffer.from(JSON.stringify(config), 'utf8'), weights: Buffer.concat([length, json, ...data]) };
}

/** `ai.finetunes`: create, upload both files as `wrangler ai finetune create` does, list, the public list, run with it. */
async function cloudflareFinetuneCalls() {
  const client = new Cloudflare({ apiToken: token, baseURL: `${baseUrl}/client/v4`, maxRetries: 0, timeout: 30_000, fetch: recordingFetch });
  const { config, weights } = tinyAdapter();
  const created = await client.ai.finetunes.create({ account_id: accountId, model, name: 'sdk-finetune', description: 'written by conformance.mjs' });
  const configAsset = await client.ai.finetunes.assets.create(created.id, { account_id: accountId, file_name: 'adapter_config.json', file: await toFile(config, 'adapter_config.json') });
  const weightsAsset = await client.ai.finetunes.assets.create(created.id, { account_id: accountId, file_name: 'adapter_model.safetensors', file: await toFile(weights, 'adapter_model.safetensors') });
  const list = await client.ai.finetunes.list({ account_id: accountId });
  const publicList = [];
  for await (const finetune of client.ai.finetunes.public.list({ account_id: accountId })) {
    publicList.push(finetune);
  }
  const run = await client.ai.run(model, { account_id: accountId, prompt, max_tokens: maxTokens, temperature: 0, lora: 'sdk-finetune' });
  const unknown = await caught(async () =>
    client.ai.finetunes.assets.create('00000000-0000-4000-8000-000000000000', { account_id: accountId, file_name: 'adapter_config.json', file: await toFile(config, 'adapter_config.json') }),
  );
  return { created, config_asset: configAsset, weights_asset: weightsAsset, list, public: publicList, run, unknown: { status: unknown.status, errors: unknown.errors } };
}

try {
  const result = {
    versions: {
      node: process.versions.node,
      cloudflare: packageVersion('cloudflare'),
      openai: packageVersion('openai'),
    },
    cloudflare: await cloudflareCalls(),
    openai: await openaiCalls(),
  };
  const recorded = requests.length;
  result.openai_tools = await openaiToolCalls();
  result.responses = await responsesCalls();
  result.ai_sdk = await aiSdkCalls();
  result.cloudflare_tools = await cloudflareToolCalls();
  const tools = requests.length;
  result.cloudflare_finetunes = await cloudflareFinetuneCalls();
  result.versions.ai = packageVersion('ai');
  result.versions.zod = packageVersion('zod');
  result.requests = requests.slice(0, recorded);
  result.tool_requests = requests.slice(recorded, tools);
  result.finetune_requests = requests.slice(tools);
  process.stdout.write(JSON.stringify(result) + '\n');
} catch (error) {
  process.stderr.write(`${error?.stack ?? error}\n`);
  if (error?.status !== undefined) {
    process.stderr.write(`status ${error.status}: ${JSON.stringify(error.error ?? null)}\n`);
  }
  process.exitCode = 1;
}
