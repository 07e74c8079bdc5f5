-- A run history as aix wrote it with schema 1 (before conversations):
-- five runs of prompt greet. Tests migrate it and check every run is there.
BEGIN;
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  started_ms INTEGER NOT NULL,
  prompt TEXT NOT NULL DEFAULT '',
  params TEXT NOT NULL DEFAULT '{}',
  rendered TEXT NOT NULL DEFAULT '',
  system TEXT NOT NULL DEFAULT '',
  provider TEXT NOT NULL DEFAULT '',
  model TEXT NOT NULL DEFAULT '',
  answer TEXT NOT NULL DEFAULT '',
  finish_reason TEXT NOT NULL DEFAULT '',
  prompt_tokens INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  ttft_ms INTEGER NOT NULL DEFAULT -1,
  total_ms INTEGER NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL,
  error_class TEXT NOT NULL DEFAULT '',
  error_message TEXT NOT NULL DEFAULT '',
  attempts TEXT NOT NULL DEFAULT '[]',
  client TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_time ON runs(started_ms);
CREATE VIRTUAL TABLE runs_text USING fts5(rendered, answer, content='runs', content_rowid='id');
CREATE TRIGGER runs_text_add AFTER INSERT ON runs BEGIN
  INSERT INTO runs_text(rowid, rendered, answer) VALUES (new.id, new.rendered, new.answer);
END;
CREATE TRIGGER runs_text_remove AFTER DELETE ON runs BEGIN
  INSERT INTO runs_text(runs_text, rowid, rendered, answer)
    VALUES ('delete', old.id, old.rendered, old.answer);
END;
INSERT INTO runs (id, started_ms, prompt, params, rendered, provider, model, answer, finish_reason, prompt_tokens, completion_tokens, ttft_ms, total_ms, outcome, attempts, client) VALUES (1, 1764500060000, 'greet', '{"who":"v1-1"}', 'Say hello to v1-1.', 'openrouter', 'meta-llama/llama-3.2-3b-instruct:free', 'hello from schema one, run 1', 'stop', 7, 1, 12, 40, 'ok', '[]', 'aix');
INSERT INTO runs (id, started_ms, prompt, params, rendered, provider, model, answer, finish_reason, prompt_tokens, completion_tokens, ttft_ms, total_ms, outcome, attempts, client) VALUES (2, 1764500120000, 'greet', '{"who":"v1-2"}', 'Say hello to v1-2.', 'openrouter', 'meta-llama/llama-3.2-3b-instruct:free', 'hello from schema one, run 2', 'stop', 7, 2, 12, 40, 'ok', '[]', 'aix');
INSERT INTO runs (id, started_ms, prompt, params, rendered, provider, model, answer, finish_reason, prompt_tokens, completion_tokens, ttft_ms, total_ms, outcome, attempts, client) VALUES (3, 1764500180000, 'greet', '{"who":"v1-3"}', 'Say hello to v1-3.', 'openrouter', 'meta-llama/llama-3.2-3b-instruct:free', 'hello from schema one, run 3', 'stop', 7, 3, 12, 40, 'ok', '[]', 'aix');
INSERT INTO runs (id, started_ms, prompt, params, rendered, provider, model, answer, finish_reason, prompt_tokens, completion_tokens, ttft_ms, total_ms, outcome, attempts, client) VALUES (4, 1764500240000, 'greet', '{"who":"v1-4"}', 'Say hello to v1-4.', 'openrouter', 'meta-llama/llama-3.2-3b-instruct:free', 'hello from schema one, run 4', 'stop', 7, 4, 12, 40, 'ok', '[]', 'aix');
INSERT INTO runs (id, started_ms, prompt, params, rendered, provider, model, answer, finish_reason, prompt_tokens, completion_tokens, ttft_ms, total_ms, outcome, attempts, client) VALUES (5, 1764500300000, 'greet', '{"who":"v1-5"}', 'Say hello to v1-5.', 'openrouter', 'meta-llama/llama-3.2-3b-instruct:free', 'hello from schema one, run 5', 'stop', 7, 5, 12, 40, 'ok', '[]', 'aix');
PRAGMA user_version = 1;
COMMIT;
