#include "store/event_body_codec.h"

#include <algorithm>

#include "domain/events/event_body_sample.h"

namespace recur {
namespace {

// The first event of each type among `events` that `sampled` lacks.
std::vector<const StoredEvent*> FirstOfEachTypeNotIn(const std::vector<std::string>& sampled,
                                                     const std::vector<StoredEvent>& events) {
  std::vector<const StoredEvent*> first;
  for (const StoredEvent& event : events) {
    auto is_type = [&](const std::string& type) { return type == event.type; };
    auto is_event_of_type = [&](const StoredEvent* other) { return other->type == event.type; };
    if (std::none_of(sampled.begin(), sampled.end(), is_type) &&
        std::none_of(first.begin(), first.end(), is_event_of_type)) {
      first.push_back(&event);
    }
  }
  return first;
}

}  // namespace

Result<std::unique_ptr<EventBodyCodec>> EventBodyCodec::Load(EventBodyDictionaries& dictionaries) {
  std::unique_ptr<EventBodyCodec> codec(new EventBodyCodec(dictionaries));
  auto stored = dictionaries.Newest();
  if (!stored) return std::unexpected(stored.error());
  auto newest = std::make_shared<Dictionary>();
  if (*stored) {
    newest->id = (*stored)->id;
    newest->event_types = std::move((*stored)->event_types);
    newest->zstd = std::make_shared<ZstdDictionary>(std::move((*stored)->content));
    codec->by_id_[newest->id] = newest->zstd;
  }
  codec->newest_ = std::move(newest);
  return codec;
}

std::shared_ptr<const EventBodyCodec::Dictionary> EventBodyCodec::Newest() {
  std::lock_guard lock(mutex_);
  return newest_;
}

Result<std::vector<EventBodyCodec::Encoded>> EventBodyCodec::Encode(
    const std::vector<StoredEvent>& events) {
  std::shared_ptr<const Dictionary> dictionary = Newest();
  if (!FirstOfEachTypeNotIn(dictionary->event_types, events).empty()) {
    auto made = NewestWithTypesOf(events);
    if (!made) return std::unexpected(made.error());
    dictionary = std::move(*made);
  }
  std::vector<Encoded> encoded;
  encoded.reserve(events.size());
  for (const StoredEvent& event : events) {
    encoded.push_back({dictionary->zstd->Compress(event.body), dictionary->id});
  }
  return encoded;
}

Result<std::shared_ptr<const EventBodyCodec::Dictionary>> EventBodyCodec::NewestWithTypesOf(
    const std::vector<StoredEvent>& events) {
  std::lock_guard making(making_mutex_);
  const std::shared_ptr<const Dictionary> newest = Newest();
  const std::vector<const StoredEvent*> unsampled =
      FirstOfEachTypeNotIn(newest->event_types, events);
  if (unsampled.empty()) return newest;  // made by another thread meanwhile

  auto made = std::make_shared<Dictionary>();
  made->event_types = newest->event_types;
  std::string content = newest->zstd ? newest->zstd->content() : "";
  for (const StoredEvent* event : unsampled) {
    made->event_types.push_back(event->type);
    content += EventBodySample(event->body);
  }
  auto id = dictionaries_.Add(made->event_types, content);
  if (!id) return std::unexpected(id.error());
  made->id = *id;
  made->zstd = std::make_shared<ZstdDictionary>(std::move(content));

  std::lock_guard lock(mutex_);
  by_id_[made->id] = made->zstd;
  newest_ = made;
  return std::shared_ptr<const Dictionary>(std::move(made));
}

Result<std::shared_ptr<const ZstdDictionary>> EventBodyCodec::ById(
    std::int64_t id, const ContentReader& read_content) {
  {
    std::lock_guard lock(mutex_);
    if (auto found = by_id_.find(id); found != by_id_.end()) return found->second;
  }
  auto content = read_content(id);
  if (!content) return std::unexpected(content.error());
  auto read = std::make_shared<const ZstdDictionary>(std::move(*content));
  std::lock_guard lock(mutex_);
  return by_id_.emplace(id, std::move(read)).first->second;
}

Result<std::string> EventBodyCodec::Decode(std::string_view frame, std::int64_t dictionary_id,
                                           const ContentReader& read_content) {
  auto dictionary = ById(dictionary_id, read_content);
  if (!dictionary) return std::unexpected(dictionary.error());
  auto text = (*dictionary)->Decompress(frame);
  if (!text) {
    return MakeError(ErrorKind::kInternal, "event_body_unreadable",
                     "an event body made with dictionary " + std::to_string(dictionary_id) + ": " +
                         text.error().message);
  }
  return text;
}

}  // namespace recur
