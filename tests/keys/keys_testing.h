// File: keys/keys_testing.h
//
// Test helpers for the keys module: a temporary directory removed at the end, a SoftHSM2
// token made in its own temporary directory (SOFTHSM2_CONF points at a softhsm2.conf there,
// so no system token is touched), and a shell runner.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace clearway::keys::testing {

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

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// TempDir is a fresh directory under the system's temporary directory, removed with its
// contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "clearway-keys-XXXXXX").string();
    char* made = ::mkdtemp(pattern.data());
    if (made != nullptr) path_ = made;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline constexpr const char* kTokenLabel = "clearway-test";
inline constexpr const char* kUserPin = "4711-user-pin";
inline constexpr const char* kSoPin = "0815-so-pin";
inline constexpr const char* kPinEnv = "CLEARWAY_TEST_PKCS11_PIN";

// SoftHsmToken makes an initialised SoftHSM2 token labelled kTokenLabel in its own directory
// and points SOFTHSM2_CONF at it for this process and its children; the user PIN is in the
// environment variable kPinEnv.
class SoftHsmToken {
 public:
  SoftHsmToken() {
    std::filesystem::create_directories(dir_.path() / "tokens");
    conf_ = dir_ / "softhsm2.conf";
    WriteFile(conf_, "directories.tokendir = " + (dir_ / "tokens") +
                         "\nobjectstore.backend = file\nlog.level = ERROR\n"
                         "slots.removable = false\n");
    ::setenv("SOFTHSM2_CONF", conf_.c_str(), 1);
    ::setenv(kPinEnv, kUserPin, 1);
    CommandResult made = Shell(std::string("softhsm2-util --init-token --free --label ") +
                               kTokenLabel + " --pin " + kUserPin + " --so-pin " + kSoPin);
    ok_ = made.exit_code == 0;
    init_output_ = made.output;
  }
  ~SoftHsmToken() {
    ::unsetenv("SOFTHSM2_CONF");
    ::unsetenv(kPinEnv);
  }
  SoftHsmToken(const SoftHsmToken&) = delete;
  SoftHsmToken& operator=(const SoftHsmToken&) = delete;

  bool ok() const { return ok_; }
  const std::string& init_output() const { return init_output_; }
  const TempDir& dir() const { return dir_; }
  const std::string& conf() const { return conf_; }

 private:
  TempDir dir_;
  std::string conf_;
  bool ok_ = false;
  std::string init_output_;
};

}  // namespace clearway::keys::testing
