// File: cli/store_commands.h
//
// Commands that work on a store directly (no server): `clearway store migrate|stats`, and
// `clearway hash-password` for writing [[users]] entries.
#pragma once

#include <string>

namespace clearway::cli {

struct StoreFlags {
  std::string data_dir;
  std::string url;
};

int StoreMigrate(const StoreFlags& flags);
int StoreStats(const StoreFlags& flags);
int HashPassword();

}  // namespace clearway::cli
