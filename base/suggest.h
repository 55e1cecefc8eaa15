// "Did you mean ...?" for misspelt keys and values: the candidate closest to a word by
// edit distance (insertions, deletions, substitutions and swaps of adjacent letters), if it is
// close enough to be a plausible typo. Pure.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace recur {

// Edit distance counting an adjacent transposition ("trail" / "trial") as one edit.
std::size_t EditDistance(std::string_view a, std::string_view b);

// The closest candidate within a third of the word's length (at least 1, at most 3 edits),
// or nothing when no candidate is that close. Ties go to the earlier candidate.
std::optional<std::string_view> ClosestMatch(std::string_view word,
                                             std::span<const std::string_view> candidates);

// "; did you mean <closest>?" to end a message about `word`, or "" when no candidate is close.
std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace recur
