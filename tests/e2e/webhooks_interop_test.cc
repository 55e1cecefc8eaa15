// `recur webhooks sign` checked by the verifiers webhook consumers really use: the npm packages
// svix and standardwebhooks (tools/test.sh installs them into RECUR_NODE_MODULES).
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/recur_process.h"

namespace recur::testing::webhooks_interop_test {
namespace {

using nlohmann::json;

class WebhooksInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* modules = std::getenv("RECUR_NODE_MODULES");
    if (modules == nullptr || *modules == '\0') {
      GTEST_SKIP() << "needs RECUR_NODE_MODULES with svix and standardwebhooks (tools/test.sh)";
    }
  }

  // Signs `body` with recur, then asks both npm verifiers.
  CommandResult SignAndVerify(const std::string& secret, const std::string& body, bool tamper) {
    const std::string id = "msg_2Xx7interop";
    const std::string timestamp = std::to_string(std::time(nullptr));
    WriteFile(dir_ / "body", body);
    CommandResult signed_run =
        RunRecur({"webhooks", "sign", "--secret", secret, "--id", id, "--timestamp", timestamp},
                 ".", {}, dir_ / "body");
    EXPECT_EQ(signed_run.exit_code, 0) << signed_run.err;
    std::string signature = signed_run.out.substr(0, signed_run.out.find('\n'));
    const json input = {{"secret", secret},
                        {"headers",
                         {{"webhook-id", id},
                          {"webhook-timestamp", timestamp},
                          {"webhook-signature", signature},
                          {"svix-id", id},
                          {"svix-timestamp", timestamp},
                          {"svix-signature", signature}}},
                        {"body", tamper ? body + " " : body}};
    WriteFile(dir_ / "input.json", input.dump());
    return RunCommand({"node", std::string(RECUR_SOURCE_DIR) + "/tests/interop/verify_webhook.mjs"},
                      dir_ / "input.json");
  }

  TempDir dir_;
};

TEST_F(WebhooksInterop, SvixAndStandardWebhooksAcceptOurSignatures) {
  const std::string body =
      R"({"data":{"id":"csub_item_1"},"object":"event","type":"subscriptionItem.active"})";
  CommandResult verified =
      SignAndVerify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", body, /*tamper=*/false);
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_EQ(json::parse(verified.out), json::parse(body));
}

TEST_F(WebhooksInterop, TheyRejectATamperedBody) {
  CommandResult rejected = SignAndVerify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", R"({"a":1})",
                                         /*tamper=*/true);
  EXPECT_EQ(rejected.exit_code, 1);
  EXPECT_THAT(rejected.err, ::testing::HasSubstr("verify_webhook"));
}

}  // namespace
}  // namespace recur::testing::webhooks_interop_test
