#include "domain/entitlements/signing_key.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace recur::signing_key_test {
namespace {

using nlohmann::json;

// The test's own base64url (RFC 4648 section 5, no padding), independent of the code under test.
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Encode(std::string_view bytes) {
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (unsigned char b : bytes) {
    bits = (bits << 8) | b;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(kAlphabet[(bits >> count) & 63]);
    }
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 63]);
  return out;
}

std::optional<std::string> Decode(std::string_view text) {
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const std::size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return out;
}

std::vector<std::string> Parts(const std::string& token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t dot; (dot = token.find('.', start)) != std::string::npos; start = dot + 1) {
    parts.push_back(token.substr(start, dot - start));
  }
  parts.push_back(token.substr(start));
  return parts;
}

std::string Sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr), 1);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

// Signs arbitrary header and payload text with the key, straight through OpenSSL, to build
// tokens that SignJwt would never make but whose signature is valid.
std::string SignRaw(const SigningKey& key, std::string_view header, std::string_view payload) {
  const std::string pem = key.PrivatePem();
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  const std::string input = Encode(header) + "." + Encode(payload);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t size = 0;
  EXPECT_EQ(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, pkey), 1);
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  EXPECT_EQ(EVP_DigestSign(ctx, nullptr, &size, data, input.size()), 1);
  std::vector<unsigned char> der(size);
  EXPECT_EQ(EVP_DigestSign(ctx, der.data(), &size, data, input.size()), 1);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  const unsigned char* p = der.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(size));
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  unsigned char raw[64];
  BN_bn2binpad(r, raw, 32);
  BN_bn2binpad(s, raw + 32, 32);
  ECDSA_SIG_free(sig);
  return input + "." + Encode(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
}

SigningKey NewKey() {
  Result<SigningKey> key = SigningKey::Generate();
  EXPECT_TRUE(key.has_value()) << key.error().message;
  return *std::move(key);
}

json SampleClaims() {
  return {{"iss", "recur"},
          {"sub", "cpayer_2x8Zb3kq9WmYcVdR1nTfPq7LsAe"},
          {"iat", 1767225600},
          {"exp", 1767229200},
          {"features", {"sso", "audit_log"}},
          {"limits", {{"seats", 25}}},
          {"note", "caf\u00e9 \u2713"}};
}

void ExpectInvalidToken(const Result<json>& result, std::string_view what) {
  ASSERT_FALSE(result.has_value()) << what << " was accepted";
  EXPECT_EQ(result.error().code, "invalid_token") << what;
  EXPECT_EQ(result.error().kind, ErrorKind::kUnauthenticated) << what;
}

// A P-256 key made with `openssl genpkey`, and what jose 6.2.18 (an independent JOSE
// implementation) computes for it: the public JWK, its RFC 7638 thumbprint, and a token it
// signed with {"alg":"ES256","typ":"JWT","kid":thumbprint}.
constexpr std::string_view kKnownPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGxFlbu4PUzhh3tWs\n"
    "bAvJhlqqyly61N8LbfFv42xOYt2hRANCAATCqO7MEUAazoDk7wBleRMMK8PosUYc\n"
    "1/pNlLltBJ8viaYqynmveHFsb27dvurI/mqs7c5+QA8EKjuR7sDYVpCn\n"
    "-----END PRIVATE KEY-----\n";
constexpr std::string_view kKnownX = "wqjuzBFAGs6A5O8AZXkTDCvD6LFGHNf6TZS5bQSfL4k";
constexpr std::string_view kKnownY = "pirKea94cWxvbt2-6sj-aqztzn5ADwQqO5HuwNhWkKc";
constexpr std::string_view kKnownKid = "pIbEcDjkEfK_WA2fKL6l05r3EjIQw81NOHJ6GoqRfAQ";
constexpr std::string_view kJoseToken =
    "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InBJYkVjRGprRWZLX1dBMmZLTDZsMDVyM0VqSVF3ODFOT0"
    "hKNkdvcVJmQVEifQ.eyJzdWIiOiJjcGF5ZXJfdGVzdCIsImZlYXR1cmVzIjpbInNzbyIsImF1ZGl0X2xvZyJdLCJuIj"
    "o0Mn0.HPqhHKNPYC-n9DCAWrGOH44NWTeKVdmQn0ZS7TGGgq0RDvdDfElGDn9ZYsQZMo_0athqjM1Ya2XaaWBV7FA-wA";
