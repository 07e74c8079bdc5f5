// Drives aix's MCP server with the official TypeScript SDK client
// (@modelcontextprotocol/sdk), for tests/integration/mcp_test.cc, and
// prints one JSON line of what it saw; the C++ test asserts on it.
//
//   node mcp_check.cjs stdio   aix mcp, started as MCP clients start it: only
//                              HOME, LOGNAME, PATH, SHELL, TERM and USER, plus
//                              AIX_CHILD_ENV (the test's socket)
//   node mcp_check.cjs http    Streamable HTTP on http.sock (AIX_HTTP_SOCKET)
//                              and on the loopback URL (AIX_URL, AIX_TOKEN)
//
// AIX_BIN is aix; AIX_FAKE is the fake provider's base URL (its control API
// scripts the next answers).
'use strict';
const { execFileSync } = require('node:child_process');
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
const types = require('@modelcontextprotocol/sdk/types.js');
const unixFetch = require('./unix_fetch.cjs');

const out = {};

async function script(responses) {
  const r = await fetch(process.env.AIX_FAKE + '/_control/script', {
    method: 'POST',
    body: JSON.stringify({ responses }),
  });
  if (!r.ok) throw new Error('scripting the fake failed: ' + r.status);
}

// errorOf runs `f` and returns the MCP error it threw ({code, message}).
async function errorOf(f) {
  try {
    await f();
    return null;
  } catch (e) {
    return { code: e.code, message: String(e.message) };
  }
}

function newClient() {
  return new Client({ name: 'aix-mcp-check', version: '1.0.0' });
}

async function stdio() {
  const transport = new StdioClientTransport({
    command: process.env.AIX_BIN,
    args: ['mcp'],
    env: JSON.parse(process.env.AIX_CHILD_ENV),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr.on('data', (d) => { stderr += d; });
  const client = newClient();
  let changed = 0;
  client.setNotificationHandler(types.PromptListChangedNotificationSchema, () => { changed += 1; });
  await client.connect(transport);
  out.server = client.getServerVersion();
  out.capabilities = client.getServerCapabilities();
  out.ping = await client.ping();

  // Every prompt, page by page.
  const names = [];
  let cursor;
  let pages = 0;
  do {
    const page = await client.listPrompts(cursor ? { cursor } : {});
    pages += 1;
    for (const p of page.prompts) names.push(p.name);
    if (page.prompts.find((p) => p.name === 'greet')) {
      out.greet = page.prompts.find((p) => p.name === 'greet');
    }
    cursor = page.nextCursor;
  } while (cursor && pages < 100);
  out.prompt_names = names;
  out.pages = pages;

  out.rendered = await client.getPrompt({ name: 'greet', arguments: { name: 'Ann', topic: 'tea' } });
  out.commands = await client.getPrompt({ name: 'dated', arguments: {} });
  out.unknown_prompt = await errorOf(() => client.getPrompt({ name: 'no-such-prompt', arguments: {} }));
  out.missing_argument = await errorOf(() => client.getPrompt({ name: 'greet', arguments: { name: 'Ann' } }));
  out.tool_missing_argument = await client.callTool({ name: 'get_prompt', arguments: {} });
  out.unknown_tool = await errorOf(() => client.callTool({ name: 'no_such_tool', arguments: {} }));

  out.tools = (await client.listTools()).tools;

  // run_prompt with progress: the fake streams slowly.
  await script([{ chunks: ['Hello ', 'Ann, ', 'about ', 'tea'], delay_ms: 150 }]);
  let progress = 0;
  out.run_prompt = await client.callTool(
    { name: 'run_prompt', arguments: { name: 'greet', arguments: { name: 'Ann', topic: 'tea' } } },
    undefined,
    { onprogress: () => { progress += 1; } });
  out.progress = progress;

  out.ask = await client.callTool({
    name: 'ask',
    arguments: { question: 'second opinion please', model: 'anthropic/claude-fake' },
  });

  await script([{ status: 401, error: 'invalid api key (fake)' }]);
  out.failed = await client.callTool({ name: 'run_prompt', arguments: { name: 'greet', arguments: { name: 'X', topic: 'Y' } } });

  out.completion = await client.complete({
    ref: { type: 'ref/prompt', name: 'greet' },
    argument: { name: 'name', value: 'A' },
  });

  out.resources = (await client.listResources()).resources.map((r) => r.uri);
  out.templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
  out.prompt_file = await client.readResource({ uri: 'aix://prompts/greet' });
  const runId = out.run_prompt.structuredContent?.run_id;
  out.run_resource = runId ? await client.readResource({ uri: 'aix://runs/' + runId }) : null;

  // list_changed after `aix create`, from the user's terminal.
  execFileSync(process.env.AIX_BIN, ['create', 'made-while-connected', 'New {thing}'], { env: process.env });
  for (let i = 0; i < 50 && changed === 0; i++) await new Promise((r) => setTimeout(r, 100));
  out.list_changed = changed;

  // Cancellation: a long, slow answer; the client gives up after a second.
  await script([{ chunks: ['once upon a time'].concat(Array(100).fill(' and then')), delay_ms: 200 }]);
  const controller = new AbortController();
  const call = client.callTool(
    { name: 'ask', arguments: { question: 'take your time' } }, undefined, { signal: controller.signal });
  await new Promise((r) => setTimeout(r, 1000));
  controller.abort('the user pressed Esc');
  out.cancelled = await errorOf(() => call);
  await new Promise((r) => setTimeout(r, 500));  // the cancellation reaches the provider
  out.after_cancel_ping = await client.ping();

  const pid = transport.pid;
  const started = Date.now();
  await client.close();
  out.close_ms = Date.now() - started;
  let alive = true;
  try { process.kill(pid, 0); } catch { alive = false; }
  out.alive_after_close = alive;
  out.stderr = stderr;
}

async function overHttp(url, fetchImpl, headers) {
  const client = newClient();
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    fetch: fetchImpl,
    requestInit: { headers: headers || {} },
  });
  await client.connect(transport);
  const r = {};
  r.server = client.getServerVersion();
  r.session = transport.sessionId ? 'yes' : 'no';
  r.ping = await client.ping();
  r.prompts = (await client.listPrompts()).prompts.length;
  r.rendered = await client.getPrompt({ name: 'greet', arguments: { name: 'Bo', topic: 'http' } });
  r.missing_argument = await errorOf(() => client.getPrompt({ name: 'greet', arguments: {} }));
  r.ask = await client.callTool({ name: 'ask', arguments: { question: 'over http' } });
  await transport.terminateSession();
  await client.close();
  return r;
}

