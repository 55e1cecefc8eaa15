// How the PostgreSQL store keeps event bodies (store/event_body_codec.h says what goes in them):
// the codec's dictionaries in event_body_dictionaries, each body in events.body as bytea with
// its body_dictionary_id (schema/postgres/0002_billing.sql).
// Thread-safe.
#pragma once

#include "store/event_body_codec.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_result.h"

namespace recur {

class PostgresEventBodyDictionaries final : public EventBodyDictionaries {
 public:
  explicit PostgresEventBodyDictionaries(PgPool& pool) : pool_(pool) {}
  Result<std::optional<Stored>> Newest() override;
  Result<std::int64_t> Add(const std::vector<std::string>& event_types,
                           const std::string& content) override;

 private:
  PgPool& pool_;
};

// The body of row `row` of `result`, whose columns `body` and `dictionary_id` hold it, read on
// `connection` (for a dictionary the codec has not seen yet). Throws when it cannot be read
// back; the read's edge makes that an error.
std::string ReadEventBody(EventBodyCodec& codec, PgConnection& connection, const PgResult& result,
                          int row, int body, int dictionary_id);

}  // namespace recur
