// Records what the end-to-end tests send to `recur serve` and what it answers, so that
// tests/interop/validate_exchanges.mjs can check every exchange against docs/openapi.json.
// Recording is on when the environment variable RECUR_E2E_EXCHANGES names a folder (ctest sets
// it for the SQLite run of the suite): each exchange of a client given to RecordExchanges is
// then appended, as one JSON line, to a file of this process's own in that folder
// ({"test", "method", "target", "request_body", "status", "content_type", "response_headers",
// "response_body"}).
// Off, it does nothing. Safe from any thread: each line is one append to the file.
#pragma once

#include <httplib.h>

namespace recur::testing {

// Makes `client` record its exchanges when recording is on.
void RecordExchanges(httplib::Client& client);

}  // namespace recur::testing
