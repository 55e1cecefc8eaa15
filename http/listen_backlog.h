// Debian's cpp-httplib 0.11 is compiled with a listen backlog of 5: a burst of connections
// beyond that is dropped or reset by the kernel. RaiseListenBacklog finds the listening socket
// bound to `port` in this process and gives it a full backlog (SOMAXCONN); listen() on a
// listening socket only sets a new backlog. Call it after binding, before serving.
#pragma once

namespace recur {

void RaiseListenBacklog(int port);

}  // namespace recur
