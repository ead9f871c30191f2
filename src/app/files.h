// File: app/files.h
//
// Small file helpers for the composition root: read a whole file, and write one atomically
// (temp file + fsync + rename) with a given mode, so secrets are never briefly world-readable.
#pragma once

#include <string>
#include <sys/types.h>

#include "common/result.h"

namespace clearway::app {

// ReadFile() returns the contents; kNotFound "file-not-found" if it cannot be opened.
Result<std::string> ReadFile(const std::string& path);

// WriteFileAtomic() writes `contents` to `path` with `mode` (e.g. 0600); kUnavailable on failure.
Status WriteFileAtomic(const std::string& path, const std::string& contents, mode_t mode);

}  // namespace clearway::app
