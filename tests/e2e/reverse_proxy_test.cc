// The shipped nginx setup (deploy/nginx/recur.conf) in front of a real `recur serve`: the test
// makes a certificate, renders the shipped file with its own ports and paths, starts Debian's
// nginx on loopback with a prefix of its own, and talks TLS to it. The client connects from
// 127.0.0.2, so that the client's address and the proxy's (127.0.0.1) differ, and recur's access
// log says which one recur took for the client.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"
#include "tests/e2e/raw_connection.h"
#include "tests/support/test_certificate.h"

namespace recur::testing::reverse_proxy_test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr const char* kClientAddress = "127.0.0.2";  // the proxy connects from 127.0.0.1
constexpr std::size_t kBodyLimit = 1 << 20;          // recur's, and the shipped file's

// nginx from PATH or Debian's place for it; "" when it is not installed.
std::string FindNginx() {
  std::vector<fs::path> folders = {"/usr/sbin", "/usr/local/sbin"};
  if (const char* path = std::getenv("PATH")) {
    std::stringstream entries(path);
    for (std::string entry; std::getline(entries, entry, ':');) folders.emplace_back(entry);
  }
  for (const fs::path& folder : folders) {
    std::error_code error;
    if (fs::is_regular_file(folder / "nginx", error)) return (folder / "nginx").string();
  }
  return "";
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A port free on 127.0.0.1 a moment ago, for a program that cannot be told to pick one.
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("no free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// A TLS connection from `source` to 127.0.0.1:`port`, trusting the certificate at `ca_file` for
// the address 127.0.0.1. Requests are written as raw bytes, so that the test says exactly what a
// client sends (tests/e2e/raw_connection.h is the same without TLS).
class TlsConnection {
 public:
  TlsConnection(const std::string& source, int port, const std::string& ca_file) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in from{}, to{};
    from.sin_family = to.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(static_cast<uint16_t>(port));
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
        ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
      throw std::runtime_error("cannot connect from " + source + " to port " +
                               std::to_string(port));
    }
    context_ = SSL_CTX_new(TLS_client_method());
    if (context_ == nullptr ||
        SSL_CTX_load_verify_locations(context_, ca_file.c_str(), nullptr) != 1) {
      throw std::runtime_error("cannot load " + ca_file);
    }
    SSL_CTX_set_verify(context_, SSL_VERIFY_PEER, nullptr);
    ssl_ = SSL_new(context_);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), "127.0.0.1");
    SSL_set_fd(ssl_, fd_);
    if (SSL_connect(ssl_) != 1) {
      throw std::runtime_error("TLS handshake failed: " +
                               std::string(ERR_error_string(ERR_get_error(), nullptr)));
    }
  }
  ~TlsConnection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (context_ != nullptr) SSL_CTX_free(context_);
    if (fd_ >= 0) ::close(fd_);
  }
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  // Writes `bytes`; false once the other side no longer takes them.
  bool Write(std::string_view bytes) {
    while (!bytes.empty()) {
      const int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Everything the other side sends until it closes.
  std::string ReadToEnd() { return ReadUntil(""); }

  // What the other side sends until `needle` has come (or, for "", until it closes).
  std::string ReadUntil(std::string_view needle) {
    std::string text;
    char buffer[16384];
    while (needle.empty() || text.find(needle) == std::string::npos) {
      const int n = SSL_read(ssl_, buffer, sizeof buffer);
      if (n <= 0) break;
      text.append(buffer, static_cast<std::size_t>(n));
    }
    return text;
  }

 private:
  int fd_ = -1;
  SSL_CTX* context_ = nullptr;
  SSL* ssl_ = nullptr;
};

// A request of `method` for `path` with `extra_headers` (each ending in \r\n) and `body`,
// asking for the connection to be closed after the answer.
std::string Request(const std::string& method, const std::string& path,
                    const std::string& extra_headers = "", const std::string& body = "") {
  std::string head =
      method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra_headers;
  if (!body.empty()) head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return head + "\r\n" + body;
}

class ReverseProxyTest : public ServeTest {
 protected:
  void SetUp() override {
    ServeTest::SetUp();
    // A write on a connection nginx has closed (after refusing a body) fails instead of
    // ending the test process.
    ::signal(SIGPIPE, SIG_IGN);
    nginx_ = FindNginx();
    ASSERT_FALSE(nginx_.empty())
        << "nginx is not installed, and this test runs the shipped reverse-proxy setup on it: "
           "install Debian's nginx (tools/install-deps.sh does)";
    RecurServer::Options options = Options();
    options.args = {"--trusted-proxy", "127.0.0.1"};
    server_ = RecurServer::Start(options);
    ASSERT_NE(server_, nullptr) << "recur serve did not start";
    certificate_ = MakeTestCertificate(dir_.path());
    // When the test runs as root, nginx's workers run as nobody, who must reach the files nginx
    // makes under its prefix (request bodies it keeps while reading them).
    if (::geteuid() == 0) fs::permissions(dir_.path(), fs::perms(0711));
    StartNginx();
  }

  // The shipped file with this test's values in place of its @NAME@ placeholders (the
  // comments, which name them, are left as they are).
  std::string RenderedShippedConfig() const {
    const std::map<std::string, std::string> values = {
        {"@SERVER_NAME@", "127.0.0.1"},
        {"@LISTEN@", "127.0.0.1:" + std::to_string(proxy_port_)},
        {"@TLS_CERTIFICATE@", certificate_.certificate_path},
        {"@TLS_CERTIFICATE_KEY@", certificate_.key_path},
        {"@RECUR_ADDR@", "127.0.0.1:" + std::to_string(server_->port())}};
    std::set<std::string> filled;
    std::stringstream lines(ReadText(std::string(RECUR_SOURCE_DIR) + "/deploy/nginx/recur.conf"));
    std::string text;
    static const std::regex kPlaceholder("@[A-Z_]+@");
    for (std::string line; std::getline(lines, line);) {
      const bool comment = line.find_first_not_of(' ') != std::string::npos &&
                           line[line.find_first_not_of(' ')] == '#';
      for (std::smatch match; !comment && std::regex_search(line, match, kPlaceholder);) {
        auto value = values.find(match.str());
        if (value == values.end()) {
          throw std::runtime_error("deploy/nginx/recur.conf has an unknown placeholder " +
                                   match.str());
        }
        line.replace(static_cast<std::size_t>(match.position()), match.length(), value->second);
        filled.insert(value->first);
      }
      text += line + "\n";
    }
    for (const auto& [placeholder, value] : values) {
      if (!filled.contains(placeholder)) {
        throw std::runtime_error("deploy/nginx/recur.conf no longer uses " + placeholder);
      }
    }
    return text;
  }

  // What Debian's /etc/nginx/nginx.conf gives the shipped file, with every path in the test's
  // folder.
  std::string MainConfig() const {
    const std::string prefix = dir_.path();
    std::string text = ::geteuid() == 0 ? "user nobody nogroup;\n" : "";
    text += "worker_processes 1;\npid " + prefix + "/nginx.pid;\nerror_log " + prefix +
            "/error.log info;\nevents { worker_connections 512; }\nhttp {\n  access_log " + prefix +
            "/access.log;\n";
    for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
      text += "  " + std::string(temp) + "_temp_path " + prefix + "/" + temp + ";\n";
    }
    return text + "  include " + prefix + "/recur.conf;\n}\n";
  }

  // Starts nginx and waits until a request through it reaches recur. A port taken between
  // FreePort and nginx's start is tried again.
  void StartNginx() {
    for (int attempt = 0; attempt < 3; ++attempt) {
      proxy_port_ = FreePort();
      WriteFile(dir_ / "recur.conf", RenderedShippedConfig());
      WriteFile(dir_ / "nginx.conf", MainConfig());
      nginx_process_ = std::make_unique<BackgroundProcess>(
          std::vector<std::string>{nginx_, "-p", dir_.path(), "-c", dir_ / "nginx.conf", "-e",
                                   dir_ / "error.log", "-g", "daemon off;"},
          dir_.path(), std::map<std::string, std::string>{});
      const bool up = PollUntil([&] {
        if (nginx_process_->Ended()) return true;
        try {
          return ThroughProxy(Request("GET", "/healthz")).status == 200;
        } catch (const std::exception&) {
          return false;  // not listening yet
        }
      });
      if (up && !nginx_process_->Ended()) return;
      const std::string log = ReadText(dir_ / "error.log") + nginx_process_->Stderr();
      nginx_process_.reset();
      if (log.find("Address already in use") == std::string::npos) {
        FAIL() << "nginx did not start with the shipped configuration:\n" << log;
      }
    }
    FAIL() << "nginx found no free port in three tries";
  }

  // `request` sent over TLS through nginx from the client's address; its answer.
  RawAnswer ThroughProxy(const std::string& request, const std::string& source = kClientAddress) {
    TlsConnection connection(source, proxy_port_, certificate_.certificate_path);
    connection.Write(request);
    return ParseAnswer(connection.ReadToEnd());
  }

  // `request` sent to recur directly from the client's address; its answer.
  RawAnswer Direct(const std::string& request) {
    RawConnection connection(server_->port(), kClientAddress);
    connection.Send(request);
    return ParseAnswer(connection.ReadUntilClosed());
  }

  // recur's access-log line for the request for `path` (each test asks for paths of its own).
  nlohmann::json RecurLogLine(const std::string& path) {
    nlohmann::json found;
    const bool logged = PollUntil([&] {
      std::stringstream lines(server_->Stderr());
      for (std::string line; std::getline(lines, line);) {
        auto entry = nlohmann::json::parse(line, nullptr, false);
        if (!entry.is_discarded() && entry.value("event", "") == "http_request" &&
            entry.value("path", "") == path) {
          found = entry;
          return true;
        }
      }
      return false;
    });
    if (!logged) throw std::runtime_error("recur logged no request for " + path);
    return found;
  }

  std::string nginx_;
  TestCertificate certificate_;
  int proxy_port_ = 0;
  std::unique_ptr<BackgroundProcess> nginx_process_;
};

