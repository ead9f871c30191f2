#include "identity/postgres/postgres_identity_store.h"

#include <algorithm>
#include <utility>

#include "identity/postgres/internal.h"
#include "identity/postgres/schema.h"
#include "store/postgres/connection_pool.h"
#include "store/postgres/url.h"

namespace clearway::identity::postgres {

using internal::Corrupt;
using internal::Mapped;
using internal::OrganisationNotFound;
using internal::PgConnection;
using internal::PgParams;
using internal::PgRows;
using internal::Transact;
using store::postgres::internal::ConnectionPool;
using store::postgres::internal::kUniqueViolation;

namespace {

Error TokenUnknown() { return Error::NotFound("token-unknown", "no such token"); }

std::string_view KindText(TokenKind kind) { return kind == TokenKind::kApi ? "api" : "session"; }

constexpr const char* kTokenColumns =
    "hash, user_id, kind, scopes, issued_at, expires_at, absolute_expires_at, revoked";
constexpr const char* kOrganisationColumns = "id, name, kind, require_mfa, created_at";

Result<TokenRecord> TokenFromRow(const PgRows& rows, int row) {
  TokenRecord record;
  const std::string hash = rows.Bytes(row, 0);
  if (hash.size() != record.hash.size()) return Corrupt("token hash");
  std::copy(hash.begin(), hash.end(), record.hash.begin());
  record.user_id = rows.Text(row, 1);
  const std::string kind = rows.Text(row, 2);
  if (kind == "session") {
    record.kind = TokenKind::kSession;
  } else if (kind == "api") {
    record.kind = TokenKind::kApi;
  } else {
    return Corrupt("token kind");
  }
  const std::string scopes = rows.Text(row, 3);
  if (!scopes.empty()) {
    auto parsed = ParseTokenScopes(scopes);
    if (!parsed.ok()) return Corrupt("token scopes");
    record.scopes = std::move(parsed).value();
  }
  record.issued_at = rows.Time(row, 4);
  record.expires_at = rows.Time(row, 5);
  record.absolute_expires_at = rows.Time(row, 6);
  record.revoked = rows.Int(row, 7) != 0;
  return record;
}

Result<Organisation> OrganisationFromRow(const PgRows& rows, int row) {
  Organisation organisation;
  organisation.id = rows.Text(row, 0);
  organisation.name = rows.Text(row, 1);
  auto kind = ParseOrganisationKind(rows.Text(row, 2));
  if (!kind.ok()) return Corrupt("organisation kind");
  organisation.kind = *kind;
  organisation.require_mfa = rows.Int(row, 3) != 0;
  organisation.created_at = rows.Time(row, 4);
  return organisation;
}

Result<Organisation> ReadOrganisation(PgConnection& db, std::string_view id) {
  CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(std::string("SELECT ") + kOrganisationColumns +
                                              " FROM identity_organisations WHERE id = $1",
                                          PgParams().Text(id)));
  if (rows.size() == 0) return OrganisationNotFound(id);
  return OrganisationFromRow(rows, 0);
}

}  // namespace

PostgresIdentityStore::PostgresIdentityStore(std::unique_ptr<ConnectionPool> pool)
    : pool_(std::move(pool)) {}
PostgresIdentityStore::~PostgresIdentityStore() = default;

int64_t PostgresIdentityStore::SchemaVersion() { return internal::IdentityMigrationCount(); }

Result<std::unique_ptr<PostgresIdentityStore>> PostgresIdentityStore::Open(
    const PostgresIdentityOptions& options) {
  CW_ASSIGN_OR_RETURN(auto pool, Mapped(store::postgres::internal::OpenModulePool(
                                      options.url, options.application_name, options.connections,
                                      "bad-identity-store-option", internal::IdentityMigrations())));
  return std::unique_ptr<PostgresIdentityStore>(new PostgresIdentityStore(std::move(pool)));
}

// ---- Organisations and delegations ----------------------------------------------------------

