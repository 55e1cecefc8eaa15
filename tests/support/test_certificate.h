// A self-signed TLS certificate made on the spot for tests: an EC P-256 key and a certificate
// for the IP address 127.0.0.1 or the names given (subjectAltName), valid from an hour ago for a
// day, marked as a CA so that it can be trusted on its own. Written as PEM files for servers and
// for the client's extra CA file.
#pragma once

#include <string>

namespace recur::testing {

struct TestCertificate {
  std::string certificate_path;  // PEM certificate
  std::string key_path;          // PEM private key
};

// Writes certificate.pem and key.pem into `dir`; throws on failure. `subject_alt_name` is in
// OpenSSL's form: "IP:127.0.0.1", "DNS:hooks.test".
TestCertificate MakeTestCertificate(const std::string& dir,
                                    const std::string& subject_alt_name = "IP:127.0.0.1");

}  // namespace recur::testing
