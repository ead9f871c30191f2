// File: store/postgres/queries.h  (internal to the PostgreSQL backend)
//
// The read queries of PostgresStore, one function per Store read, each on a connection the
// caller holds. They mirror store/sqlite/queries.h; the SQL differs only in its placeholders.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/postgres/pg_connection.h"
#include "store/store.h"

namespace clearway::store::postgres::internal {

inline constexpr std::string_view kDeclarationColumnList =
    "d.id, d.version, d.organisation_id, d.declarant_id, d.office, d.type, d.status, d.channel,"
    " d.hs_chapters, d.created_at, d.updated_at, d.payload, d.salt";
inline constexpr std::string_view kTransitionColumnList =
    "declaration_id, sequence, version, from_status, to_status, channel, actor, reason, at, salt";
inline constexpr std::string_view kAssessmentColumnList =
    "declaration_id, version, at, quote, risk, salt";
inline constexpr std::string_view kSecurityEventColumnList =
    "id, at, type, outcome, actor, event, salt";

// Read…Row() read one row of the column lists above, starting at column `first`; `has_salt`
// tells whether the stored salt is present and 32 bytes.
DeclarationRow ReadDeclarationRow(const PgRows& rows, int row, int first, bool& has_salt);
TransitionRow ReadTransitionRow(const PgRows& rows, int row, int first, bool& has_salt);
AssessmentRow ReadAssessmentRow(const PgRows& rows, int row, int first, bool& has_salt);
SecurityEventRow ReadSecurityEventRow(const PgRows& rows, int row, int first, bool& has_salt);

Result<DeclarationRow> QueryDeclaration(PgConnection& db, const std::string& id,
                                        std::optional<int64_t> version);
Result<std::vector<DeclarationRow>> QueryVersions(PgConnection& db, const std::string& id);
Result<DeclarationPage> QueryDeclarationPage(PgConnection& db, const DeclarationFilter& filter,
                                             const PageRequest& page);
Result<std::vector<TransitionRow>> QueryTransitions(PgConnection& db, const std::string& id);
Result<IdempotencyRow> QueryIdempotency(PgConnection& db, const std::string& principal,
                                        const std::string& key);
Result<int64_t> QueryDeclarationCount(PgConnection& db);
Result<AssessmentRow> QueryAssessment(PgConnection& db, const std::string& declaration_id,
                                      int64_t version);
Result<SecurityEventPage> QuerySecurityEventPage(PgConnection& db,
                                                 const SecurityEventFilter& filter,
                                                 const PageRequest& page);

Result<DataKeyRow> QueryDataKey(PgConnection& db, const std::string& declaration_id);
Result<std::vector<DataKeyRow>> QueryDataKeysToRewrap(PgConnection& db, const std::string& kek_id,
                                                      int64_t kek_version,
                                                      const std::string& after_id, int limit);
Result<std::vector<KekUsage>> QueryKekUsage(PgConnection& db);

// Retention (retention_queries.cc), as store/sqlite/queries.h.
Result<std::vector<LegalHold>> QueryLegalHolds(PgConnection& db, bool include_released);
Result<LegalHold> QueryLegalHold(PgConnection& db, const std::string& id);
Result<std::vector<ClosedDeclaration>> QueryClosedDeclarations(
    PgConnection& db, const std::vector<std::string>& final_statuses, Timestamp closed_before,
    const std::optional<std::pair<Timestamp, std::string>>& after, int limit);
Result<PurgedDeclarationRow> QueryPurgedDeclaration(PgConnection& db, const std::string& id);
Status VisitLegalHolds(PgConnection& db,
                       const std::function<Status(const LegalHoldRow&, bool)>& visit);
Status VisitHoldReleases(PgConnection& db,
                         const std::function<Status(const HoldReleaseRow&, bool)>& visit);
Status VisitPurges(PgConnection& db, const std::function<Status(const PurgeRow&, bool)>& visit);

}  // namespace clearway::store::postgres::internal
