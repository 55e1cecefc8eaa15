#include "domain/events/event_body_sample.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace recur::event_body_sample_test {
namespace {

TEST(EventBodySampleTest, EmptiesTheStringsOfPayersCardsAndRequestsAndKeepsTheRest) {
  const std::string body = R"({
    "data": {
      "id": "cpay_1", "status": "paid", "amount": {"amount": 2000, "currency": "USD"},
      "payer": {"email": "ada@example.com", "first_name": "Ada", "created_at": 17,
                "image_url": null, "nested": {"user_id": "user_42"}},
      "payment_source": {"last4": "4242", "card_type": "visa", "expiration_month": 12},
      "subscription_items": [
        {"plan": {"name": "Pro", "features": [{"slug": "seats"}]},
         "payer": {"email": "ada@example.com"}}
      ]
    },
    "event_attributes": {"http_request": {"client_ip": "10.1.2.3", "user_agent": "curl/8"}},
    "type": "paymentAttempt.updated"
  })";
  const nlohmann::json expected = nlohmann::json::parse(R"({
    "data": {
      "id": "cpay_1", "status": "paid", "amount": {"amount": 2000, "currency": "USD"},
      "payer": {"email": "", "first_name": "", "created_at": 17,
                "image_url": null, "nested": {"user_id": ""}},
      "payment_source": {"last4": "", "card_type": "", "expiration_month": 12},
      "subscription_items": [
        {"plan": {"name": "Pro", "features": [{"slug": "seats"}]},
         "payer": {"email": ""}}
      ]
    },
    "event_attributes": {"http_request": {"client_ip": "", "user_agent": ""}},
    "type": "paymentAttempt.updated"
  })");
  const std::string sample = EventBodySample(body);
  EXPECT_EQ(sample, expected.dump());
  for (const char* detail : {"ada@", "Ada", "user_42", "4242", "visa", "10.1.2.3", "curl"}) {
    EXPECT_EQ(sample.find(detail), std::string::npos) << detail;
  }
}

TEST(EventBodySampleTest, ABodyThatIsNotJsonGivesNothing) {
  EXPECT_EQ(EventBodySample("not json {"), "");
  EXPECT_EQ(EventBodySample(""), "");
}

}  // namespace
}  // namespace recur::event_body_sample_test
