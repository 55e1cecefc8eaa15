#include "store/payer_search.h"

namespace recur {
namespace {

// The length of the UTF-8 sequence that starts with `lead`; 1 for a byte that starts none.
std::size_t SequenceLength(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

std::string Utf8(char32_t code_point) {
  std::string text;
  if (code_point < 0x80) {
    text += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    text += static_cast<char>(0xC0 | (code_point >> 6));
    text += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    text += static_cast<char>(0xE0 | (code_point >> 12));
    text += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    text += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    text += static_cast<char>(0xF0 | (code_point >> 18));
    text += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    text += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    text += static_cast<char>(0x80 | (code_point & 0x3F));
  }
  return text;
}

char32_t Decoded(std::string_view sequence) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(sequence[i]); };
  switch (sequence.size()) {
    case 1:
      return byte(0);
    case 2:
      return ((byte(0) & 0x1F) << 6) | (byte(1) & 0x3F);
    case 3:
      return ((byte(0) & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
    default:
      return ((byte(0) & 0x07) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) |
             (byte(3) & 0x3F);
  }
}

}  // namespace

std::string AsciiLowercase(std::string_view text) {
  std::string lowered(text);
  for (char& c : lowered) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lowered;
}

bool PayerMatchesQuery(const Payer& payer, std::string_view query) {
  return payer.id == query || payer.external_id.starts_with(query) ||
         AsciiLowercase(payer.email).starts_with(AsciiLowercase(query));
}

PrefixRange PrefixRangeOf(std::string_view prefix) {
  PrefixRange range{std::string(prefix), std::nullopt};
  // The successor of the prefix: its last character made the next one up, after dropping
  // trailing characters that have none. UTF-8 orders byte by byte as its code points do.
  std::string_view rest = prefix;
  while (!rest.empty()) {
    std::size_t start = rest.size() - 1;
    while (start > 0 && (static_cast<unsigned char>(rest[start]) & 0xC0) == 0x80) --start;
    const std::string_view last = rest.substr(start);
    if (SequenceLength(static_cast<unsigned char>(last[0])) != last.size()) {
      // Not UTF-8: the next byte value up, which orders after every string with the prefix.
      if (static_cast<unsigned char>(rest.back()) != 0xFF) {
        range.to = std::string(rest.substr(0, rest.size() - 1)) +
                   static_cast<char>(static_cast<unsigned char>(rest.back()) + 1);
        return range;
      }
      rest.remove_suffix(1);
      continue;
    }
    char32_t next = Decoded(last) + 1;
    if (next == 0xD800) next = 0xE000;  // past the surrogates, which UTF-8 never holds
    if (next <= 0x10FFFF) {
      range.to = std::string(rest.substr(0, start)) + Utf8(next);
      return range;
    }
    rest = rest.substr(0, start);
  }
  return range;
}

}  // namespace recur