TEST_F(ReverseProxyTest, ARequestThroughTheProxyIsAnsweredByRecurOverTls) {
  const RawAnswer plans = ThroughProxy(Request("GET", "/v1/plans"));
  EXPECT_EQ(plans.status, 200);
  EXPECT_FALSE(nlohmann::json::parse(plans.body)["data"].empty());
  EXPECT_THAT(plans.head, HasSubstr("Strict-Transport-Security"));

  const RawAnswer payer = ThroughProxy(
      Request("POST", "/v1/payers",
              "Authorization: Bearer " + std::string(kTestSecretKey) +
                  "\r\nContent-Type: application/json\r\n",
              R"({"external_id":"user_proxy","type":"user","email":"p@example.com"})"));
  EXPECT_EQ(payer.status, 200) << payer.body;
  EXPECT_EQ(nlohmann::json::parse(payer.body)["external_id"], "user_proxy");
}

TEST_F(ReverseProxyTest, RecurTakesTheClientsAddressFromTheProxyNotTheProxysOwn) {
  EXPECT_EQ(ThroughProxy(Request("GET", "/probe/through-proxy")).status, 404);
  const nlohmann::json line = RecurLogLine("/probe/through-proxy");
  EXPECT_EQ(line["remote"], kClientAddress);
  EXPECT_EQ(line["proxy"], "127.0.0.1");
}

