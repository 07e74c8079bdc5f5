// Drives aixd's OpenAI-compatible endpoint with the official `openai` npm
// package, the way users' programs do, and prints what it saw as one JSON
// line for tests/integration/endpoint_test.cc to check.
//
// Environment: AIX_HTTP_SOCKET (the Unix socket), AIX_HTTP_URL and
// AIX_HTTP_TOKEN (the loopback door), AIX_MODEL. NODE_PATH finds openai
// and undici (tests/endpoint/package.json).
'use strict';
const OpenAI = require('openai');
const unixFetch = require('./unix_fetch.cjs');

function overSocket(path) {
  return new OpenAI({
    baseURL: 'http://localhost/v1',
    apiKey: 'unused-on-the-socket',
    fetch: unixFetch(path),
    maxRetries: 0,
  });
}

function overTcp(url, token) {
  return new OpenAI({ baseURL: url, apiKey: token, maxRetries: 0 });
}

async function whole(client, model) {
  const r = await client.chat.completions.create({
    model,
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'whole please' },
    ],
  });
  return { text: r.choices[0].message.content, finish: r.choices[0].finish_reason,
           object: r.object, usage: r.usage.total_tokens };
}

async function streamed(client, model) {
  const stream = await client.chat.completions.create({
    model,
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'stream please' }],
  });
  let text = '';
  let chunks = 0;
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    chunks++;
    if (chunk.choices.length > 0) {
      text += chunk.choices[0].delta.content || '';
      if (chunk.choices[0].finish_reason) finish = chunk.choices[0].finish_reason;
    }
    if (chunk.usage) usage = chunk.usage.total_tokens;
  }
  return { text, chunks, finish, usage };
}

async function failure(fn) {
  try {
    await fn();
    return { status: 0 };
  } catch (e) {
    return { status: e.status || -1, name: e.constructor.name, message: e.message };
  }
}

async function main() {
  const model = process.env.AIX_MODEL;
  const out = {};
  const unix = overSocket(process.env.AIX_HTTP_SOCKET);
  out.unix_whole = await whole(unix, model);
  out.unix_stream = await streamed(unix, model);
  out.unix_models = (await unix.models.list()).data.map((m) => m.id);
  if (process.env.AIX_HTTP_URL) {
    const tcp = overTcp(process.env.AIX_HTTP_URL, process.env.AIX_HTTP_TOKEN);
    out.tcp_whole = await whole(tcp, model);
    out.tcp_stream = await streamed(tcp, model);
    const wrong = overTcp(process.env.AIX_HTTP_URL, 'aixd-not-the-token-000000000000');
    out.tcp_wrong_token = await failure(() => whole(wrong, model));
  }
  out.missing_model = await failure(() => whole(unix, ''));
  out.unknown_provider = await failure(() => whole(unix, 'custom:nope/some-model'));
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