// The same key in SEC1 form without the optional public key, which OpenSSL must derive.
constexpr std::string_view kKnownSec1NoPublic =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MDECAQEEIBsRZW7uD1M4Yd7VrGwLyYZaqspcutTfC23xb+NsTmLdoAoGCCqGSM49\n"
    "AwEH\n"
    "-----END EC PRIVATE KEY-----\n";

TEST(SigningKey, SignThenVerifyReturnsTheClaims) {
  const SigningKey key = NewKey();
  const json claims = SampleClaims();
  Result<json> verified = VerifyJwt(key.SignJwt(claims), key);
  ASSERT_TRUE(verified.has_value()) << verified.error().message;
  EXPECT_EQ(*verified, claims);
}

TEST(SigningKey, TokenHasThreeBase64UrlPartsWithoutPadding) {
  const std::string token = NewKey().SignJwt(SampleClaims());
  const std::vector<std::string> parts = Parts(token);
  ASSERT_EQ(parts.size(), 3u) << token;
  for (const std::string& part : parts) {
    EXPECT_FALSE(part.empty());
    EXPECT_EQ(part.find_first_not_of(kAlphabet), std::string::npos) << part;
  }
  EXPECT_EQ(Decode(parts[1]), SampleClaims().dump());
}

TEST(SigningKey, HeaderIsExactlyAlgTypKid) {
  const SigningKey key = NewKey();
  const std::vector<std::string> parts = Parts(key.SignJwt(SampleClaims()));
  std::optional<std::string> header = Decode(parts[0]);
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(json::parse(*header), (json{{"alg", "ES256"}, {"typ", "JWT"}, {"kid", key.kid()}}));
}

TEST(SigningKey, SignatureIsRaw64Bytes) {
  const SigningKey key = NewKey();
  for (int i = 0; i < 256; ++i) {  // R or S with leading zero bytes must still be 32 bytes each
    const std::vector<std::string> parts = Parts(key.SignJwt({{"i", i}}));
    std::optional<std::string> signature = Decode(parts[2]);
    ASSERT_TRUE(signature.has_value());
    EXPECT_EQ(signature->size(), 64u);
    EXPECT_EQ(parts[2].size(), 86u);
  }
}

TEST(SigningKey, FlippedPayloadByteFails) {
  const SigningKey key = NewKey();
  const std::vector<std::string> parts = Parts(key.SignJwt(SampleClaims()));
  std::string payload = *Decode(parts[1]);
  for (std::size_t i : {std::size_t{0}, payload.size() / 2, payload.size() - 1}) {
    std::string flipped = payload;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    ExpectInvalidToken(VerifyJwt(parts[0] + "." + Encode(flipped) + "." + parts[2], key),
                       "payload byte " + std::to_string(i) + " flipped");
  }
}

TEST(SigningKey, FlippedSignatureByteFails) {
  const SigningKey key = NewKey();
  const std::vector<std::string> parts = Parts(key.SignJwt(SampleClaims()));
  const std::string signature = *Decode(parts[2]);
  for (std::size_t i : {0, 1, 31, 32, 33, 63}) {
    std::string flipped = signature;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x80);
    ExpectInvalidToken(VerifyJwt(parts[0] + "." + parts[1] + "." + Encode(flipped), key),
                       "signature byte " + std::to_string(i) + " flipped");
  }
}

// Includes the last character of each part, whose low bits carry no data: VerifyJwt accepts
// only the canonical encoding, so even those changes are rejected.
TEST(SigningKey, AnyChangedCharacterFails) {
  const SigningKey key = NewKey();
  const std::string token = key.SignJwt({{"sub", "cpayer_1"}});
  ASSERT_TRUE(VerifyJwt(token, key).has_value());
  for (std::size_t i = 0; i < token.size(); ++i) {
    for (char replacement : {'A', 'B', 'w'}) {
      if (token[i] == replacement) continue;
      std::string changed = token;
      changed[i] = replacement;
      ExpectInvalidToken(VerifyJwt(changed, key), "character " + std::to_string(i) + " changed");
    }
  }
}

