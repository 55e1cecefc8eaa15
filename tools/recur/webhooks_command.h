// recur webhooks: signs Standard Webhooks deliveries and receives them locally.
//   recur webhooks sign --secret whsec_... --id MSG_ID --timestamp UNIX_SECONDS < body
//       prints the webhook-signature header value for the body read from stdin
//   recur webhooks listen --port P --secret whsec_... [--host 127.0.0.1] [--tolerance SECONDS]
//       a local receiver (like `stripe listen`) that verifies each POST and prints one line per
//       delivery; stops on SIGINT or SIGTERM
// Returns the process exit status: 0 success, 1 failure, 2 bad usage.
#pragma once

#include <span>
#include <string>

namespace recur {

int RunWebhooks(std::span<const std::string> args);

}  // namespace recur
