// The OpenAPI document as `recur serve` serves it (GET /v1/openapi.json, public): the file of the
// repository, valid by a standard validator (npm @apidevtools/swagger-parser), and good for a
// typed client: openapi-typescript turns it into types, tsc --strict compiles a client using
// openapi-fetch with them (and refuses a call the document forbids), and the client makes real
// calls. The npm checks need RECUR_NODE_MODULES (tools/test.sh installs the packages there).
// Every other exchange of the suite is checked against the document too (exchange_recorder.h).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::openapi_test {
namespace {

using nlohmann::json;

std::string SourceFile(const std::string& path) {
  std::ifstream file(std::string(RECUR_SOURCE_DIR) + "/" + path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The node_modules folder with the npm packages, or "" when there is none.
std::string NodeModules() {
  const char* modules = std::getenv("RECUR_NODE_MODULES");
  return modules == nullptr ? "" : modules;
}

class OpenApiTest : public ServeTest {
 protected:
  // GET /v1/openapi.json without a key, written to a file of the test's folder.
  std::string ServedDocument() {
    auto answer = server_->Client().Get("/v1/openapi.json");
    if (!answer || answer->status != 200) throw std::runtime_error("no document served");
    served_content_type_ = answer->get_header_value("Content-Type");
    const std::string file = dir_ / "openapi.json";
    WriteFile(file, answer->body);
    return file;
  }

  // Runs `node args...` in `working_dir` with the npm packages at hand.
  static CommandResult Node(const std::vector<std::string>& args,
                            const std::string& working_dir = ".") {
    std::vector<std::string> argv = {"node"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, "", working_dir, {{"RECUR_NODE_MODULES", NodeModules()}});
  }

  std::string served_content_type_;
};

TEST_F(OpenApiTest, TheServedDocumentIsTheRepositorysAndNeedsNoKey) {
  Serve();
  const std::string file = ServedDocument();
  EXPECT_EQ(served_content_type_, "application/json");
  std::ifstream served(file);
  std::stringstream text;
  text << served.rdbuf();
  EXPECT_EQ(text.str(), SourceFile("docs/openapi.json"));
}

TEST_F(OpenApiTest, TheServedDocumentPassesSwaggerParsersValidation) {
  if (NodeModules().empty()) GTEST_SKIP() << "needs RECUR_NODE_MODULES (tools/test.sh)";
  Serve();
  const std::string file = ServedDocument();
  CommandResult checked =
      Node({std::string(RECUR_SOURCE_DIR) + "/tests/interop/validate_openapi.mjs", file});
  EXPECT_EQ(checked.exit_code, 0) << checked.err;
}

TEST_F(OpenApiTest, AGeneratedTypeScriptClientCompilesAndCallsTheServer) {
  if (NodeModules().empty()) GTEST_SKIP() << "needs RECUR_NODE_MODULES (tools/test.sh)";
  Serve();
  const std::string document = ServedDocument();
  const std::string client = dir_ / "client";
  std::filesystem::create_directories(client);
  std::filesystem::create_directory_symlink(std::filesystem::absolute(NodeModules()),
                                            client + "/node_modules");
  for (const char* name : {"openapi_client.mts", "openapi_client_mistake.mts"}) {
    WriteFile(client + "/" + name, SourceFile(std::string("tests/interop/") + name));
  }
  const std::string modules = client + "/node_modules/";

  CommandResult types = Node({modules + "openapi-typescript/bin/cli.js", document, "--output",
                              client + "/recur-api.d.ts"});
  ASSERT_EQ(types.exit_code, 0) << types.err;
  const std::vector<std::string> tsc = {
      modules + "typescript/bin/tsc", "--strict", "--target", "es2022", "--module",      "nodenext",
      "--moduleResolution",           "nodenext", "--types",  "node",   "--skipLibCheck"};
  std::vector<std::string> compile = tsc;
  compile.insert(compile.end(), {"--outDir", "out", "openapi_client.mts"});
  CommandResult compiled = Node(compile, client);
  ASSERT_EQ(compiled.exit_code, 0) << compiled.out << compiled.err;

  std::vector<std::string> mistake = tsc;
  mistake.insert(mistake.end(), {"--noEmit", "openapi_client_mistake.mts"});
  CommandResult refused = Node(mistake, client);
  EXPECT_NE(refused.exit_code, 0) << "tsc took a payer whose external_id is a number";
  EXPECT_THAT(refused.out, ::testing::HasSubstr("'\"user\" | \"org\"'")) << refused.out;

  CommandResult called =
      Node({client + "/out/openapi_client.mjs",
            "http://127.0.0.1:" + std::to_string(server_->port()), kTestSecretKey});
  ASSERT_EQ(called.exit_code, 0) << called.err;
  const json read = json::parse(called.out);
  EXPECT_THAT(read["id"].get<std::string>(), ::testing::StartsWith("cpayer_"));
  EXPECT_EQ(read["external_id"], "user_ts");
  EXPECT_EQ(read["type"], "user");
  EXPECT_GT(read["created_at"].get<std::int64_t>(), 0);
  EXPECT_EQ(read["missing_status"], 404);
  EXPECT_EQ(read["missing_code"], "payer_not_found");
  EXPECT_EQ(Call("GET", "/v1/payers/" + read["id"].get<std::string>()).body["external_id"],
            "user_ts");
}

}  // namespace
}  // namespace recur::testing::openapi_test
