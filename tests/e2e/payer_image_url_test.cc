// A payer's image_url through the real `recur serve`: given at POST /v1/payers (an https URL,
// checked), answered by GET /v1/payers/{id}, and sent as payer.image_url in the payer's webhook
// payloads; "" when none was given. A refused one creates nothing.
#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::payer_image_url_test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr const char* kImage = "https://img.example.com/u/ada.png?size=64";

json NewPayerBody(const std::string& external_id) {
  return {{"external_id", external_id},
          {"type", "user"},
          {"email", external_id + "@example.com"},
          {"name", "Ada Lovelace"}};
}

class PayerImageUrlTest : public ServeTest {};

TEST_F(PayerImageUrlTest, AnImageUrlGivenIsAnsweredAndSentInThePayersEvents) {
  Serve();
  json body = NewPayerBody("user_1");
  body["image_url"] = kImage;
  Answer made = Call("POST", "/v1/payers", body);
  ASSERT_EQ(made.status, 200) << made.body;
  EXPECT_EQ(made.body["image_url"], kImage);
  const std::string payer = made.body["id"];
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer).body["image_url"], kImage);
  const std::vector<json> events = Events(payer);
  ASSERT_THAT(events, Not(IsEmpty()));
  for (const json& event : events) {
    const json& data = event["data"];
    const json& payer_json = data.contains("payer") ? data["payer"] : data["subscription"]["payer"];
    EXPECT_EQ(payer_json["image_url"], kImage) << event["type"];
  }
}

TEST_F(PayerImageUrlTest, NoImageUrlIsAnEmptyString) {
  Serve();
  Answer made = Call("POST", "/v1/payers", NewPayerBody("user_1"));
  ASSERT_EQ(made.status, 200) << made.body;
  EXPECT_EQ(made.body["image_url"], "");
  const std::string payer = made.body["id"];
  for (const json& event : Events(payer)) {
    if (event["data"].contains("payer")) {
      EXPECT_EQ(event["data"]["payer"]["image_url"], "");
    }
  }
}

TEST_F(PayerImageUrlTest, AnImageUrlThatIsNotHttpsIsRefusedClearlyAndMakesNoPayer) {
  Serve();
  const std::string too_long = "https://img.example.com/" + std::string(2048, 'a');
  for (const std::string& refused :
       {std::string("http://img.example.com/a.png"), std::string("img.example.com/a.png"),
        std::string("javascript:alert(1)"), std::string("https://"), too_long}) {
    json body = NewPayerBody("user_1");
    body["image_url"] = refused;
    Answer answer = Call("POST", "/v1/payers", body);
    EXPECT_EQ(answer.status, 400) << refused;
    EXPECT_EQ(answer.body["error"]["code"], "invalid_parameter") << refused;
    EXPECT_EQ(answer.body["error"]["param"], "image_url") << refused;
    EXPECT_THAT(answer.body["error"]["message"].get<std::string>(), HasSubstr("image_url"))
        << refused;
  }
  EXPECT_EQ(StoredNumber("SELECT count(*) FROM payers"), 0);
}

}  // namespace
}  // namespace recur::testing::payer_image_url_test
