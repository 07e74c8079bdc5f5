// Drives the whole chat API through aixd's endpoint with the official
// `openai` npm package: tool loops (streamed and whole), the SDK's
// structured-output parse helper, an image part, every forwarded field,
// and a refused one. Prints what it saw as one JSON line for
// tests/integration/chat_api_test.cc to check.
//
// Environment: AIX_HTTP_SOCKET (the Unix socket), AIX_MODELS (a JSON array
// of model routes, one per provider behind the fake), AIX_FIELDS_MODEL
// (the route that gets every field), AIX_REFUSING_MODEL (a route whose
// provider has no seed). NODE_PATH finds openai and undici.
'use strict';
const OpenAI = require('openai');
const unixFetch = require('./unix_fetch.cjs');

// A 1x1 PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather now in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: 'integer' } },
      required: ['city', 'days'],
      additionalProperties: false,
    },
  },
};

function client(path) {
  return new OpenAI({
    baseURL: 'http://localhost/v1',
    apiKey: 'unused-on-the-socket',
    fetch: unixFetch(path),
    maxRetries: 0,
  });
}

// toolLoop asks, runs the tool call the model makes, and sends its result
// back: the two steps of every agent.
async function toolLoop(c, model, stream) {
  const messages = [{ role: 'user', content: 'Oslo' }];
  const first = { calls: [], fragments: 0, finish: null, text: '' };
  if (stream) {
    const s = await c.chat.completions.create({ model, messages, tools: [WEATHER], stream: true });
    for await (const chunk of s) {
      const choice = chunk.choices[0];
      if (!choice) continue;
      for (const piece of choice.delta.tool_calls || []) {
        first.fragments++;
        const call = (first.calls[piece.index] ||= { id: '', name: '', arguments: '' });
        if (piece.id) call.id = piece.id;
        if (piece.function && piece.function.name) call.name = piece.function.name;
        if (piece.function && piece.function.arguments) call.arguments += piece.function.arguments;
      }
      first.text += choice.delta.content || '';
      if (choice.finish_reason) first.finish = choice.finish_reason;
    }
  } else {
    const r = await c.chat.completions.create({ model, messages, tools: [WEATHER] });
    const m = r.choices[0].message;
    first.calls = (m.tool_calls || []).map((t) => ({ id: t.id, name: t.function.name, arguments: t.function.arguments }));
    first.finish = r.choices[0].finish_reason;
    first.text = m.content;
  }
  const call = first.calls[0];
  const args = JSON.parse(call.arguments);
  messages.push({
    role: 'assistant',
    content: null,
    tool_calls: [{ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }],
  });
  messages.push({ role: 'tool', tool_call_id: call.id, content: `4 degrees in ${args.city}` });
  const second = await c.chat.completions.create({ model, messages, tools: [WEATHER] });
  return { first, args, answer: second.choices[0].message.content, finish: second.choices[0].finish_reason };
}

async function parsed(c, model) {
  const r = await c.chat.completions.parse({
    model,
    messages: [{ role: 'user', content: 'Ada' }],
    response_format: {
      type: 'json_schema',
      json_schema: {
        name: 'person',
        strict: true,
        schema: {
          type: 'object',
          properties: { name: { type: 'string' }, age: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } },
          required: ['name', 'age', 'tags'],
          additionalProperties: false,
        },
      },
    },
  });
  return { parsed: r.choices[0].message.parsed, finish: r.choices[0].finish_reason };
}

async function image(c, model) {
  const r = await c.chat.completions.create({
    model,
    messages: [{
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
      ],
    }],
  });
  return r.choices[0].message.content;
}

async function failure(fn) {
  try {
    await fn();
    return { status: 0 };
  } catch (e) {
    return { status: e.status || -1, message: e.message, param: e.param || null };
  }
}

async function main() {
  const c = client(process.env.AIX_HTTP_SOCKET);
  const out = { models: {} };
  for (const model of JSON.parse(process.env.AIX_MODELS)) {
    out.models[model] = {
      stream_tools: await toolLoop(c, model, true),
      whole_tools: await toolLoop(c, model, false),
      parsed: await parsed(c, model),
      image: await image(c, model),
    };
  }
  // Every field a client may send, to the provider as sent.
  const fields = {
    model: process.env.AIX_FIELDS_MODEL,
    messages: [{ role: 'user', content: 'fields please' }],
    seed: 1234, top_p: 0.25, presence_penalty: 0.5, frequency_penalty: -0.5,
    stop: ['END', 'STOP'], user: 'user-77', logit_bias: { 50256: -100 },
    metadata: { team: 'blue' }, reasoning_effort: 'low', max_completion_tokens: 64,
    parallel_tool_calls: false, tools: [WEATHER], tool_choice: 'none',
    response_format: { type: 'json_object' }, provider: { order: ['fake'], allow_fallbacks: false },
    service_tier: 'default', store: false,
  };
  const r = await c.chat.completions.create(fields);
  out.fields = { sent: fields, finish: r.choices[0].finish_reason };
  out.refused = await failure(() => c.chat.completions.create({
    model: process.env.AIX_REFUSING_MODEL,
    messages: [{ role: 'user', content: 'seeded' }],
    seed: 1,
  }));
  out.n2 = await failure(() => c.chat.completions.create({
    model: process.env.AIX_FIELDS_MODEL, messages: [{ role: 'user', content: 'two' }], n: 2,
  }));
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
