// File: store/sqlite/queries.h  (internal to the SQLite backend)
//
// The read side of the SQLite store: each function runs on a connection the caller holds
// exclusively (a read-pool lease) and returns the Store interface's rows and errors.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace clearway::store::sqlite::internal {

// Columns of a declaration version (table aliased "d") and of a transition, in the order
// ReadDeclarationRow() and ReadTransitionRow() expect; both end with the salt.
inline constexpr std::string_view kDeclarationColumnList =
    "d.id, d.version, d.organisation_id, d.declarant_id, d.office, d.type, d.status, d.channel,"
    " d.hs_chapters, d.created_at, d.updated_at, d.payload, d.salt";
inline constexpr std::string_view kTransitionColumnList =
    "declaration_id, sequence, version, from_status, to_status, channel, actor, reason, at, salt";

inline constexpr std::string_view kAssessmentColumnList =
    "declaration_id, version, at, quote, risk, salt";
inline constexpr std::string_view kSecurityEventColumnList =
    "id, at, type, outcome, actor, event, salt";

// ReadDeclarationRow() / ReadTransitionRow() read the columns above from `first` on;
// `has_salt` tells whether a 32-byte salt was stored.
DeclarationRow ReadDeclarationRow(const Statement& stmt, int first, bool& has_salt);
TransitionRow ReadTransitionRow(const Statement& stmt, int first, bool& has_salt);
AssessmentRow ReadAssessmentRow(const Statement& stmt, int first, bool& has_salt);
SecurityEventRow ReadSecurityEventRow(const Statement& stmt, int first, bool& has_salt);

Result<DeclarationRow> QueryDeclaration(Connection& db, const std::string& id,
                                        std::optional<int64_t> version);
Result<std::vector<DeclarationRow>> QueryVersions(Connection& db, const std::string& id);
Result<DeclarationPage> QueryDeclarationPage(Connection& db, const DeclarationFilter& filter,
                                             const PageRequest& page);
Result<std::vector<TransitionRow>> QueryTransitions(Connection& db, const std::string& id);
Result<IdempotencyRow> QueryIdempotency(Connection& db, const std::string& principal,
                                        const std::string& key);
Result<int64_t> QueryDeclarationCount(Connection& db);
Result<AssessmentRow> QueryAssessment(Connection& db, const std::string& declaration_id,
                                      int64_t version);
Result<SecurityEventPage> QuerySecurityEventPage(Connection& db,
                                                 const SecurityEventFilter& filter,
                                                 const PageRequest& page);

Result<DataKeyRow> QueryDataKey(Connection& db, const std::string& declaration_id);
Result<std::vector<DataKeyRow>> QueryDataKeysToRewrap(Connection& db, const std::string& kek_id,
                                                      int64_t kek_version,
                                                      const std::string& after_id, int limit);
Result<std::vector<KekUsage>> QueryKekUsage(Connection& db);

// Retention (retention_queries.cc).
Result<std::vector<LegalHold>> QueryLegalHolds(Connection& db, bool include_released);
Result<LegalHold> QueryLegalHold(Connection& db, const std::string& id);
Result<std::vector<ClosedDeclaration>> QueryClosedDeclarations(
    Connection& db, const std::vector<std::string>& final_statuses, Timestamp closed_before,
    const std::optional<std::pair<Timestamp, std::string>>& after, int limit);
Result<PurgedDeclarationRow> QueryPurgedDeclaration(Connection& db, const std::string& id);
// VisitLegalHolds(), VisitHoldReleases() and VisitPurges() walk every row (the audit).
Status VisitLegalHolds(Connection& db,
                       const std::function<Status(const LegalHoldRow&, bool)>& visit);
Status VisitHoldReleases(Connection& db,
                         const std::function<Status(const HoldReleaseRow&, bool)>& visit);
Status VisitPurges(Connection& db, const std::function<Status(const PurgeRow&, bool)>& visit);

}  // namespace clearway::store::sqlite::internal
