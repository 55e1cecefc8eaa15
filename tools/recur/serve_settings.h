// What `recur serve` is asked to do, read from its flags and the environment: where the database,
// the plan files and the listening address are, the lifecycle options, and how webhooks are
// delivered, and which reverse proxies are trusted. The message of a refused setting names the
// flag that set it, except for an entry of the webhook allow-list, whose message quotes the entry.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "domain/subscriptions/lifecycle.h"
#include "domain/webhooks/url_policy.h"
#include "services/webhooks/dispatcher.h"
#include "tools/recur/flags.h"

namespace recur {

inline constexpr std::array<std::string_view, 8> kServeFlags = {"db",
                                                                "plans",
                                                                "addr",
                                                                "dunning-retries",
                                                                "past-due-access",
                                                                "webhook-retry-schedule",
                                                                "webhook-disable-after",
                                                                "webhook-ca-file"};

inline constexpr std::array<std::string_view, 2> kRepeatableServeFlags = {"webhook-allow-cidr",
                                                                          "trusted-proxy"};

// How an operator of recur serve adds an entry to the webhook address allow-list; refusals of a
// webhook address (over HTTP, and in the attempt log) name it.
inline constexpr std::string_view kAllowFlag = "--webhook-allow-cidr";

struct ServeSettings {
  std::string db_path;     // --db
  std::string plans_path;  // --plans
  std::string host;        // --addr
  int port = 0;
  LifecycleOptions lifecycle;  // --dunning-retries, --past-due-access
  // --webhook-*; its `allow` (--webhook-allow-cidr, RECUR_WEBHOOK_ALLOW_CIDRS) is the allow-list
  // of webhook endpoints' URLs too.
  DispatcherOptions dispatcher;
  // --trusted-proxy, RECUR_TRUSTED_PROXIES: reverse proxies whose X-Forwarded-For names the
  // client (http/client_address.h).
  std::vector<Cidr> trusted_proxies;
};

// The settings from parsed flags; the first refused setting's error otherwise, checked in the
// order the fields above are listed.
Result<ServeSettings> ReadServeSettings(const ParsedFlags& flags);

}  // namespace recur
