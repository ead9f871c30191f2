// File: store/sqlite/queries.h  (internal to the SQLite backend)
//
// The read side of the SQLite store: each function runs on a connection the caller holds
// exclusively (a read-pool lease) and returns the Store interface's rows and errors.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace clearway::store::sqlite::internal {

Result<DeclarationRow> QueryDeclaration(Connection& db, const std::string& id,
                                        std::optional<int64_t> version);
Result<std::vector<DeclarationRow>> QueryVersions(Connection& db, const std::string& id);
Result<DeclarationPage> QueryDeclarationPage(Connection& db, const DeclarationFilter& filter,
                                             const PageRequest& page);
Result<std::vector<TransitionRow>> QueryTransitions(Connection& db, const std::string& id);
Result<IdempotencyRow> QueryIdempotency(Connection& db, const std::string& principal,
                                        const std::string& key);
Result<int64_t> QueryDeclarationCount(Connection& db);

}  // namespace clearway::store::sqlite::internal
