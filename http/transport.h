// The transport under the API's server: libmicrohttpd, event-driven (epoll on a few polling
// threads), with the limits a server facing untrusted clients needs. HttpServerOptions holds
// every limit; StartTransport starts a daemon with them on a listening socket that
// OpenListeningSocket made. HttpServer (http_server.h) runs on it, and so do the benchmark's
// bare ceiling servers, so that both measure the same settings.
// The daemon owns its threads; the caller owns the socket until StartTransport succeeds.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include <microhttpd.h>

#include "base/error.h"
#include "domain/webhooks/url_policy.h"

namespace recur {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                       // 0: any free port (Bind() says which)
  std::size_t max_body_bytes = 1 << 20;  // larger request bodies get 413, in every framing
  // The whole head of a request must arrive within this time of the connection's opening (or
  // of the previous answer on a kept-alive connection), and its whole body within
  // `body_deadline` of its head, however slowly the bytes come; else the connection is closed.
  std::chrono::milliseconds header_deadline{10'000};
  std::chrono::milliseconds body_deadline{30'000};
  // A connection on which nothing arrives or leaves for this long is closed (whole seconds).
  std::chrono::seconds idle_timeout{5};
  // Connections held at once; further ones are accepted and closed at once. Capped by the
  // process's open-file limit, whose soft value is raised to the hard one at Bind().
  std::size_t max_connections = 16'000;
  // Connections held at once from one client address; 0 is no limit. Behind a reverse proxy
  // every connection comes from the proxy's address, so leave it 0 there and limit at the proxy.
  std::size_t max_connections_per_address = 0;
  // Memory for one connection's request head and buffers; a longer head is refused.
  std::size_t connection_memory_bytes = 64 << 10;
  // Threads that read and write sockets and answer reads; threads that run the handlers of
  // requests that may wait on the database (POST, PATCH, PUT, DELETE), so that a slow write
  // never holds up the other connections.
  std::size_t polling_threads = 2;
  std::size_t worker_threads = 32;
  // Load shedding: writes handed to the workers and not yet answered, waiting for a worker or
  // for the database; a write that finds this many is answered 503 overloaded with Retry-After
  // at once, while reads go on being answered. 0: no bound.
  std::size_t max_pending_writes = 0;
  // The web origins whose pages may call the API from a browser (cors.h), each as
  // ParseAllowedOrigin gives it; none: no CORS headers at all.
  std::vector<std::string> allowed_origins;
  bool access_log = true;
  // Requests counted by route and status, and timed, for /metrics (http_metrics.h).
  bool metrics = true;
  // Reverse proxies whose X-Forwarded-For names the client (client_address.h); none: every
  // request's client is its connection's peer.
  std::vector<Cidr> trusted_proxies;
};

// A listening TCP socket on `host`:`port` (0: any free port) with a full backlog. Without
// SO_REUSEPORT, so an address another process listens on is refused. Returns the descriptor.
Result<int> OpenListeningSocket(const std::string& host, int port);
// The port a socket is bound to.
int BoundPort(int socket);

// Raises this process's soft limit of open files to its hard limit; returns the limit then in
// force.
std::size_t RaiseOpenFileLimit();

// Starts a daemon serving `listen_socket` with the limits of `options`, calling `handler` with
// `handler_context` for each request; `extra` options (such as notification callbacks) are
// added. Returns nullptr when the library refuses to start.
MHD_Daemon* StartTransport(const HttpServerOptions& options, int listen_socket,
                           MHD_AccessHandlerCallback handler, void* handler_context,
                           std::vector<MHD_OptionItem> extra = {});

}  // namespace recur
