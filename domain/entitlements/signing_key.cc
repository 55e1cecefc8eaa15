#include "domain/entitlements/signing_key.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

namespace recur {
namespace {

constexpr std::size_t kCoordinateSize = 32;                  // P-256 field element
constexpr std::size_t kSignatureSize = 2 * kCoordinateSize;  // R || S
// Bounds every length handed to OpenSSL's int-sized base64 functions, with room to spare.
constexpr std::size_t kMaxBase64Input = 1u << 28;

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;

std::shared_ptr<EVP_PKEY> SharePkey(EVP_PKEY* pkey) {
  return std::shared_ptr<EVP_PKEY>(pkey, EVP_PKEY_free);
}

// For the operations that only fail when OpenSSL itself is broken or out of memory, where a
// signing call has no error channel and nothing sensible can continue.
[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "fatal: %s\n", what);
  std::abort();
}

// The first queued OpenSSL error as text, clearing the queue so that it does not leak into
// unrelated later calls on this thread.
std::string TakeOpenSslError() {
  const unsigned long code = ERR_peek_error();
  std::string text;
  if (code != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    text = buffer;
  }
  ERR_clear_error();
  return text;
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string Base64UrlEncode(std::string_view bytes) {
  if (bytes.size() > kMaxBase64Input) Fatal("data too large to base64-encode");
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');  // + the NUL EVP_EncodeBlock adds
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), Bytes(bytes),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// Decodes unpadded base64url, accepting only the canonical encoding (the one
// Base64UrlEncode gives back), so that no two different texts decode to the same bytes.
std::optional<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() > kMaxBase64Input || text.size() % 4 == 1) return std::nullopt;
  for (char c : text) {
    if (!IsBase64UrlChar(c)) return std::nullopt;
  }
  std::string padded(text);
  for (char& c : padded) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  const std::size_t padding = (4 - padded.size() % 4) % 4;
  padded.append(padding, '=');
  std::string out(padded.size() / 4 * 3, '\0');
  const int decoded = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), Bytes(padded),
                                      static_cast<int>(padded.size()));
  if (decoded < 0 || static_cast<std::size_t>(decoded) != out.size()) return std::nullopt;
  out.resize(out.size() - padding);  // EVP_DecodeBlock counts padding as zero bytes
  if (Base64UrlEncode(out) != text) return std::nullopt;
  return out;
}

// The base64url of a 32-byte big-endian coordinate read from an EC key parameter.
std::optional<std::string> Coordinate(const EVP_PKEY* pkey, const char* param) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, param, &raw) != 1) return std::nullopt;
  BignumPtr bn(raw);
  unsigned char bytes[kCoordinateSize];
  if (BN_bn2binpad(bn.get(), bytes, sizeof bytes) != static_cast<int>(sizeof bytes)) {
    return std::nullopt;
  }
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

std::string Sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    Fatal("SHA-256 is unavailable");
  }
  return std::string(reinterpret_cast<const char*>(digest), size);
}

// Refuses to prompt on the terminal for the passphrase of an encrypted PEM.
int NoPassphrase(char*, int, int, void*) { return -1; }

std::unexpected<Error> InvalidKey(std::string why) {
  std::string detail = TakeOpenSslError();
  std::string message = "signing key: " + std::move(why);
  if (!detail.empty()) message += " (" + detail + ")";
  return MakeError(ErrorKind::kInvalidArgument, "invalid_signing_key", std::move(message));
}

std::unexpected<Error> InvalidToken(std::string why) {
  ERR_clear_error();
  return MakeError(ErrorKind::kUnauthenticated, "invalid_token", "token: " + std::move(why));
}

// Raw R || S (each 32 bytes, big-endian) from a DER ECDSA-Sig-Value.
std::string RawSignatureFromDer(const std::vector<unsigned char>& der) {
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (sig == nullptr) Fatal("OpenSSL produced an unreadable ECDSA signature");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(kSignatureSize, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, kCoordinateSize) != static_cast<int>(kCoordinateSize) ||
      BN_bn2binpad(s, out + kCoordinateSize, kCoordinateSize) !=
          static_cast<int>(kCoordinateSize)) {
    Fatal("OpenSSL produced an oversized ECDSA signature");
  }
  return raw;
}

// DER ECDSA-Sig-Value from raw R || S (kSignatureSize bytes), or empty when OpenSSL fails.
std::vector<unsigned char> DerFromRawSignature(std::string_view raw) {
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BignumPtr r(BN_bin2bn(Bytes(raw), kCoordinateSize, nullptr));
  BignumPtr s(BN_bin2bn(Bytes(raw) + kCoordinateSize, kCoordinateSize, nullptr));
  if (sig == nullptr || r == nullptr || s == nullptr) return {};
  if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return {};
  (void)r.release();  // now owned by sig
  (void)s.release();
  const int size = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (size <= 0) return {};
  std::vector<unsigned char> der(static_cast<std::size_t>(size));
  unsigned char* p = der.data();
  if (i2d_ECDSA_SIG(sig.get(), &p) != size) return {};
  return der;
}

}  // namespace

SigningKey::SigningKey(std::shared_ptr<EVP_PKEY> pkey, std::string x, std::string y,
                       std::string kid)
    : pkey_(std::move(pkey)), x_(std::move(x)), y_(std::move(y)), kid_(std::move(kid)) {}