TEST_F(ReverseProxyTest, AnAddressTheClientClaimsInXForwardedForDoesNotReachRecur) {
  ThroughProxy(Request("GET", "/probe/spoofed",
                       "X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-For: 127.0.0.1\r\n"));
  EXPECT_EQ(RecurLogLine("/probe/spoofed")["remote"], kClientAddress);
}

TEST_F(ReverseProxyTest, XForwardedForFromAClientConnectingDirectlyIsNotBelieved) {
  const RawAnswer answer =
      Direct(Request("GET", "/probe/direct", "X-Forwarded-For: 203.0.113.9\r\n"));
  EXPECT_EQ(answer.status, 404);
  const nlohmann::json line = RecurLogLine("/probe/direct");
  EXPECT_EQ(line["remote"], kClientAddress);
  EXPECT_FALSE(line.contains("proxy"));
}

TEST_F(ReverseProxyTest, TheProxyRefusesABodyPastRecursLimitInRecursErrorFormat) {
  // A body past the limit, announced in Content-Length, and one sent chunked (nginx counts the
  // chunks as they come).
  const RawAnswer announced = ThroughProxy(
      Request("POST", "/probe/announced-too-large", "", std::string(kBodyLimit + 1, 'x')));
  EXPECT_EQ(announced.status, 413);
  EXPECT_EQ(nlohmann::json::parse(announced.body)["error"]["code"], "body_too_large");

  std::ostringstream chunk;
  chunk << std::hex << kBodyLimit + 1 << "\r\n"
        << std::string(kBodyLimit + 1, 'x') << "\r\n0\r\n\r\n";
  const RawAnswer chunked = ThroughProxy(
      Request("POST", "/probe/chunked-too-large", "Transfer-Encoding: chunked\r\n") + chunk.str());
  EXPECT_EQ(chunked.status, 413);
  EXPECT_EQ(nlohmann::json::parse(chunked.body)["error"]["code"], "body_too_large");

  // Neither reached recur: a request sent after them is logged, they are not.
  ThroughProxy(Request("GET", "/probe/after-the-large-bodies"));
  RecurLogLine("/probe/after-the-large-bodies");
  EXPECT_THAT(server_->Stderr(), ::testing::Not(HasSubstr("too-large")));
}

