#!/usr/bin/env node
// Calling aixd from Node.js with the official OpenAI SDK: stream an answer.
//
//   npm install openai undici
//   node docs/examples/node/chat.cjs "Explain Unix sockets in one line"
//   node docs/examples/node/chat.cjs --model anthropic/claude-3-haiku-20240307 "Hi"
//
// By default it talks to aixd's Unix socket (found as `aix endpoint` shows:
// $AIX_HTTP_SOCKET, else beside aixd's socket), so no token is needed and
// aixd's stored API keys are used. With AIX_BASE_URL and AIX_TOKEN it uses
// the loopback port instead (aix config --set http_listen 127.0.0.1:8791;
// aix endpoint token).
'use strict';
const os = require('os');
const path = require('path');
const OpenAI = require('openai');

function socketPath() {
  if (process.env.AIX_HTTP_SOCKET) return process.env.AIX_HTTP_SOCKET;
  if (process.env.AIX_SOCKET) return path.join(path.dirname(process.env.AIX_SOCKET), 'http.sock');
  if (process.env.XDG_RUNTIME_DIR) return path.join(process.env.XDG_RUNTIME_DIR, 'aix', 'http.sock');
  return `/tmp/aix-${os.userInfo().uid}/http.sock`;
}

function client() {
  if (process.env.AIX_BASE_URL) {
    return new OpenAI({ baseURL: process.env.AIX_BASE_URL, apiKey: process.env.AIX_TOKEN });
  }
  // Node's own fetch cannot dial a Unix socket; undici's can.
  const undici = require('undici');
  const dispatcher = new undici.Agent({ connect: { socketPath: socketPath() } });
  return new OpenAI({
    baseURL: 'http://localhost/v1',
    apiKey: 'not-needed-on-the-socket',  // the SDK wants one; aixd checks your uid instead
    fetch: (url, init) => undici.fetch(url, { ...init, dispatcher }),
  });
}

async function main() {
  const args = process.argv.slice(2);
  let model = 'meta-llama/llama-3.2-3b-instruct:free';  // the default provider's model
  if (args[0] === '--model') {
    model = args[1];
    args.splice(0, 2);
  }
  const stream = await client().chat.completions.create({
    model,
    stream: true,
    messages: [{ role: 'user', content: args.join(' ') || 'Say hello.' }],
  });
  for await (const chunk of stream) {
    process.stdout.write(chunk.choices[0]?.delta?.content || '');
  }
  process.stdout.write('\n');
}

main().catch((e) => {
  console.error(`chat.cjs: ${e.message}`);
  process.exit(1);
});