TEST(SigningKey, WrongKeyFails) {
  const SigningKey key = NewKey();
  const SigningKey other = NewKey();
  ASSERT_NE(key.kid(), other.kid());
  ExpectInvalidToken(VerifyJwt(key.SignJwt(SampleClaims()), other), "token from another key");
}

TEST(SigningKey, PemRoundTripKeepsKidAndVerifiesTokens) {
  const SigningKey key = NewKey();
  const std::string pem = key.PrivatePem();
  EXPECT_TRUE(pem.starts_with("-----BEGIN PRIVATE KEY-----\n")) << pem;
  EXPECT_TRUE(pem.ends_with("-----END PRIVATE KEY-----\n")) << pem;
  Result<SigningKey> loaded = SigningKey::FromPrivatePem(pem);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_EQ(loaded->kid(), key.kid());
  EXPECT_EQ(loaded->PublicJwk(), key.PublicJwk());
  EXPECT_EQ(loaded->PrivatePem(), pem);
  const json claims = SampleClaims();
  EXPECT_EQ(VerifyJwt(key.SignJwt(claims), *loaded), claims);
  EXPECT_EQ(VerifyJwt(loaded->SignJwt(claims), key), claims);
}

TEST(SigningKey, KidIsTheRfc7638Thumbprint) {
  const SigningKey key = NewKey();
  const json jwk = key.PublicJwk();
  const std::string canonical = R"({"crv":"P-256","kty":"EC","x":")" + jwk["x"].get<std::string>() +
                                R"(","y":")" + jwk["y"].get<std::string>() + R"("})";
  EXPECT_EQ(key.kid(), Encode(Sha256(canonical)));
  EXPECT_EQ(key.kid().size(), 43u);
}

TEST(SigningKey, PublicJwkHasExactlyTheStandardMembers) {
  const SigningKey key = NewKey();
  const json jwk = key.PublicJwk();
  EXPECT_EQ(jwk.size(), 7u) << jwk.dump();
  EXPECT_EQ(jwk["kty"], "EC");
  EXPECT_EQ(jwk["crv"], "P-256");
  EXPECT_EQ(jwk["kid"], key.kid());
  EXPECT_EQ(jwk["alg"], "ES256");
  EXPECT_EQ(jwk["use"], "sig");
  EXPECT_FALSE(jwk.contains("d"));
  for (const char* coordinate : {"x", "y"}) {
    std::optional<std::string> bytes = Decode(jwk[coordinate].get<std::string>());
    ASSERT_TRUE(bytes.has_value()) << coordinate;
    EXPECT_EQ(bytes->size(), 32u) << coordinate;
  }
}

TEST(SigningKey, KnownKeyMatchesJose) {
  Result<SigningKey> key = SigningKey::FromPrivatePem(kKnownPem);
  ASSERT_TRUE(key.has_value()) << key.error().message;
  EXPECT_EQ(key->kid(), kKnownKid);
  EXPECT_EQ(key->PublicJwk()["x"], kKnownX);
  EXPECT_EQ(key->PublicJwk()["y"], kKnownY);
  EXPECT_EQ(VerifyJwt(kJoseToken, *key),
            (json{{"sub", "cpayer_test"}, {"features", {"sso", "audit_log"}}, {"n", 42}}));
}

TEST(SigningKey, LoadsSec1KeyWithoutPublicPart) {
  Result<SigningKey> key = SigningKey::FromPrivatePem(kKnownSec1NoPublic);
  ASSERT_TRUE(key.has_value()) << key.error().message;
  EXPECT_EQ(key->kid(), kKnownKid);
  EXPECT_TRUE(key->PrivatePem().starts_with("-----BEGIN PRIVATE KEY-----\n"));
}

