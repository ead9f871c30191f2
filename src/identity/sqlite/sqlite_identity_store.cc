#include "identity/sqlite/sqlite_identity_store.h"

#include <algorithm>
#include <utility>

#include "identity/sqlite/db.h"
#include "identity/sqlite/schema.h"

namespace clearway::identity::sqlite {

using internal::Db;
using internal::Query;

namespace {

Error OrganisationNotFound(std::string_view id) {
  return Error::NotFound("organisation-not-found", "no organisation " + std::string(id));
}

Error TokenUnknown() { return Error::NotFound("token-unknown", "no such token"); }

Error Corrupt(std::string_view what) {
  return Error::DataLoss("identity-store-corrupt", "identity store: unreadable " +
                                                       std::string(what));
}

std::string_view KindText(TokenKind kind) { return kind == TokenKind::kApi ? "api" : "session"; }

constexpr const char* kTokenColumns =
    "hash, user_id, kind, scopes, issued_at, expires_at, absolute_expires_at, revoked";

Result<TokenRecord> TokenFromRow(const Query& q) {
  TokenRecord record;
  std::vector<uint8_t> hash = q.Blob(0);
  if (hash.size() != record.hash.size()) return Corrupt("token hash");
  std::copy(hash.begin(), hash.end(), record.hash.begin());
  record.user_id = q.Text(1);
  std::string kind = q.Text(2);
  if (kind == "session") {
    record.kind = TokenKind::kSession;
  } else if (kind == "api") {
    record.kind = TokenKind::kApi;
  } else {
    return Corrupt("token kind");
  }
  std::string scopes = q.Text(3);
  if (!scopes.empty()) {
    auto parsed = ParseTokenScopes(scopes);
    if (!parsed.ok()) return Corrupt("token scopes");
    record.scopes = std::move(parsed).value();
  }
  record.issued_at = q.Time(4);
  record.expires_at = q.Time(5);
  record.absolute_expires_at = q.Time(6);
  record.revoked = q.Int(7) != 0;
  return record;
}

Result<Organisation> OrganisationFromRow(const Query& q) {
  Organisation organisation;
  organisation.id = q.Text(0);
  organisation.name = q.Text(1);
  auto kind = ParseOrganisationKind(q.Text(2));
  if (!kind.ok()) return Corrupt("organisation kind");
  organisation.kind = *kind;
  organisation.require_mfa = q.Int(3) != 0;
  organisation.created_at = q.Time(4);
  return organisation;
}

}  // namespace

SqliteIdentityStore::SqliteIdentityStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}
SqliteIdentityStore::~SqliteIdentityStore() = default;

Result<std::unique_ptr<SqliteIdentityStore>> SqliteIdentityStore::Open(const std::string& path) {
  CW_ASSIGN_OR_RETURN(auto db, Db::Open(path));
  CW_RETURN_IF_ERROR(internal::Migrate(*db, SystemClock().Now()));
  return std::unique_ptr<SqliteIdentityStore>(new SqliteIdentityStore(std::move(db)));
}

// ---- Organisations and delegations ----------------------------------------------------------

Status SqliteIdentityStore::AddOrganisation(const Organisation& organisation) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(Query q, db_->Prepare("INSERT INTO organisations (id, name, kind, "
                                            "require_mfa, created_at) VALUES (?1, ?2, ?3, ?4, ?5)"));
  q.Bind(1, organisation.id);
  q.Bind(2, organisation.name);
  q.Bind(3, OrganisationKindName(organisation.kind));
  q.Bind(4, int64_t{organisation.require_mfa ? 1 : 0});
  q.Bind(5, organisation.created_at);
  Status inserted = q.Run();
  if (!inserted.ok() && q.unique_violation()) {
    return Error::AlreadyExists("organisation-exists",
                                "organisation " + organisation.id + " exists");
  }
  return inserted;
}

Result<Organisation> SqliteIdentityStore::OrganisationLocked(std::string_view id) const {
  CW_ASSIGN_OR_RETURN(Query q, db_->Prepare("SELECT id, name, kind, require_mfa, created_at "
                                            "FROM organisations WHERE id = ?1"));
  q.Bind(1, id);
  CW_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return OrganisationNotFound(id);
  return OrganisationFromRow(q);
}

Result<Organisation> SqliteIdentityStore::GetOrganisation(std::string_view id) const {
  std::scoped_lock lock(mu_);
  return OrganisationLocked(id);
}

Result<std::vector<Organisation>> SqliteIdentityStore::ListOrganisations() const {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(Query q, db_->Prepare("SELECT id, name, kind, require_mfa, created_at "
                                            "FROM organisations ORDER BY id"));
  std::vector<Organisation> out;
  while (true) {
    CW_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    CW_ASSIGN_OR_RETURN(Organisation organisation, OrganisationFromRow(q));
    out.push_back(std::move(organisation));
  }
  return out;
}

