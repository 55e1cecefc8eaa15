#include "http/transport.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace recur {

Result<int> OpenListeningSocket(const std::string& host, int port) {
  const auto refuse = [&](const std::string& why) {
    return MakeError(ErrorKind::kUnavailable, "bind_failed",
                     "cannot listen on " + host + ":" + std::to_string(port) + " (" + why + ")");
  };
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (getaddrinfo(host.c_str(), service.c_str(), &hints, &found) != 0 || found == nullptr) {
    return refuse("not an address of this machine");
  }
  std::string why = "address in use";
  int listening = -1;
  for (addrinfo* candidate = found; candidate != nullptr && listening < 0;
       candidate = candidate->ai_next) {
    const int fd = ::socket(candidate->ai_family, candidate->ai_socktype | SOCK_CLOEXEC,
                            candidate->ai_protocol);
    if (fd < 0) continue;
    // SO_REUSEADDR lets a restart bind while old connections linger in TIME_WAIT; on Linux it
    // never lets two sockets listen on one address (SO_REUSEPORT would, and is not set).
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd, candidate->ai_addr, candidate->ai_addrlen) == 0 &&
        ::listen(fd, SOMAXCONN) == 0) {
      listening = fd;
    } else {
      if (errno == EADDRNOTAVAIL) why = "not an address of this machine";
      ::close(fd);
    }
  }
  freeaddrinfo(found);
  if (listening < 0) return refuse(why);
  return listening;
}

int BoundPort(int socket) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length) != 0) return -1;
  return address.ss_family == AF_INET
             ? ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port)
             : ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
}

std::size_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? 1 << 20 : static_cast<std::size_t>(limit.rlim_cur);
}

MHD_Daemon* StartTransport(const HttpServerOptions& options, int listen_socket,
                           MHD_AccessHandlerCallback handler, void* handler_context,
                           std::vector<MHD_OptionItem> extra) {
  // Descriptors besides the connections' (the database, log files, webhook clients) keep a
  // reserve of the open-file limit.
  constexpr std::size_t kReservedFiles = 256;
  const std::size_t file_limit = RaiseOpenFileLimit();
  const std::size_t connections = std::clamp<std::size_t>(
      options.max_connections, 1,
      file_limit > 2 * kReservedFiles ? file_limit - kReservedFiles : kReservedFiles);
  std::vector<MHD_OptionItem> items = {
      {MHD_OPTION_LISTEN_SOCKET, listen_socket, nullptr},
      {MHD_OPTION_THREAD_POOL_SIZE,
       static_cast<intptr_t>(std::max<std::size_t>(options.polling_threads, 1)), nullptr},
      {MHD_OPTION_CONNECTION_LIMIT, static_cast<intptr_t>(connections), nullptr},
      {MHD_OPTION_PER_IP_CONNECTION_LIMIT,
       static_cast<intptr_t>(options.max_connections_per_address), nullptr},
      {MHD_OPTION_CONNECTION_TIMEOUT,
       static_cast<intptr_t>(std::max<std::int64_t>(options.idle_timeout.count(), 1)), nullptr},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<intptr_t>(options.connection_memory_bytes),
       nullptr},
      // HTTP/1.1 requests without Host, and spaces in the request target, are refused.
      {MHD_OPTION_STRICT_FOR_CLIENT, 1, nullptr},
  };
  items.insert(items.end(), extra.begin(), extra.end());
  items.push_back({MHD_OPTION_END, 0, nullptr});
  return MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_SUSPEND_RESUME, 0, nullptr,
                          nullptr, handler, handler_context, MHD_OPTION_ARRAY, items.data(),
                          MHD_OPTION_END);
}

}  // namespace recur
