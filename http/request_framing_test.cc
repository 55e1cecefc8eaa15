#include "http/request_framing.h"

#include <gtest/gtest.h>

namespace recur::request_framing_test {
namespace {

constexpr std::size_t kLimit = 1000;

HttpRequest Post(HttpHeaders headers) {
  HttpRequest request;
  request.method = "POST";
  request.path = "/v1/payers";
  request.headers = std::move(headers);
  return request;
}

// The refusal of the request's head, framing first, then its body; none when it passes.
std::optional<HeadRefusal> Refusal(const HttpRequest& request) {
  auto framing = CheckFraming(request);
  if (!framing) return framing.error();
  return RefuseBody(request, *framing, kLimit);
}

std::string RefusalCode(const HttpRequest& request) {
  auto refusal = Refusal(request);
  return refusal ? refusal->error.code : "";
}

int RefusalStatus(const HttpRequest& request) {
  auto refusal = Refusal(request);
  return refusal ? refusal->status : 0;
}

TEST(RequestFraming, ARequestWithoutLengthOrEncodingHasNoBody) {
  auto framing = CheckFraming(Post({}));
  ASSERT_TRUE(framing);
  EXPECT_FALSE(framing->HasBody());
}

TEST(RequestFraming, ReadsAPlainContentLength) {
  auto framing = CheckFraming(Post({{"Content-Length", "12"}}));
  ASSERT_TRUE(framing);
  EXPECT_EQ(framing->content_length, 12u);
  EXPECT_FALSE(framing->chunked);
}

TEST(RequestFraming, AcceptsChunkedInAnyCase) {
  auto framing = CheckFraming(Post({{"transfer-encoding", "Chunked"}}));
  ASSERT_TRUE(framing);
  EXPECT_TRUE(framing->chunked);
}

TEST(RequestFraming, RefusesContentLengthWithTransferEncoding) {
  EXPECT_EQ(RefusalCode(Post({{"Content-Length", "3"}, {"Transfer-Encoding", "chunked"}})),
            "malformed_request");
}

TEST(RequestFraming, RefusesContentLengthSentTwice) {
  EXPECT_EQ(RefusalCode(Post({{"Content-Length", "3"}, {"content-length", "3"}})),
            "malformed_request");
}

TEST(RequestFraming, RefusesContentLengthThatIsNotPlainDigits) {
  for (const char* length : {"0abc", "+0", "-1", "", "1 2", "0x10", "99999999999999999999"}) {
    EXPECT_EQ(RefusalCode(Post({{"Content-Length", length}})), "malformed_request") << length;
  }
}

TEST(RequestFraming, RefusesTransferEncodingsOtherThanChunked) {
  for (const char* encoding : {"gzip", "gzip, chunked", "identity", "chunked, chunked"}) {
    EXPECT_EQ(RefusalCode(Post({{"Transfer-Encoding", encoding}})), "malformed_request")
        << encoding;
  }
}

TEST(RequestFraming, RefusesAnEncodedBodyWith415) {
  HttpRequest request = Post({{"Content-Length", "3"}, {"Content-Encoding", "gzip"}});
  EXPECT_EQ(RefusalCode(request), "unsupported_content_encoding");
  EXPECT_EQ(RefusalStatus(request), 415);
}

TEST(RequestFraming, AcceptsTheIdentityContentEncoding) {
  EXPECT_EQ(RefusalCode(Post({{"Content-Length", "3"}, {"Content-Encoding", "identity"}})), "");
}

TEST(RequestFraming, RefusesAnAnnouncedLengthPastTheLimitWith413) {
  HttpRequest request = Post({{"Content-Length", "1001"}});
  EXPECT_EQ(RefusalCode(request), "body_too_large");
  EXPECT_EQ(RefusalStatus(request), 413);
  EXPECT_EQ(RefusalCode(Post({{"Content-Length", "1000"}})), "");
}

TEST(RequestFraming, RefusesAPathOrQueryThatIsNotUtf8) {
  HttpRequest request = Post({});
  request.path = "/v1/payers/\xff";
  EXPECT_EQ(RefusalCode(request), "invalid_path");
  request.path = "/v1/payers";
  request.params.emplace("payer_id", "\xc3");
  EXPECT_EQ(RefusalCode(request), "invalid_parameter");
}

TEST(RequestFraming, TellsUtf8FromOtherBytes) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // cut short
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

}  // namespace
}  // namespace recur::request_framing_test
