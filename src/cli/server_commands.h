// File: cli/server_commands.h
//
// `clearway demo` and `clearway serve`: start the HTTPS API over a Runtime and run until
// SIGINT or SIGTERM.
#pragma once

#include <string>

namespace clearway::cli {

struct DemoFlags {
  std::string data_dir = "var";
  int port = 8443;
  std::string bind = "127.0.0.1";
  std::string store_url;     // "" for DATA_DIR/clearway.db; or postgres://… (issue 8)
  std::string read_replica;  // with a postgres:// store: a hot standby for listings
};

struct ServeFlags {
  std::string config_path;
  std::string data_dir;   // overrides the config when set
  std::string store_url;  // overrides the config when set
  std::string read_replica;  // overrides the config when set
  int port = -1;          // overrides the config when >= 0
};

// RunDemo() prepares the demo directory, seeds it, serves; returns the process exit code.
int RunDemo(const DemoFlags& flags);

// RunServe() loads the config (refusing to start without principals or TLS), serves.
int RunServe(const ServeFlags& flags);

}  // namespace clearway::cli
