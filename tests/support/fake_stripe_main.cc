// fake-stripe: the fake Stripe API of tests/support/fake_stripe.h on its own, for tests in other
// languages (Stripe's npm client drives it in tests/e2e/fake_stripe_interop_test.cc).
//
//   fake-stripe [--port N]     listens on 127.0.0.1:N (0 or none: a free port), prints
//                              "listening on PORT" on a line of its own, and runs until SIGTERM
//                              or SIGINT.
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

#include "tests/support/fake_stripe.h"

int main(int argc, char** argv) {
  int port = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--port" && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else {
      std::cerr << "usage: fake-stripe [--port N]\n";
      return 2;
    }
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // the server's threads inherit the mask
  recur::testing::FakeStripe fake(port);
  std::cout << "listening on " << fake.port() << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  fake.Stop();
  return 0;
}
