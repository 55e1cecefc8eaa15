#include "http/listen_backlog.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace recur {

void RaiseListenBacklog(int port) {
  for (int fd = 0; fd < 4096; ++fd) {
    int accepting = 0;
    socklen_t length = sizeof accepting;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) != 0 || !accepting) {
      continue;
    }
    sockaddr_storage address{};
    socklen_t address_length = sizeof address;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &address_length) != 0) continue;
    const int bound_port = address.ss_family == AF_INET
                               ? ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port)
                               : ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
    if (bound_port == port) ::listen(fd, SOMAXCONN);
  }
}

}  // namespace recur