Result<SigningKey> SigningKey::FromPkey(std::shared_ptr<EVP_PKEY> pkey) {
  if (!EVP_PKEY_is_a(pkey.get(), "EC")) return InvalidKey("not an EC key");
  char group[64] = {};
  std::size_t group_size = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                     &group_size) != 1 ||
      std::strcmp(group, SN_X9_62_prime256v1) != 0) {
    return InvalidKey("not on the P-256 curve (a named prime256v1 key is required)");
  }
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (check == nullptr || EVP_PKEY_check(check.get()) != 1) {
    return InvalidKey("the key pair fails OpenSSL's consistency check");
  }
  std::optional<std::string> x = Coordinate(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X);
  std::optional<std::string> y = Coordinate(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y);
  if (!x || !y) return InvalidKey("cannot read the public point");
  // RFC 7638: the required members in lexicographic order, no whitespace. nlohmann::json
  // objects keep their keys sorted, and these values need no escaping.
  const nlohmann::json members = {{"crv", "P-256"}, {"kty", "EC"}, {"x", *x}, {"y", *y}};
  std::string kid = Base64UrlEncode(Sha256(members.dump()));
  return SigningKey(std::move(pkey), std::move(*x), std::move(*y), std::move(kid));
}

Result<SigningKey> SigningKey::Generate() {
  EVP_PKEY* raw = EVP_EC_gen(SN_X9_62_prime256v1);
  if (raw == nullptr) {
    return MakeError(ErrorKind::kInternal, "signing_key_generation_failed",
                     "cannot generate a P-256 key: " + TakeOpenSslError());
  }
  Result<SigningKey> key = FromPkey(SharePkey(raw));
  if (!key) {
    return MakeError(ErrorKind::kInternal, "signing_key_generation_failed",
                     "generated P-256 key is unusable: " + key.error().message);
  }
  return key;
}

Result<SigningKey> SigningKey::FromPrivatePem(std::string_view pem) {
  if (pem.size() > INT_MAX) return InvalidKey("PEM text too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return InvalidKey("out of memory");
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr);
  if (raw == nullptr) {
    return InvalidKey("not an unencrypted PEM private key (PKCS#8 or SEC1)");
  }
  return FromPkey(SharePkey(raw));
}

std::string SigningKey::PrivatePem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0,
                                                 nullptr, nullptr) != 1) {
    Fatal("cannot encode the signing key as PEM");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

nlohmann::json SigningKey::PublicJwk() const {
  return {{"kty", "EC"}, {"crv", "P-256"}, {"x", x_},     {"y", y_},
          {"kid", kid_}, {"alg", "ES256"}, {"use", "sig"}};
}

std::string SigningKey::SignJwt(const nlohmann::json& claims) const {
  const nlohmann::json header = {{"alg", "ES256"}, {"typ", "JWT"}, {"kid", kid_}};
  std::string token = Base64UrlEncode(header.dump());
  token.push_back('.');
  token += Base64UrlEncode(claims.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));

  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, Bytes(token), token.size()) != 1) {
    Fatal("cannot start an ES256 signature");
  }
  std::vector<unsigned char> der(size);
  if (EVP_DigestSign(ctx.get(), der.data(), &size, Bytes(token), token.size()) != 1) {
    Fatal("cannot make an ES256 signature");
  }
  der.resize(size);

  token.push_back('.');
  token += Base64UrlEncode(RawSignatureFromDer(der));
  return token;
}

nlohmann::json Jwks(std::span<const SigningKey> keys) {
  nlohmann::json list = nlohmann::json::array();
  for (const SigningKey& key : keys) list.push_back(key.PublicJwk());
  return {{"keys", std::move(list)}};
}

Result<nlohmann::json> VerifyJwt(std::string_view token, const SigningKey& key) {
  const std::size_t first_dot = token.find('.');
  const std::size_t last_dot = token.rfind('.');
  if (first_dot == std::string_view::npos || first_dot == last_dot ||
      token.find('.', first_dot + 1) != last_dot) {
    return InvalidToken("not a compact JWS (three dot-separated parts)");
  }
  const std::string_view signing_input = token.substr(0, last_dot);
  const std::string_view header_part = token.substr(0, first_dot);
  const std::string_view payload_part = signing_input.substr(first_dot + 1);

  // The signature comes first: nothing from the token is parsed until the key vouches for it.
  std::optional<std::string> signature = Base64UrlDecode(token.substr(last_dot + 1));
  if (!signature || signature->size() != kSignatureSize) {
    return InvalidToken("the signature is not 64 bytes of base64url (ES256 R||S)");
  }
  const std::vector<unsigned char> der = DerFromRawSignature(*signature);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (der.empty() || ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.pkey_.get()) != 1 ||
      EVP_DigestVerify(ctx.get(), der.data(), der.size(), Bytes(signing_input),
                       signing_input.size()) != 1) {
    return InvalidToken("the signature does not verify with key " + key.kid());
  }

  std::optional<std::string> header_text = Base64UrlDecode(header_part);
  if (!header_text) return InvalidToken("the header is not base64url");
  const nlohmann::json header = nlohmann::json::parse(*header_text, nullptr, false);
  if (!header.is_object()) return InvalidToken("the header is not a JSON object");
  const auto alg = header.find("alg");
  if (alg == header.end() || *alg != "ES256") return InvalidToken("the header alg is not ES256");
  const auto kid = header.find("kid");
  if (kid == header.end() || *kid != key.kid()) {
    return InvalidToken("the header kid is not " + key.kid());
  }
  if (header.contains("crit")) return InvalidToken("the header has crit extensions");

  std::optional<std::string> payload_text = Base64UrlDecode(payload_part);
  if (!payload_text) return InvalidToken("the payload is not base64url");
  nlohmann::json claims = nlohmann::json::parse(*payload_text, nullptr, false);
  if (!claims.is_object()) return InvalidToken("the payload is not a JSON object");
  return claims;
}

}  // namespace recur
