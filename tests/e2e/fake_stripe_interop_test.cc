// The fake Stripe's fidelity: Stripe's own npm client (installed into RECUR_NODE_MODULES by
// tools/test.sh) makes the calls Recur's Stripe gateway makes against the fake, and accepts
// every answer (tests/interop/drive_fake_stripe.mjs says what it checks).
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/recur_process.h"
#include "tests/support/fake_stripe.h"

namespace recur::testing::fake_stripe_interop_test {
namespace {

TEST(FakeStripeInterop, StripesNpmClientAcceptsTheFakesAnswers) {
  const char* modules = std::getenv("RECUR_NODE_MODULES");
  if (modules == nullptr || *modules == '\0' ||
      !std::filesystem::exists(std::filesystem::path(modules) / "stripe")) {
    GTEST_SKIP() << "needs RECUR_NODE_MODULES with the stripe package (tools/test.sh)";
  }
  FakeStripe fake;
  CommandResult run =
      RunCommand({"node", std::string(RECUR_SOURCE_DIR) + "/tests/interop/drive_fake_stripe.mjs"},
                 "", ".", {{"FAKE_STRIPE_PORT", std::to_string(fake.port())}});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(nlohmann::json::parse(run.out)["checks"].get<int>(), 43);  // every check ran
  // One paid, one declined, one needing action, one declined for want of funds.
  EXPECT_EQ(fake.PaymentIntents().size(), 4u);
}

}  // namespace
}  // namespace recur::testing::fake_stripe_interop_test
