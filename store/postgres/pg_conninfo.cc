#include "store/postgres/pg_conninfo.h"

#include <libpq-fe.h>

#include <cctype>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace recur {
namespace {

std::vector<std::string> SplitOnCommas(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1) {
    parts.push_back(text.substr(start, comma - start));
  }
  parts.push_back(text.substr(start));
  return parts;
}

// libpq's host list with its port list ("db1,db2" and "5432,5433", or one port for every host)
// written as a URI writes them: db1:5432,db2:5433.
std::string PairHostsWithPorts(const std::string& host, const std::string& port) {
  const std::vector<std::string> hosts = SplitOnCommas(host);
  const std::vector<std::string> ports =
      port.empty() ? std::vector<std::string>{} : SplitOnCommas(port);
  std::string text;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (i > 0) text += ",";
    text += hosts[i];
    const std::string its_port = ports.size() == hosts.size() ? ports[i]
                                 : ports.size() == 1          ? ports[0]
                                                              : std::string();
    if (!its_port.empty()) text += ":" + its_port;
  }
  return text;
}

using ParsedOptions = std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)>;

bool IsUri(std::string_view text) {
  return text.starts_with("postgresql://") || text.starts_with("postgres://");
}

// Whether the text may hold a password, read or not: as a word, a URI parameter or a URI's
// user:password@.
bool MayHoldPassword(std::string_view text) {
  if (text.find("password") != std::string_view::npos) return true;
  if (!IsUri(text)) return false;
  const std::string_view rest = text.substr(text.find("//") + 2);
  const std::size_t at = rest.find('@');
  return at != std::string_view::npos && rest.substr(0, at).find(':') != std::string_view::npos;
}

}  // namespace

bool IsPostgresConninfo(std::string_view text) {
  if (IsUri(text)) return true;
  std::size_t at = 0;
  while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at]))) ++at;
  const std::size_t start = at;
  while (at < text.size() &&
         (std::isalnum(static_cast<unsigned char>(text[at])) || text[at] == '_')) {
    ++at;
  }
  if (at == start) return false;
  while (at < text.size() && text[at] == ' ') ++at;
  return at < text.size() && text[at] == '=';
}

Status CheckConninfo(const std::string& conninfo) {
  char* problem = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &problem);
  if (options != nullptr) {
    PQconninfoFree(options);
    return Ok();
  }
  std::string reason = problem != nullptr ? problem : "out of memory";
  PQfreemem(problem);
  while (!reason.empty() && reason.back() == '\n') reason.pop_back();
  if (MayHoldPassword(conninfo)) {
    reason = "libpq's reason is not shown, since the string holds a password";
  }
  return MakeError(ErrorKind::kInvalidArgument, "database_invalid",
                   "the PostgreSQL connection string does not read: " + reason, "database");
}

std::string DescribeConninfo(const std::string& conninfo) {
  ParsedOptions options(PQconninfoParse(conninfo.c_str(), nullptr), &PQconninfoFree);
  if (options == nullptr) return "postgresql:// (an unreadable connection string)";
  std::map<std::string, std::string> given;
  for (PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val != nullptr && *option->val != '\0') given[option->keyword] = option->val;
  }
  const std::string host = given.count("host") ? given["host"] : given["hostaddr"];
  std::string socket;
  std::string hosts;
  if (host.starts_with('/') && host.find(',') == std::string::npos) {
    socket = host;
    if (given.count("port")) hosts = ":" + given["port"];
  } else {
    hosts = PairHostsWithPorts(host, given.count("port") ? given["port"] : "");
  }
  std::string text = "postgresql://";
  if (given.count("user")) text += given["user"] + "@";
  text += hosts;
  if (given.count("dbname")) text += "/" + given["dbname"];
  if (!socket.empty()) text += "?host=" + socket;
  return text;
}

}  // namespace recur