TEST(SigningKey, FromPrivatePemRejectsWhatIsNotAP256PrivateKey) {
  const std::string known(kKnownPem);
  const struct {
    const char* what;
    std::string pem;
  } cases[] = {
      {"empty", ""},
      {"garbage", "garbage"},
      {"binary garbage", std::string("\x30\x82\x00\xff\x00\x01", 6)},
      {"truncated PEM", known.substr(0, known.size() / 2)},
      {"corrupted base64",
       [&] {
         std::string pem = known;
         pem[40] = pem[40] == 'A' ? 'B' : 'A';
         return pem;
       }()},
      {"public key",
       "-----BEGIN PUBLIC KEY-----\n"
       "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEwqjuzBFAGs6A5O8AZXkTDCvD6LFG\n"
       "HNf6TZS5bQSfL4mmKsp5r3hxbG9u3b7qyP5qrO3OfkAPBCo7ke7A2FaQpw==\n"
       "-----END PUBLIC KEY-----\n"},
      {"secp256k1 key",
       "-----BEGIN PRIVATE KEY-----\n"
       "MIGEAgEAMBAGByqGSM49AgEGBSuBBAAKBG0wawIBAQQg6ZcyDWbGx74zAXshqVGt\n"
       "V8mYDuqwCcW8Bx/DP9ZyfpKhRANCAAS2zlDrYcVWk3PmlJCXxHszt5TC6FBSZufl\n"
       "lWef/6i2yZafH1e4Un1Ebse6QetKWaxRpReTrk8nZtyWOnvYsMts\n"
       "-----END PRIVATE KEY-----\n"},
      {"Ed25519 key",
       "-----BEGIN PRIVATE KEY-----\n"
       "MC4CAQAwBQYDK2VwBCIEIKI9dyhdGe0FyNn4Wqz/kRPfJOXxNgvgBX+RImLVIcq/\n"
       "-----END PRIVATE KEY-----\n"},
      // The known key encrypted with "secret": must fail, and must not prompt for it.
      {"encrypted key",
       "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
       "MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgnPDn13X00dwICCAAw\n"
       "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEEnmLeFxI/yoew+AANs+zP8EgZAv\n"
       "DQRpSmn7iOpjMNgyde6Wne/KhxtcsydLku74ovCZ+qX5Qneyx3DZpZh/H1T9iw7d\n"
       "zCppeUGf5pQaJkPaBGuu7kxXc10GpiiwuODA24Vwrbug2kUHIKRBY5w37+1YDYYB\n"
       "Gvce5cIxTLcyS3eECyL1BoAd9zOJxrrnNblvwNxsa17hf3HlEKaFzzDwtp7Wg/A=\n"
       "-----END ENCRYPTED PRIVATE KEY-----\n"},
  };
  for (const auto& c : cases) {
    Result<SigningKey> key = SigningKey::FromPrivatePem(c.pem);
    ASSERT_FALSE(key.has_value()) << c.what << " was accepted";
    EXPECT_EQ(key.error().code, "invalid_signing_key") << c.what;
    EXPECT_EQ(key.error().kind, ErrorKind::kInvalidArgument) << c.what;
    EXPECT_FALSE(key.error().message.empty()) << c.what;
  }
}

// RFC 7515 section 10.7 / RFC 8725 section 2.1: an unsecured ("alg":"none") token must never be
// taken as signed, however it is dressed up.
TEST(SigningKey, RejectsAlgNone) {
  const SigningKey key = NewKey();
  const std::string claims = SampleClaims().dump();
  const std::string none_header = R"({"alg":"none","typ":"JWT"})";
  const std::string unsecured = Encode(none_header) + "." + Encode(claims) + ".";
  ExpectInvalidToken(VerifyJwt(unsecured, key), "alg none, empty signature");

  const std::string none_with_kid =
      json{{"alg", "none"}, {"typ", "JWT"}, {"kid", key.kid()}}.dump();
  const std::string real_signature = Parts(key.SignJwt(SampleClaims()))[2];
  ExpectInvalidToken(
      VerifyJwt(Encode(none_with_kid) + "." + Encode(claims) + "." + real_signature, key),
      "alg none with a signature lifted from another token");

  // Even with a valid ES256 signature over it, a header that says "none" is refused.
  ExpectInvalidToken(VerifyJwt(SignRaw(key, none_with_kid, claims), key),
                     "alg none, validly signed");
}