// raw sends one request by hand, to see the transport's refusals.
async function raw(fetchImpl, url, headers, body) {
  const res = await fetchImpl(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.text(), session: res.headers.get('mcp-session-id') };
}

async function http() {
  const sock = unixFetch(process.env.AIX_HTTP_SOCKET);
  out.unix = await overHttp('http://localhost/mcp', sock);
  out.loopback = await overHttp(process.env.AIX_URL + '/mcp', fetch,
    { authorization: 'Bearer ' + process.env.AIX_TOKEN });
  out.no_token = await errorOf(() => overHttp(process.env.AIX_URL + '/mcp', fetch));

  const init = {
    jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  };
  out.foreign_origin = await raw(sock, 'http://localhost/mcp', { origin: 'https://evil.example' }, init);
  out.local_origin = await raw(sock, 'http://localhost/mcp', { origin: 'http://localhost:5173' }, init);
  const session = out.local_origin.session;
  out.bad_version = await raw(sock, 'http://localhost/mcp',
    { 'mcp-session-id': session, 'mcp-protocol-version': '1999-01-01' },
    { jsonrpc: '2.0', id: 2, method: 'ping' });
  out.good_version = await raw(sock, 'http://localhost/mcp',
    { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' },
    { jsonrpc: '2.0', id: 3, method: 'ping' });
  out.no_session = await raw(sock, 'http://localhost/mcp', {}, { jsonrpc: '2.0', id: 4, method: 'ping' });
  out.unknown_session = await raw(sock, 'http://localhost/mcp', { 'mcp-session-id': 'f00d' },
    { jsonrpc: '2.0', id: 5, method: 'ping' });
  out.wrong_accept = await raw(sock, 'http://localhost/mcp', { accept: 'text/html' }, init);
  out.notification = await raw(sock, 'http://localhost/mcp', { 'mcp-session-id': session },
    { jsonrpc: '2.0', method: 'notifications/initialized' });
  const get = await sock('http://localhost/mcp', { method: 'GET', headers: { accept: 'text/event-stream' } });
  out.get_status = get.status;
  await get.text();
  const foreignHost = await fetch(process.env.AIX_URL + '/mcp', {
    method: 'POST',
    headers: {
      authorization: 'Bearer ' + process.env.AIX_TOKEN, host: 'evil.example:80',
      'content-type': 'application/json', accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify(init),
  });
  out.foreign_host = foreignHost.status;
  const del = await sock('http://localhost/mcp', { method: 'DELETE', headers: { 'mcp-session-id': session } });
  out.deleted = del.status;
  out.after_delete = await raw(sock, 'http://localhost/mcp', { 'mcp-session-id': session },
    { jsonrpc: '2.0', id: 6, method: 'ping' });
}

(process.argv[2] === 'http' ? http() : stdio()).then(
  () => { process.stdout.write(JSON.stringify(out) + '\n'); process.exit(0); },
  (e) => { process.stdout.write(JSON.stringify({ ...out, failure: String(e && e.stack || e) }) + '\n'); process.exit(0); });
