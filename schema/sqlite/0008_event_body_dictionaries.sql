-- Event bodies are kept compressed with zstd, each against a dictionary: raw content made of
-- one sample body of each event type the store had seen when it was made, with every string
-- of the payer, the payment source and the request attributes emptied, so that a dictionary
-- holds no person's or card's details. A type the newest dictionary lacks makes a new one,
-- written before any body that uses it; older ones stay for the bodies made with them.
CREATE TABLE event_body_dictionaries (
  id          INTEGER PRIMARY KEY,
  event_types TEXT NOT NULL,      -- JSON array: the types sampled, in the content's order
  content     BLOB NOT NULL
);
-- A body stored as text is the envelope itself, as every body was before this migration. One
-- stored as a blob is a zstd frame of the envelope (with its size and a checksum), made with
-- the dictionary body_dictionary_id.
ALTER TABLE events ADD COLUMN body_dictionary_id INTEGER REFERENCES event_body_dictionaries (id);