Status SqliteIdentityStore::AddDelegation(const Delegation& delegation) {
  if (delegation.valid_to.has_value() && *delegation.valid_to <= delegation.valid_from) {
    return Error::InvalidArgument("valid_to", "bad-delegation",
                                  "a delegation must end after it starts");
  }
  std::scoped_lock lock(mu_);
  // The kinds are checked and the row written in one transaction, so a concurrent writer in
  // another process cannot slip in between.
  CW_ASSIGN_OR_RETURN(internal::Transaction tx, internal::Transaction::Begin(*db_));
  auto trader = OrganisationLocked(delegation.trader_id);
  if (!trader.ok()) return std::move(trader).error();
  if (trader->kind != OrganisationKind::kTrader) return OrganisationNotFound(delegation.trader_id);
  auto broker = OrganisationLocked(delegation.broker_id);
  if (!broker.ok()) return std::move(broker).error();
  if (broker->kind != OrganisationKind::kBroker) return OrganisationNotFound(delegation.broker_id);
  {
    CW_ASSIGN_OR_RETURN(Query q, db_->Prepare("INSERT INTO delegations (trader_id, broker_id, "
                                              "valid_from, valid_to) VALUES (?1, ?2, ?3, ?4)"));
    q.Bind(1, delegation.trader_id);
    q.Bind(2, delegation.broker_id);
    q.Bind(3, delegation.valid_from);
    if (delegation.valid_to.has_value()) {
      q.Bind(4, *delegation.valid_to);
    } else {
      q.BindNull(4);
    }
    CW_RETURN_IF_ERROR(q.Run());
  }
  return tx.Commit();
}

Result<std::vector<Delegation>> SqliteIdentityStore::DelegationsTo(
    std::string_view broker_id) const {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(Query q, db_->Prepare("SELECT trader_id, broker_id, valid_from, valid_to "
                                            "FROM delegations WHERE broker_id = ?1 "
                                            "ORDER BY trader_id, valid_from, id"));
  q.Bind(1, broker_id);
  std::vector<Delegation> out;
  while (true) {
    CW_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    Delegation delegation;
    delegation.trader_id = q.Text(0);
    delegation.broker_id = q.Text(1);
    delegation.valid_from = q.Time(2);
    if (!q.IsNull(3)) delegation.valid_to = q.Time(3);
    out.push_back(std::move(delegation));
  }
  return out;
}

// ---- Tokens ---------------------------------------------------------------------------------

Status SqliteIdentityStore::Put(const TokenRecord& record) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(Query q, db_->Prepare(std::string("INSERT INTO tokens (") + kTokenColumns +
                                            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  q.BindBlob(1, record.hash);
  q.Bind(2, record.user_id);
  q.Bind(3, KindText(record.kind));
  q.Bind(4, FormatTokenScopes(record.scopes));
  q.Bind(5, record.issued_at);
  q.Bind(6, record.expires_at);
  q.Bind(7, record.absolute_expires_at);
  q.Bind(8, int64_t{record.revoked ? 1 : 0});
  Status inserted = q.Run();
  if (!inserted.ok() && q.unique_violation()) {
    return Error::AlreadyExists("token-exists", "a token with this hash exists");
  }
  return inserted;
}

Result<TokenRecord> SqliteIdentityStore::FindByHash(const TokenHash& hash) const {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(Query q, db_->Prepare(std::string("SELECT ") + kTokenColumns +
                                            " FROM tokens WHERE hash = ?1"));
  q.BindBlob(1, hash);
  CW_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return TokenUnknown();
  return TokenFromRow(q);
}

Status SqliteIdentityStore::SetExpiry(const TokenHash& hash, Timestamp expires_at) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(Query q, db_->Prepare("UPDATE tokens SET expires_at = ?2 WHERE hash = ?1"));
  q.BindBlob(1, hash);
  q.Bind(2, expires_at);
  CW_RETURN_IF_ERROR(q.Run());
  if (db_->Changes() == 0) return TokenUnknown();
  return OkStatus();
}

Status SqliteIdentityStore::Revoke(const TokenHash& hash) {
  std::scoped_lock lock(mu_);
  // Setting revoked again changes the row too, so changes() tells only whether it exists.
  CW_ASSIGN_OR_RETURN(Query q, db_->Prepare("UPDATE tokens SET revoked = 1 WHERE hash = ?1"));
  q.BindBlob(1, hash);
  CW_RETURN_IF_ERROR(q.Run());
  if (db_->Changes() == 0) return TokenUnknown();
  return OkStatus();
}

Result<size_t> SqliteIdentityStore::RevokeAllForUser(std::string_view user_id) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(Query q, db_->Prepare("UPDATE tokens SET revoked = 1 "
                                            "WHERE user_id = ?1 AND revoked = 0"));
  q.Bind(1, user_id);
  CW_RETURN_IF_ERROR(q.Run());
  return static_cast<size_t>(db_->Changes());
}

Result<size_t> SqliteIdentityStore::PurgeSessions(Timestamp ended_before, bool dry_run) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(Query q, db_->Prepare(dry_run ? "SELECT count(*) FROM tokens"
                                                      " WHERE kind = 'session' AND expires_at < ?1"
                                                    : "DELETE FROM tokens"
                                                      " WHERE kind = 'session' AND expires_at < ?1"));
  q.Bind(1, ended_before);
  if (dry_run) {
    CW_ASSIGN_OR_RETURN(bool has_row, q.Step());
    return has_row ? static_cast<size_t>(q.Int(0)) : size_t{0};
  }
  CW_RETURN_IF_ERROR(q.Run());
  return static_cast<size_t>(db_->Changes());
}

}  // namespace clearway::identity::sqlite
