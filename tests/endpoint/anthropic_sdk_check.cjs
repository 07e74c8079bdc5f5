// Drives aixd's Messages endpoint (POST /v1/messages) with the official
// `@anthropic-ai/sdk` npm package: whole and streamed answers, a tool loop
// (whole and streamed), an image, and errors. Prints what it saw as one
// JSON line for tests/integration/chat_api_test.cc to check.
//
// Environment: AIX_HTTP_SOCKET (the Unix socket), AIX_MODELS (a JSON array
// of model routes). NODE_PATH finds @anthropic-ai/sdk and undici.
'use strict';
const Anthropic = require('@anthropic-ai/sdk');
const unixFetch = require('./unix_fetch.cjs');

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const WEATHER = {
  name: 'get_weather',
  description: 'The weather now in a city',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer' } },
    required: ['city', 'days'],
  },
};

function text(message) {
  return message.content.filter((b) => b.type === 'text').map((b) => b.text).join('');
}

async function toolLoop(c, model, stream) {
  const messages = [{ role: 'user', content: 'Oslo' }];
  const request = { model, max_tokens: 200, messages, tools: [WEATHER] };
  const first = stream ? await c.messages.stream(request).finalMessage() : await c.messages.create(request);
  const use = first.content.find((b) => b.type === 'tool_use');
  messages.push({ role: 'assistant', content: first.content });
  messages.push({
    role: 'user',
    content: [{ type: 'tool_result', tool_use_id: use.id, content: `4 degrees in ${use.input.city}` }],
  });
  const second = await c.messages.create({ model, max_tokens: 200, messages, tools: [WEATHER] });
  return {
    stop: first.stop_reason, name: use.name, input: use.input, id: use.id,
    answer: text(second), stop2: second.stop_reason,
  };
}

async function streamed(c, model) {
  const events = [];
  let deltas = '';
  const s = c.messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'stream please' }] });
  s.on('text', (t) => { deltas += t; });
  for await (const event of s) events.push(event.type);
  const final = await s.finalMessage();
  return { deltas, text: text(final), stop: final.stop_reason, events: [...new Set(events)], usage: final.usage };
}

async function failure(fn) {
  try {
    await fn();
    return { status: 0 };
  } catch (e) {
    return { status: e.status || -1, name: e.constructor.name, message: e.message, type: e.error && e.error.error && e.error.error.type };
  }
}

async function main() {
  const c = new Anthropic({
    baseURL: 'http://localhost',
    apiKey: 'unused-on-the-socket',
    fetch: unixFetch(process.env.AIX_HTTP_SOCKET),
    maxRetries: 0,
  });
  const out = { models: {} };
  for (const model of JSON.parse(process.env.AIX_MODELS)) {
    const whole = await c.messages.create({
      model, max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'whole please' }],
    });
    const image = await c.messages.create({
      model,
      max_tokens: 100,
      messages: [{
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          { type: 'text', text: 'What is this?' },
        ],
      }],
    });
    out.models[model] = {
      whole: { text: text(whole), stop: whole.stop_reason, type: whole.type, role: whole.role, usage: whole.usage },
      streamed: await streamed(c, model),
      tools: await toolLoop(c, model, false),
      stream_tools: await toolLoop(c, model, true),
      image: text(image),
    };
  }
  out.not_found = await failure(() => c.messages.create({
    model: 'custom:nowhere/x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }],
  }));
  out.refused = await failure(() => c.messages.create({
    model: 'anthropic/claude-fake', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }],
    thinking: { type: 'enabled', budget_tokens: 1024 },
  }));
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