Status PostgresIdentityStore::AddOrganisation(const Organisation& organisation) {
  return Mapped(pool_->WithStatus(
      [&organisation](PgConnection& db) -> Status {
        Result<PgRows> inserted =
            db.Run("INSERT INTO identity_organisations (id, name, kind, require_mfa, created_at)"
                   " VALUES ($1, $2, $3, $4, $5)",
                   PgParams()
                       .Text(organisation.id)
                       .Text(organisation.name)
                       .Text(OrganisationKindName(organisation.kind))
                       .Int(organisation.require_mfa ? 1 : 0)
                       .Time(organisation.created_at));
        if (!inserted.ok() && db.last_sqlstate() == kUniqueViolation) {
          return Error::AlreadyExists("organisation-exists",
                                      "organisation " + organisation.id + " exists");
        }
        if (!inserted.ok()) return std::move(inserted).error();
        return OkStatus();
      },
      /*retry=*/false));
}

Result<Organisation> PostgresIdentityStore::GetOrganisation(std::string_view id) const {
  return internal::NotStorableAsNotFound(
      Mapped(pool_->With<Organisation>(
          [id](PgConnection& db) { return ReadOrganisation(db, id); })),
      OrganisationNotFound(id));
}

Result<std::vector<Organisation>> PostgresIdentityStore::ListOrganisations() const {
  return Mapped(pool_->With<std::vector<Organisation>>(
      [](PgConnection& db) -> Result<std::vector<Organisation>> {
        CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(std::string("SELECT ") + kOrganisationColumns +
                                                " FROM identity_organisations ORDER BY id"));
        std::vector<Organisation> out;
        for (int row = 0; row < rows.size(); ++row) {
          CW_ASSIGN_OR_RETURN(Organisation organisation, OrganisationFromRow(rows, row));
          out.push_back(std::move(organisation));
        }
        return out;
      }));
}

Status PostgresIdentityStore::AddDelegation(const Delegation& delegation) {
  if (delegation.valid_to.has_value() && *delegation.valid_to <= delegation.valid_from) {
    return Error::InvalidArgument("valid_to", "bad-delegation",
                                  "a delegation must end after it starts");
  }
  return Mapped(pool_->WithStatus(
      [&delegation](PgConnection& conn) {
        // The kinds are checked and the row written in one transaction; organisations are never
        // deleted nor change kind, so what was checked still holds at commit.
        return Transact(conn, [&delegation](PgConnection& db) -> Status {
          CW_ASSIGN_OR_RETURN(Organisation trader, ReadOrganisation(db, delegation.trader_id));
          if (trader.kind != OrganisationKind::kTrader) {
            return OrganisationNotFound(delegation.trader_id);
          }
          CW_ASSIGN_OR_RETURN(Organisation broker, ReadOrganisation(db, delegation.broker_id));
          if (broker.kind != OrganisationKind::kBroker) {
            return OrganisationNotFound(delegation.broker_id);
          }
          PgParams params;
          params.Text(delegation.trader_id).Text(delegation.broker_id).Time(delegation.valid_from);
          if (delegation.valid_to.has_value()) {
            params.Time(*delegation.valid_to);
          } else {
            params.Null();
          }
          CW_ASSIGN_OR_RETURN(PgRows inserted,
                              db.Run("INSERT INTO identity_delegations (trader_id, broker_id, "
                                     "valid_from, valid_to) VALUES ($1, $2, $3, $4)",
                                     params));
          static_cast<void>(inserted);
          return OkStatus();
        });
      },
      /*retry=*/false));
}

Result<std::vector<Delegation>> PostgresIdentityStore::DelegationsTo(
    std::string_view broker_id) const {
  return Mapped(pool_->With<std::vector<Delegation>>(
      [broker_id](PgConnection& db) -> Result<std::vector<Delegation>> {
        CW_ASSIGN_OR_RETURN(PgRows rows,
                            db.Run("SELECT trader_id, broker_id, valid_from, valid_to "
                                   "FROM identity_delegations WHERE broker_id = $1 "
                                   "ORDER BY trader_id, valid_from, id",
                                   PgParams().Text(broker_id)));
        std::vector<Delegation> out;
        for (int row = 0; row < rows.size(); ++row) {
          Delegation delegation;
          delegation.trader_id = rows.Text(row, 0);
          delegation.broker_id = rows.Text(row, 1);
          delegation.valid_from = rows.Time(row, 2);
          if (!rows.IsNull(row, 3)) delegation.valid_to = rows.Time(row, 3);
          out.push_back(std::move(delegation));
        }
        return out;
      }));
}

