// `clearway demo` in a child process, for tests that drive the real binary: a fresh data
// directory, a free port, the server's output in DIR/server.log (a pipe we stopped reading
// would kill it with SIGPIPE), SIGTERM at the end (SIGKILL after 15 s). Waits are bounded.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

namespace clearway::e2e {

inline std::string Binary() {
  const char* dir = std::getenv("CLEARWAY_BINARY_DIR");
  return std::string(dir != nullptr ? dir : ".") + "/clearway";
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Shell() runs a command line and collects its output and exit code.
inline CommandResult Shell(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer;
  size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.output.append(buffer.data(), n);
  }
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// DemoChild is one `clearway demo` process on a data directory, with its log in LOG.
class DemoChild {
 public:
  DemoChild() = default;
  DemoChild(const DemoChild&) = delete;
  DemoChild& operator=(const DemoChild&) = delete;
  ~DemoChild() { Stop(); }

  // Start() forks the demo and waits (60 s at most) for its banner; false if it never came.
  bool Start(const std::string& data_dir, const std::string& log) {
    pid_ = ::fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::execl(Binary().c_str(), "clearway", "demo", "--data-dir", data_dir.c_str(), "--port", "0",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      banner_ = ReadFile(log);
      if (banner_.find("Stop with Ctrl-C") != std::string::npos) break;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::smatch match;
    if (!std::regex_search(banner_, match,
                           std::regex("listening on https://127\\.0\\.0\\.1:([0-9]+)"))) {
      return false;
    }
    port_ = static_cast<uint16_t>(std::stoi(match[1].str()));
    url_ = "https://127.0.0.1:" + match[1].str();
    return true;
  }

  // Stop() sends SIGTERM, then SIGKILL after 15 s.
  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 300 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }

  uint16_t port() const { return port_; }
  const std::string& url() const { return url_; }
  const std::string& banner() const { return banner_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string url_;
  std::string banner_;
};

inline std::string FreshTempDir(const std::string& prefix) {
  std::random_device rd;
  std::string dir = (std::filesystem::temp_directory_path() /
                     (prefix + std::to_string(rd()) + std::to_string(rd())))
                        .string();
  std::filesystem::create_directories(dir);
  return dir;
}

class DemoProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTempDir("clearway-demo-");
    ASSERT_TRUE(demo_.Start(Var(), dir_ + "/server.log")) << demo_.banner();
    banner_ = demo_.banner();
    port_ = demo_.port();
    url_ = demo_.url();
    pid_ = demo_.pid();
    env_ = "CLEARWAY_URL=" + url_ + " CLEARWAY_CA_CERT=" + Var() + "/tls/cert.pem" +
           " CLEARWAY_CREDENTIALS=" + Var() + "/demo-credentials.json ";
  }

  void TearDown() override {
    demo_.Stop();
    std::filesystem::remove_all(dir_);
  }

  // Cli() runs `clearway ARGS` with the environment pointing at this demo.
  CommandResult Cli(const std::string& args) { return Shell(env_ + Binary() + " " + args); }
  std::string Var() const { return dir_ + "/var"; }

  DemoChild demo_;
  std::string dir_;
  std::string url_;
  std::string env_;
  std::string banner_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace clearway::e2e
