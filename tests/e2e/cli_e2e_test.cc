// End to end through the binary: `clearway demo` in a child process, and the `clearway
// declare ...` commands a user types, talking HTTPS to it.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <regex>
#include <thread>

#include "common/json.h"

namespace clearway::e2e {
namespace {

std::string Binary() {
  const char* dir = std::getenv("CLEARWAY_BINARY_DIR");
  return std::string(dir != nullptr ? dir : ".") + "/clearway";
}

struct CommandResult {
  int exit_code = -1;
  std::string output;   // stdout and stderr together
};

CommandResult Shell(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer;
  size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = (std::filesystem::temp_directory_path() /
            ("clearway-cli-" + std::to_string(rd()) + std::to_string(rd())))
               .string();
    std::filesystem::create_directories(dir_);
    // The server's output goes to a file (a pipe we stopped reading would kill it with
    // SIGPIPE); we poll the file for the banner (bounded: 60 s under sanitizers).
    std::string log = dir_ + "/server.log";
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      std::string data = dir_ + "/var";
      ::execl(Binary().c_str(), "clearway", "demo", "--data-dir", data.c_str(), "--port", "0",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    std::string banner;
    std::regex listening("listening on https://127\\.0\\.0\\.1:([0-9]+)");
    std::smatch match;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(log);
      std::stringstream text;
      text << in.rdbuf();
      banner = text.str();
      if (banner.find("Stop with Ctrl-C") != std::string::npos) break;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    banner_ = banner;
    ASSERT_TRUE(std::regex_search(banner, match, listening)) << banner;
    url_ = "https://127.0.0.1:" + match[1].str();
    env_ = "CLEARWAY_URL=" + url_ + " CLEARWAY_CA_CERT=" + dir_ + "/var/tls/cert.pem" +
           " CLEARWAY_CREDENTIALS=" + dir_ + "/var/demo-credentials.json ";
  }

  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 300 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (::waitpid(pid_, &status, WNOHANG) == 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
      }
    }
    std::filesystem::remove_all(dir_);
  }

  CommandResult Cli(const std::string& args) { return Shell(env_ + Binary() + " " + args); }

  std::string dir_;
  std::string url_;
  std::string env_;
  std::string banner_;
  pid_t pid_ = -1;
};

TEST_F(CliTest, DemoPrintsWhatToTryAndWritesCredentials) {
  EXPECT_NE(banner_.find("demo-credentials.json"), std::string::npos);
  EXPECT_NE(banner_.find("tls/cert.pem"), std::string::npos);
  std::ifstream in(dir_ + "/var/demo-credentials.json");
  std::stringstream text;
  text << in.rdbuf();
  auto creds = ParseJson(text.str());
  ASSERT_TRUE(creds.ok());
  ASSERT_TRUE(creds->is_array());
  std::set<std::string> roles, organisations;
  for (const auto& user : creds->get_array()) {
    const auto& o = user.as_object();
    EXPECT_TRUE(o.contains("username") && o.contains("password") && o.contains("role") &&
                o.contains("organisation"));
    roles.insert(std::string(o.at("role").as_string()));
    if (o.at("role").as_string() == "declarant") {
      organisations.insert(std::string(o.at("organisation").as_string()));
    }
  }
  EXPECT_GE(organisations.size(), 2u);
  EXPECT_TRUE(roles.count("officer") && roles.count("auditor") && roles.count("broker"));
  auto perms = std::filesystem::status(dir_ + "/var/demo-credentials.json").permissions();
  EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);
}

TEST_F(CliTest, SeededDemoDataIsVisiblePerTenant) {
  auto nord = Cli("declare list --as nordfleisch.clerk");
  ASSERT_EQ(nord.exit_code, 0) << nord.output;
  auto lyon = Cli("declare list --as lyon.clerk --json");
  ASSERT_EQ(lyon.exit_code, 0) << lyon.output;
  auto page = ParseJson(lyon.output.substr(lyon.output.find('{')));
  ASSERT_TRUE(page.ok()) << lyon.output;
  EXPECT_GE(page->as_object().at("items").as_array().size(), 2u);
  EXPECT_NE(nord.output.find("released"), std::string::npos) << nord.output;
  EXPECT_NE(nord.output.find("held"), std::string::npos) << nord.output;
}

TEST_F(CliTest, ExampleSubmitShowDecide) {
  std::string file = dir_ + "/d.json";
  auto example = Shell(Binary() + " declare example > " + file);
  ASSERT_EQ(example.exit_code, 0);
  ASSERT_EQ(Cli("declare validate " + file).exit_code, 0);
  // The sample is lodged by the broker for Nordfleisch.
  auto submitted = Cli("declare submit " + file + " --as hanse.broker");
  ASSERT_EQ(submitted.exit_code, 0) << submitted.output;
  auto resource = ParseJson(submitted.output);
  ASSERT_TRUE(resource.ok()) << submitted.output;
  std::string id(resource->as_object().at("id").as_string());
  auto shown = Cli("declare show " + id + " --as nordfleisch.clerk");
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find("\"accepted\""), std::string::npos);
  auto decided = Cli("declare decide " + id + " route_yellow --reason 'check origin' --as officer.hamburg");
  EXPECT_EQ(decided.exit_code, 0) << decided.output;
  EXPECT_NE(decided.output.find("\"under_control\""), std::string::npos);
  auto forbidden = Cli("declare show " + id + " --as lyon.clerk");
  EXPECT_NE(forbidden.exit_code, 0);
  EXPECT_NE(forbidden.output.find("403"), std::string::npos) << forbidden.output;
}

TEST_F(CliTest, InvalidFileShowsEveryProblemWithItsField) {
  std::string file = dir_ + "/bad.json";
  std::ofstream(file) << R"({"type":"import","office":"XX1","goodsItems":[]})";
  auto offline = Cli("declare validate " + file);
  EXPECT_EQ(offline.exit_code, 3);
  EXPECT_NE(offline.output.find("office: bad-office"), std::string::npos) << offline.output;
  auto online = Cli("declare submit " + file + " --as nordfleisch.clerk");
  EXPECT_EQ(online.exit_code, 3) << online.output;
  EXPECT_NE(online.output.find("422"), std::string::npos);
  EXPECT_NE(online.output.find("declarant: required"), std::string::npos) << online.output;
}

TEST_F(CliTest, ServeRefusesToStartWithoutPrincipals) {
  std::string config = dir_ + "/empty.toml";
  std::ofstream(config) << "[server]\nport = 0\n";
  auto serve = Shell(Binary() + " serve --config " + config);
  EXPECT_EQ(serve.exit_code, 1);
  EXPECT_NE(serve.output.find("no-principals"), std::string::npos) << serve.output;
}

}  // namespace
}  // namespace clearway::e2e
