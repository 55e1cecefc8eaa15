// Stored event bodies (store/event_body_codec.h), both ways. The first byte of the input picks:
// - 'e' (encode): the rest is an event body; it is stored as events of two types through a codec
//   (its zstd dictionary made from the body's sample), then read back by a codec that starts
//   afresh, as after a restart. A finding: the body read back differs, or reading fails.
// - 'd' (decode): the rest is a frame as a damaged or hostile database would hold it, read with
//   the dictionary made from the seed events below. A finding: a crash or an exception.
// - anything else: two bytes of length, a dictionary's content of that length, then a frame read
//   with it, as from a database whose dictionaries are damaged too. A finding: a crash or an
//   exception.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "store/event_body_codec.h"
#include "tests/support/map_event_body_dictionaries.h"

namespace {

using namespace recur;

using MapDictionaries = MapEventBodyDictionaries;

StoredEvent Event(std::string id, std::string type, std::string body) {
  return {std::move(id), std::move(type), "cpayer_1", {}, std::move(body)};
}

// A store that has kept the seed bodies (two event types), and the dictionary they were stored
// with.
struct SeededStore {
  MapDictionaries dictionaries;
  std::int64_t dictionary_id = 0;

  SeededStore() {
    const std::string bodies[] = {
        R"({"data":{"payer":{"email":"a@example.com","id":"cpayer_1"},"plan":{"slug":"pro"}},)"
        R"("object":"event","type":"subscription.created","timestamp":1798761600000})",
        R"({"data":{"payer":{"email":"b@example.com"},"amount":{"amount":2000,)"
        R"("currency":"USD"}},"object":"event","type":"paymentAttempt.updated"})"};
    auto codec = EventBodyCodec::Load(dictionaries).value();
    auto encoded = codec->Encode({Event("evt_1", "subscription.created", bodies[0]),
                                  Event("evt_2", "paymentAttempt.updated", bodies[1])});
    if (!encoded) fuzz::Finding("the seed bodies cannot be stored: " + encoded.error().message);
    dictionary_id = (*encoded)[0].dictionary_id;
  }
};

void EncodeAndReadBack(std::string_view body) {
  MapDictionaries dictionaries;
  const std::vector<StoredEvent> events = {Event("evt_1", "a.created", std::string(body)),
                                           Event("evt_2", "b.updated", std::string(body))};
  auto encoded = EventBodyCodec::Load(dictionaries).value()->Encode(events);
  if (!encoded) fuzz::Finding("a body cannot be stored: " + encoded.error().message);
  auto reopened = EventBodyCodec::Load(dictionaries).value();
  for (const EventBodyCodec::Encoded& frame : *encoded) {
    auto read = reopened->Decode(frame.frame, frame.dictionary_id, dictionaries.Reader());
    if (!read) fuzz::Finding("a stored body cannot be read: " + read.error().message);
    if (*read != body) fuzz::Finding("a stored body reads back as other text");
  }
}

void DecodeWithSeedDictionary(std::string_view frame) {
  static SeededStore store;
  auto codec = EventBodyCodec::Load(store.dictionaries).value();
  (void)codec->Decode(frame, store.dictionary_id, store.dictionaries.Reader());
}

void DecodeWithDictionary(std::string_view input) {
  if (input.size() < 2) return;
  const std::size_t length =
      (static_cast<unsigned char>(input[0]) << 8) | static_cast<unsigned char>(input[1]);
  input.remove_prefix(2);
  if (length > input.size()) return;
  MapDictionaries dictionaries;
  auto id = dictionaries.Add({"a.created"}, std::string(input.substr(0, length)));
  auto codec = EventBodyCodec::Load(dictionaries).value();
  (void)codec->Decode(input.substr(length), *id, dictionaries.Reader());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::AsText(data, size);
  if (input.empty()) return 0;
  const char mode = input.front();
  input.remove_prefix(1);
  if (mode == 'e') {
    EncodeAndReadBack(input);
  } else if (mode == 'd') {
    DecodeWithSeedDictionary(input);
  } else {
    DecodeWithDictionary(input);
  }
  return 0;
}