TEST_F(ReverseProxyTest, ABodyOfExactlyTheLimitPassesTheProxyAndIsReadWholeByRecur) {
  const std::string start =
      R"({"external_id":"user_at_limit","type":"user","email":"l@example.com","name":")";
  const std::string end = R"("})";
  const std::string body = start + std::string(kBodyLimit - start.size() - end.size(), 'n') + end;
  ASSERT_EQ(body.size(), kBodyLimit);
  const RawAnswer answer =
      ThroughProxy(Request("POST", "/v1/payers",
                           "Authorization: Bearer " + std::string(kTestSecretKey) +
                               "\r\nContent-Type: application/json\r\n",
                           body));
  // recur's own judgement of the name (too long), after reading all of it.
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_EQ(nlohmann::json::parse(answer.body)["error"]["param"], "name");
  const nlohmann::json line = RecurLogLine("/v1/payers");
  EXPECT_EQ(line["bytes_in"], kBodyLimit);
  EXPECT_EQ(line["remote"], kClientAddress);
}

TEST_F(ReverseProxyTest, AClientHoldingTooManyRequestsAtOnceIsRefusedWhileOthersAreServed) {
  // Requests whose bodies never come: nginx answers "100 Continue" once it has counted the
  // request and starts reading the body, so each one is known to hold its place.
  constexpr int kRequestsAtOnce = 50;  // the shipped file's limit_conn
  std::vector<std::unique_ptr<TlsConnection>> held;
  for (int i = 0; i < kRequestsAtOnce; ++i) {
    held.push_back(std::make_unique<TlsConnection>(kClientAddress, proxy_port_,
                                                   certificate_.certificate_path));
    held.back()->Write(
        "POST /probe/held HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n"
        "Expect: 100-continue\r\n\r\n");
    ASSERT_THAT(held.back()->ReadUntil("\r\n\r\n"), HasSubstr("100 Continue"));
  }
  const RawAnswer refused = ThroughProxy(Request("GET", "/healthz"));
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(nlohmann::json::parse(refused.body)["error"]["code"], "rate_limited");
  EXPECT_THAT(refused.head, HasSubstr("Retry-After: 1"));

  EXPECT_EQ(ThroughProxy(Request("GET", "/healthz"), "127.0.0.3").status, 200);
  held.clear();  // the held requests end, and with them the refusals
  // Asked at most 20 times a second, well within the shipped rate.
  EXPECT_TRUE(PollUntil([&] { return ThroughProxy(Request("GET", "/healthz")).status == 200; },
                        kPatience, 50ms))
      << "the client was still refused after its held requests ended";
}

