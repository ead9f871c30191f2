// File: store/postgres/url.h
//
// PostgreSQL store URLs as Clearway shows and recognises them. Thread-safe, no I/O.
#pragma once

#include <string>
#include <string_view>

namespace clearway::store::postgres {

// RedactUrl() is `url` with any password replaced by "***", for messages and logs:
// "postgres://u:secret@h/db" -> "postgres://u:***@h/db".
std::string RedactUrl(std::string_view url);

// IsPostgresUrl() is true for "postgres://…" and "postgresql://…".
bool IsPostgresUrl(std::string_view url);

}  // namespace clearway::store::postgres