TEST(SigningKey, SignedTokensWithBadHeadersOrPayloadsFail) {
  const SigningKey key = NewKey();
  const SigningKey other = NewKey();
  const std::string claims = SampleClaims().dump();
  const std::string good_header = json{{"alg", "ES256"}, {"typ", "JWT"}, {"kid", key.kid()}}.dump();
  ASSERT_EQ(VerifyJwt(SignRaw(key, good_header, claims), key), SampleClaims());

  const struct {
    const char* what;
    std::string header;
    std::string payload;
  } cases[] = {
      {"other kid", json{{"alg", "ES256"}, {"kid", other.kid()}}.dump(), claims},
      {"no kid", json{{"alg", "ES256"}, {"typ", "JWT"}}.dump(), claims},
      {"kid not a string", json{{"alg", "ES256"}, {"kid", 7}}.dump(), claims},
      {"alg ES384", json{{"alg", "ES384"}, {"kid", key.kid()}}.dump(), claims},
      {"alg HS256", json{{"alg", "HS256"}, {"kid", key.kid()}}.dump(), claims},
      {"lower-case alg", json{{"alg", "es256"}, {"kid", key.kid()}}.dump(), claims},
      {"no alg", json{{"kid", key.kid()}}.dump(), claims},
      {"crit", json{{"alg", "ES256"}, {"kid", key.kid()}, {"crit", {"exp"}}}.dump(), claims},
      {"header not JSON", "{alg: ES256}", claims},
      {"header an array", json::array({"ES256", key.kid()}).dump(), claims},
      {"payload not JSON", good_header, "{\"sub\":"},
      {"payload an array", good_header, "[1,2,3]"},
      {"payload a string", good_header, "\"cpayer_1\""},
      {"payload empty", good_header, ""},
  };
  for (const auto& c : cases) {
    ExpectInvalidToken(VerifyJwt(SignRaw(key, c.header, c.payload), key), c.what);
  }
}

TEST(SigningKey, MalformedTokensFail) {
  const SigningKey key = NewKey();
  const std::string token = key.SignJwt(SampleClaims());
  const std::vector<std::string> parts = Parts(token);
  const std::string cases[] = {
      "",
      ".",
      "..",
      parts[0],
      parts[0] + "." + parts[1],
      token + ".",
      token + "." + parts[2],
      "." + token,
      token + "=",
      token + "==",
      parts[0] + "=." + parts[1] + "." + parts[2],
      token + " ",
      " " + token,
      token + "\n",
      parts[0] + "." + parts[1] + "." + parts[2].substr(0, 85),
      parts[0] + "." + parts[1] + "." + parts[2] + "AA",
      parts[0] + "." + parts[1] + "." + Encode(std::string(64, '\0')),
      parts[0] + "." + parts[1] + "." + Encode(std::string(64, '\xff')),
  };
  for (const std::string& bad : cases) ExpectInvalidToken(VerifyJwt(bad, key), "'" + bad + "'");
}

TEST(SigningKey, UnicodeClaimsRoundTripAndBadUtf8DoesNotThrow) {
  const SigningKey key = NewKey();
  const json claims = {{"name", "Z\u00fcrich \u65e5\u672c \U0001F600"}, {"quote", "\"\\/\n"}};
  EXPECT_EQ(VerifyJwt(key.SignJwt(claims), key), claims);

  const json bad = {{"name", std::string("ab\xff")}};
  std::string token;
  ASSERT_NO_THROW(token = key.SignJwt(bad));
  Result<json> verified = VerifyJwt(token, key);
  ASSERT_TRUE(verified.has_value()) << verified.error().message;
  EXPECT_EQ((*verified)["name"], "ab\uFFFD");
}

TEST(SigningKey, GeneratedKeysDiffer) { EXPECT_NE(NewKey().kid(), NewKey().kid()); }

TEST(SigningKey, CopiesAndMovesKeepTheKey) {
  const SigningKey key = NewKey();
  SigningKey copy = key;
  SigningKey moved = std::move(copy);
  copy = key;
  EXPECT_EQ(moved.kid(), key.kid());
  EXPECT_EQ(copy.kid(), key.kid());
  EXPECT_EQ(VerifyJwt(moved.SignJwt({{"a", 1}}), key), (json{{"a", 1}}));
  EXPECT_EQ(VerifyJwt(copy.SignJwt({{"a", 2}}), key), (json{{"a", 2}}));
}