TEST_F(ReverseProxyTest, AnAnswerLargerThanTheProxysBuffersArrivesWhole) {
  // Four plans of 100 features, each described in 1000 bytes: /v1/plans is then some 400 KiB,
  // past the 256 KiB nginx holds in memory, and nginx may not spool answers to disk.
  nlohmann::json features = nlohmann::json::array();
  for (int i = 0; i < 100; ++i) {
    features.push_back({{"slug", "feature_" + std::to_string(i)},
                        {"name", "Feature " + std::to_string(i)},
                        {"description", std::string(1000, static_cast<char>('a' + i % 26))}});
  }
  for (int plan = 1; plan <= 4; ++plan) {
    nlohmann::json file = {{"slug", "large_" + std::to_string(plan)},
                           {"name", "Large " + std::to_string(plan)},
                           {"payer_type", "user"},
                           {"amount", 1000 * plan},
                           {"currency", "USD"},
                           {"features", features}};
    WriteFile(plans_dir() + "/large_" + std::to_string(plan) + ".json", file.dump());
    // A feature's name and description are given once in the catalog.
    for (nlohmann::json& feature : features) feature = {{"slug", feature["slug"]}};
  }
  const RawAnswer reloaded = ThroughProxy(Request(
      "POST", "/v1/plans/reload",
      "Authorization: Bearer " + std::string(kTestSecretKey) + "\r\nContent-Length: 0\r\n"));
  ASSERT_EQ(reloaded.status, 200) << reloaded.body;

  const RawAnswer proxied = ThroughProxy(Request("GET", "/v1/plans?payer_type=user"));
  const RawAnswer direct = Direct(Request("GET", "/v1/plans?payer_type=user"));
  EXPECT_EQ(proxied.status, 200);
  EXPECT_GT(direct.body.size(), 256u << 10);
  EXPECT_EQ(proxied.body.size(), direct.body.size());
  EXPECT_TRUE(proxied.body == direct.body);
}

TEST_F(ReverseProxyTest, WhileRecurIsDownTheProxyAnswers503InRecursErrorFormat) {
  server_->Signal(SIGTERM);
  ASSERT_EQ(server_->WaitForExit(kPatience), 0);
  const RawAnswer answer = ThroughProxy(Request("GET", "/v1/plans"));
  EXPECT_EQ(answer.status, 503);
  EXPECT_EQ(nlohmann::json::parse(answer.body)["error"]["code"], "unavailable");
  EXPECT_THAT(answer.head, HasSubstr("Retry-After: 5"));
}

using TrustedProxySettingTest = ServeTest;

TEST_F(TrustedProxySettingTest, AnEntryThatIsNeitherAnAddressNorARangeStopsTheStartNamingIt) {
  RecurServer::Options options = Options();
  options.args = {"--trusted-proxy", "127.0.0.1", "--trusted-proxy", "proxy.internal"};
  CommandResult refused;
  EXPECT_EQ(RecurServer::Start(options, &refused.exit_code, &refused.err), nullptr);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err,
              HasSubstr("--trusted-proxy: \"proxy.internal\" is neither an IP address"));

  options.args = {};
  options.env["RECUR_TRUSTED_PROXIES"] = "127.0.0.1,10.0.0.0/33";
  EXPECT_EQ(RecurServer::Start(options, &refused.exit_code, &refused.err), nullptr);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("\"10.0.0.0/33\" is not a CIDR"));
}

TEST_F(TrustedProxySettingTest, TheTrustedProxiesFromTheEnvironmentAreInTheListeningLine) {
  RecurServer::Options options = Options();
  options.env["RECUR_TRUSTED_PROXIES"] = "127.0.0.1, 10.1.2.3/8";
  server_ = RecurServer::Start(options);
  ASSERT_NE(server_, nullptr);
  EXPECT_THAT(server_->Stderr(), HasSubstr(R"("trusted_proxies":["127.0.0.1/32","10.0.0.0/8"])"));
}

}  // namespace
}  // namespace recur::testing::reverse_proxy_test
