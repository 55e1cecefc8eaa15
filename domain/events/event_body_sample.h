// A sample of an event body for a compression dictionary (base/zstd_dictionary.h): the body
// with every string inside its `payer`, `payment_source` and `event_attributes` objects made
// empty, wherever they are nested. A dictionary outlives the events it was sampled from, so it
// must hold no person's or card's details; what stays is the shape of the envelope and the
// catalog's plans, which is what events have in common. A body that is not JSON gives "".
// Pure.
#pragma once

#include <string>
#include <string_view>

namespace recur {

std::string EventBodySample(std::string_view body);

}  // namespace recur