TEST(SigningKey, SignsAndVerifiesFromManyThreadsAtOnce) {
  const SigningKey key = NewKey();
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&key, &failures, t] {
      for (int i = 0; i < 25; ++i) {
        const json claims = {{"t", t}, {"i", i}};
        Result<json> verified = VerifyJwt(key.SignJwt(claims), key);
        if (!verified || *verified != claims) ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

TEST(Jwks, ListsThePublicKeysInOrder) {
  const std::vector<SigningKey> keys = {NewKey(), NewKey()};
  const json jwks = Jwks(keys);
  ASSERT_EQ(jwks.size(), 1u);
  ASSERT_TRUE(jwks["keys"].is_array());
  ASSERT_EQ(jwks["keys"].size(), 2u);
  EXPECT_EQ(jwks["keys"][0], keys[0].PublicJwk());
  EXPECT_EQ(jwks["keys"][1], keys[1].PublicJwk());
  EXPECT_EQ(Jwks({}).dump(), R"({"keys":[]})");
}

// The interop check runs tests/interop/verify_jwt.mjs, which verifies with the npm package jose.
struct VerifierRun {
  int exit_code = -1;
  std::string output;
};

VerifierRun RunJoseVerifier(const json& jwks, const std::string& token) {
  std::string input_path = testing::TempDir() + "verify_jwt_input_XXXXXX";
  const int fd = mkstemp(input_path.data());
  EXPECT_GE(fd, 0) << "mkstemp " << input_path;
  if (fd < 0) return {};
  const std::string input = json{{"jwks", jwks}, {"token", token}}.dump();
  EXPECT_EQ(write(fd, input.data(), input.size()), static_cast<ssize_t>(input.size()));
  close(fd);

  const std::string command = std::string("node '") + RECUR_SOURCE_DIR +
                              "/tests/interop/verify_jwt.mjs' < '" + input_path + "'";
  VerifierRun run;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) {
      run.output.append(buffer, n);
    }
    const int status = pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  }
  std::filesystem::remove(input_path);
  return run;
}

// Returns the node_modules folder, or empty when the interop tests are not enabled.
std::string JoseModules() {
  const char* modules = std::getenv("RECUR_NODE_MODULES");
  if (modules == nullptr || *modules == '\0') return {};
  return modules;
}

constexpr const char* kHowToEnable =
    "interop with jose is off; to run it: mkdir -p /tmp/jose-check && cd /tmp/jose-check && "
    "npm init -y && npm install jose, then set RECUR_NODE_MODULES=/tmp/jose-check/node_modules";

TEST(SigningKeyInterop, JoseVerifiesOurTokens) {
  const std::string modules = JoseModules();
  if (modules.empty()) GTEST_SKIP() << kHowToEnable;
  ASSERT_TRUE(std::filesystem::exists(modules + "/jose/package.json"))
      << "RECUR_NODE_MODULES=" << modules << " has no jose in it";

  // Two keys in the set, so that jose has to pick ours by kid.
  const std::vector<SigningKey> keys = {NewKey(), NewKey()};
  json claims = SampleClaims();
  claims["iat"] = 1767225600;
  claims["exp"] = 4102444800;  // 2100-01-01: jose checks exp against its own clock
  for (const SigningKey& key : keys) {
    const VerifierRun run = RunJoseVerifier(Jwks(keys), key.SignJwt(claims));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(json::parse(run.output, nullptr, false), claims) << run.output;
  }
}

TEST(SigningKeyInterop, JoseRejectsTamperedTokens) {
  const std::string modules = JoseModules();
  if (modules.empty()) GTEST_SKIP() << kHowToEnable;

  const SigningKey key = NewKey();
  const std::vector<std::string> parts = Parts(key.SignJwt({{"sub", "cpayer_1"}}));
  const std::string tampered =
      parts[0] + "." + Encode(json{{"sub", "cpayer_2"}}.dump()) + "." + parts[2];
  const VerifierRun run = RunJoseVerifier(Jwks({&key, 1}), tampered);
  EXPECT_NE(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, "");
}

}  // namespace
}  // namespace recur::signing_key_test
