// Compression of short texts with zstd against a dictionary: raw content that the frames it
// makes may refer back to, so that a text much like the content compresses to little. A frame
// holds the text's size and a checksum of it, and decompresses only with the very same content;
// a frame made with other content, or damaged, is an error, never other text.
// Immutable once made; Compress and Decompress are safe to call from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"

namespace recur {

class ZstdDictionary {
 public:
  explicit ZstdDictionary(std::string content);
  ~ZstdDictionary();
  ZstdDictionary(const ZstdDictionary&) = delete;
  ZstdDictionary& operator=(const ZstdDictionary&) = delete;

  const std::string& content() const { return content_; }

  std::string Compress(std::string_view text) const;
  // Refuses a frame that would decompress to more than `max_size` bytes.
  Result<std::string> Decompress(std::string_view frame,
                                 std::size_t max_size = std::size_t{64} << 20) const;

 private:
  struct Contexts;  // the zstd dictionaries and a pool of (de)compression contexts

  const std::string content_;
  std::unique_ptr<Contexts> contexts_;
};

}  // namespace recur
