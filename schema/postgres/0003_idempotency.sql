-- Answers to requests that carried an Idempotency-Key (store/idempotency_store.h): what
-- schema/sqlite/0003 and 0009 hold. A claim names the server instance that made it (NULL:
-- claimed by no one); a change made for the key records what it made in the change's own
-- transaction. Expired keys are purged by claim time, hence the index.
CREATE TABLE idempotency_keys (
  key          text PRIMARY KEY,
  request_hash text NOT NULL,     -- SHA-256 of method, path, query and body
  status       integer,           -- NULL while the first request is being handled
  body         text,
  created_at   bigint NOT NULL,
  claimed_by   text,
  made         text
);
CREATE INDEX idempotency_keys_by_created_at ON idempotency_keys (created_at);
