// A request as the transport hands it to the API's server (http_server.h): its method, the
// decoded path and query, the headers (names compared without regard to case, a name may
// repeat), the body once read, the client's address and the connection's peer (the same, unless
// a trusted reverse proxy forwarded the request: client_address.h). The member names are the ones
// the server's code was first written against. A plain value; one request, one owner.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "http/api_handler.h"

namespace recur {

struct HttpRequest {
  std::string method;
  std::string path;  // percent-decoded, without the query
  HttpHeaders headers;
  ApiRequest::QueryParams params;  // decoded; a name may repeat
  std::string body;
  std::string remote_addr;  // the client's address, without the port (client_address.h)
  std::string peer_addr;    // the connection's peer: the client, or the proxy that forwarded it
  bool https = false;       // it came over HTTPS (client_address.h's CameOverHttps)

  bool has_header(std::string_view name) const { return headers.find(name) != headers.end(); }
  // The first value of header `name`, "" when there is none.
  std::string get_header_value(std::string_view name) const;
};

}  // namespace recur