// ---- Tokens ---------------------------------------------------------------------------------

Status PostgresIdentityStore::Put(const TokenRecord& record) {
  return Mapped(pool_->WithStatus(
      [&record](PgConnection& db) -> Status {
        Result<PgRows> inserted =
            db.Run(std::string("INSERT INTO identity_tokens (") + kTokenColumns +
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                   PgParams()
                       .Bytes(record.hash)
                       .Text(record.user_id)
                       .Text(KindText(record.kind))
                       .Text(FormatTokenScopes(record.scopes))
                       .Time(record.issued_at)
                       .Time(record.expires_at)
                       .Time(record.absolute_expires_at)
                       .Int(record.revoked ? 1 : 0));
        if (!inserted.ok() && db.last_sqlstate() == kUniqueViolation) {
          return Error::AlreadyExists("token-exists", "a token with this hash exists");
        }
        if (!inserted.ok()) return std::move(inserted).error();
        return OkStatus();
      },
      /*retry=*/false));
}

Result<TokenRecord> PostgresIdentityStore::FindByHash(const TokenHash& hash) const {
  // Looked up by the hash (the primary key), never by comparing token text.
  return Mapped(pool_->With<TokenRecord>([&hash](PgConnection& db) -> Result<TokenRecord> {
    CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(std::string("SELECT ") + kTokenColumns +
                                                " FROM identity_tokens WHERE hash = $1",
                                            PgParams().Bytes(hash)));
    if (rows.size() == 0) return TokenUnknown();
    return TokenFromRow(rows, 0);
  }));
}

Status PostgresIdentityStore::SetExpiry(const TokenHash& hash, Timestamp expires_at) {
  return Mapped(pool_->WithStatus(
      [&](PgConnection& db) -> Status {
        CW_ASSIGN_OR_RETURN(PgRows updated,
                            db.Run("UPDATE identity_tokens SET expires_at = $2 WHERE hash = $1",
                                   PgParams().Bytes(hash).Time(expires_at)));
        if (updated.affected() == 0) return TokenUnknown();
        return OkStatus();
      },
      /*retry=*/false));
}

Status PostgresIdentityStore::Revoke(const TokenHash& hash) {
  return Mapped(pool_->WithStatus(
      [&hash](PgConnection& db) -> Status {
        // Revoking again updates the row too, so the count tells only whether it exists.
        CW_ASSIGN_OR_RETURN(PgRows updated,
                            db.Run("UPDATE identity_tokens SET revoked = TRUE WHERE hash = $1",
                                   PgParams().Bytes(hash)));
        if (updated.affected() == 0) return TokenUnknown();
        return OkStatus();
      },
      /*retry=*/false));
}

Result<size_t> PostgresIdentityStore::RevokeAllForUser(std::string_view user_id) {
  size_t revoked = 0;
  Status done = pool_->WithStatus(
      [&](PgConnection& db) -> Status {
        CW_ASSIGN_OR_RETURN(PgRows updated,
                            db.Run("UPDATE identity_tokens SET revoked = TRUE "
                                   "WHERE user_id = $1 AND NOT revoked",
                                   PgParams().Text(user_id)));
        revoked = static_cast<size_t>(updated.affected());
        return OkStatus();
      },
      /*retry=*/false);
  if (!done.ok()) return internal::IdentityError(std::move(done).error());
  return revoked;
}

Result<size_t> PostgresIdentityStore::PurgeSessions(Timestamp ended_before, bool dry_run) {
  size_t purged = 0;
  Status done = pool_->WithStatus(
      [&](PgConnection& db) -> Status {
        const char* sql = dry_run ? "SELECT count(*)::bigint FROM identity_tokens"
                                    " WHERE kind = 'session' AND expires_at < $1"
                                  : "DELETE FROM identity_tokens"
                                    " WHERE kind = 'session' AND expires_at < $1";
        CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(sql, PgParams().Time(ended_before)));
        purged = static_cast<size_t>(dry_run ? rows.Int(0, 0) : rows.affected());
        return OkStatus();
      },
      /*retry=*/false);
  if (!done.ok()) return internal::IdentityError(std::move(done).error());
  return purged;
}

}  // namespace clearway::identity::postgres
