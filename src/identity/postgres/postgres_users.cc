// PostgresIdentityStore: users, their offices, second factors and recovery codes.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

#include "identity/postgres/internal.h"
#include "identity/postgres/postgres_identity_store.h"
#include "store/postgres/connection_pool.h"

namespace clearway::identity::postgres {

using internal::BytesOf;
using internal::Corrupt;
using internal::Mapped;
using internal::PgConnection;
using internal::PgParams;
using internal::PgRows;
using internal::Transact;
using store::postgres::internal::kForeignKeyViolation;

namespace {

constexpr const char* kUserColumns =
    "username, organisation_id, role, service_account, disabled, password_hash, totp_secret, "
    "totp_algorithm, totp_confirmed, totp_last_step, created_at";

// A snapshot for reads that span several statements (a user row, its offices and its codes).
constexpr const char* kReadSnapshot = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

Error UserNotFound() { return Error::NotFound("user-not-found", "no such user"); }

Error NotEnrolled() {
  return Error::FailedPrecondition("mfa-not-enrolled", "the user has no TOTP factor");
}

Result<StoredUser> UserFromRow(const PgRows& rows, int row) {
  StoredUser user;
  user.username = rows.Text(row, 0);
  user.organisation_id = rows.Text(row, 1);
  auto role = ParseRole(rows.Text(row, 2));
  if (!role.ok()) return Corrupt("role");
  user.role = *role;
  user.service_account = rows.Int(row, 3) != 0;
  user.disabled = rows.Int(row, 4) != 0;
  user.password_hash = rows.Text(row, 5);
  if (!rows.IsNull(row, 6)) {
    TotpFactor factor;
    factor.secret = BytesOf(rows.Bytes(row, 6));
    auto algorithm = ParseTotpAlgorithm(rows.Text(row, 7));
    if (!algorithm.ok()) return Corrupt("TOTP algorithm");
    factor.algorithm = *algorithm;
    factor.confirmed = rows.Int(row, 8) != 0;
    factor.last_used_step = rows.Int(row, 9);
    user.totp = std::move(factor);
  }
  user.created_at = rows.Time(row, 10);
  return user;
}

// An index as PostgreSQL's BIGINT; past INT64_MAX it matches no row either way.
int64_t SqlIndex(size_t index) {
  constexpr auto kMax = static_cast<size_t>(std::numeric_limits<int64_t>::max());
  return static_cast<int64_t>(std::min(index, kMax));
}

void AddTotp(PgParams& params, const std::optional<TotpFactor>& totp) {
  if (!totp.has_value()) {
    params.Null().Null().Null().Null();
    return;
  }
  params.Bytes(totp->secret)
      .Text(TotpAlgorithmName(totp->algorithm))
      .Int(totp->confirmed ? 1 : 0)
      .Int(totp->last_used_step);
}

Status WriteOffices(PgConnection& db, std::string_view username,
                    const std::vector<std::string>& offices) {
  CW_ASSIGN_OR_RETURN(PgRows cleared, db.Run("DELETE FROM identity_user_offices "
                                             "WHERE username = $1",
                                             PgParams().Text(username)));
  static_cast<void>(cleared);
  for (size_t idx = 0; idx < offices.size(); ++idx) {
    CW_ASSIGN_OR_RETURN(PgRows inserted,
                        db.Run("INSERT INTO identity_user_offices (username, idx, office) "
                               "VALUES ($1, $2, $3)",
                               PgParams().Text(username).Int(SqlIndex(idx)).Text(offices[idx])));
    static_cast<void>(inserted);
  }
  return OkStatus();
}

Status WriteRecoveryCodes(PgConnection& db, std::string_view username,
                          const std::vector<StoredRecoveryCode>& codes) {
  CW_ASSIGN_OR_RETURN(PgRows cleared, db.Run("DELETE FROM identity_recovery_codes "
                                             "WHERE username = $1",
                                             PgParams().Text(username)));
  static_cast<void>(cleared);
  for (size_t idx = 0; idx < codes.size(); ++idx) {
    CW_ASSIGN_OR_RETURN(PgRows inserted,
                        db.Run("INSERT INTO identity_recovery_codes (username, idx, hash, used) "
                               "VALUES ($1, $2, $3, $4)",
                               PgParams()
                                   .Text(username)
                                   .Int(SqlIndex(idx))
                                   .Bytes(codes[idx].hash)
                                   .Int(codes[idx].used ? 1 : 0)));
    static_cast<void>(inserted);
  }
  return OkStatus();
}

// RequireUser() is user-not-found unless the user exists; with `lock`, it also locks the row
// until the transaction ends (FOR UPDATE), so that writers of its dependent rows take turns.
Status RequireUser(PgConnection& db, std::string_view username, bool lock = false) {
  CW_ASSIGN_OR_RETURN(PgRows rows,
                      db.Run(lock ? "SELECT 1 FROM identity_users WHERE username = $1 FOR UPDATE"
                                  : "SELECT 1 FROM identity_users WHERE username = $1",
                             PgParams().Text(username)));
  if (rows.size() == 0) return UserNotFound();
  return OkStatus();
}

Status FillUser(PgConnection& db, StoredUser& user) {
  CW_ASSIGN_OR_RETURN(PgRows offices, db.Run("SELECT office FROM identity_user_offices "
                                             "WHERE username = $1 ORDER BY idx",
                                             PgParams().Text(user.username)));
  for (int row = 0; row < offices.size(); ++row) user.offices.push_back(offices.Text(row, 0));
  CW_ASSIGN_OR_RETURN(PgRows codes, db.Run("SELECT hash, used FROM identity_recovery_codes "
                                           "WHERE username = $1 ORDER BY idx",
                                           PgParams().Text(user.username)));
  for (int row = 0; row < codes.size(); ++row) {
    StoredRecoveryCode code;
    const std::string hash = codes.Bytes(row, 0);
    if (hash.size() != code.hash.size()) return Corrupt("recovery code");
    std::copy(hash.begin(), hash.end(), code.hash.begin());
    code.used = codes.Int(row, 1) != 0;
    user.recovery_codes.push_back(code);
  }
  return OkStatus();
}

// ReadUsers() reads the users `where` selects ($1 = key, unless key is empty), by username,
// with their offices and codes, from one snapshot.
Result<std::vector<StoredUser>> ReadUsers(PgConnection& conn, std::string_view where,
                                          std::string_view key) {
  std::vector<StoredUser> users;
  Status read = Transact(
      conn,
      [&](PgConnection& db) -> Status {
        PgParams params;
        if (!key.empty()) params.Text(key);
        CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(std::string("SELECT ") + kUserColumns +
                                                    " FROM identity_users " + std::string(where) +
                                                    " ORDER BY username",
                                                params));
        for (int row = 0; row < rows.size(); ++row) {
          CW_ASSIGN_OR_RETURN(StoredUser user, UserFromRow(rows, row));
          users.push_back(std::move(user));
        }
        for (StoredUser& user : users) CW_RETURN_IF_ERROR(FillUser(db, user));
        return OkStatus();
      },
      kReadSnapshot);
  if (!read.ok()) return std::move(read).error();
  return users;
}

}  // namespace

Status PostgresIdentityStore::AddUser(const StoredUser& user) {
  return Mapped(pool_->WithStatus(
      [&user](PgConnection& conn) {
        return Transact(conn, [&user](PgConnection& db) -> Status {
          PgParams params;
          params.Text(user.username)
              .Text(user.organisation_id)
              .Text(RoleName(user.role))
              .Int(user.service_account ? 1 : 0)
              .Int(user.disabled ? 1 : 0)
              .Text(user.password_hash);
          AddTotp(params, user.totp);
          params.Time(user.created_at);
          // ON CONFLICT DO NOTHING keeps the transaction usable when the name is taken (also by
          // a node that added it a moment ago): no row inserted means it exists.
          Result<PgRows> inserted =
              db.Run(std::string("INSERT INTO identity_users (") + kUserColumns +
                         ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
                         "ON CONFLICT (username) DO NOTHING",
                     params);
          if (!inserted.ok() && db.last_sqlstate() == kForeignKeyViolation) {
            return internal::OrganisationNotFound(user.organisation_id);
          }
          if (!inserted.ok()) return std::move(inserted).error();
          if (inserted->affected() == 0) {
            return Error::AlreadyExists("user-exists", "user " + user.username + " exists");
          }
          CW_RETURN_IF_ERROR(WriteOffices(db, user.username, user.offices));
          return WriteRecoveryCodes(db, user.username, user.recovery_codes);
        });
      },
      /*retry=*/false));
}

Result<StoredUser> PostgresIdentityStore::GetUser(std::string_view username) const {
  return internal::NotStorableAsNotFound(
      Mapped(pool_->With<StoredUser>([username](PgConnection& db) -> Result<StoredUser> {
        CW_ASSIGN_OR_RETURN(std::vector<StoredUser> users,
                            ReadUsers(db, "WHERE username = $1", username));
        if (users.empty()) return UserNotFound();
        return std::move(users.front());
      })),
      UserNotFound());
}

Result<std::vector<StoredUser>> PostgresIdentityStore::ListUsers(
    std::string_view organisation_id) const {
  return Mapped(pool_->With<std::vector<StoredUser>>([organisation_id](PgConnection& db) {
    if (organisation_id.empty()) return ReadUsers(db, "", "");
    return ReadUsers(db, "WHERE organisation_id = $1", organisation_id);
  }));
}

namespace {

// UpdateUser() runs an UPDATE of one user row ($1 = username); user-not-found when it changed
// nothing.
Status UpdateUser(PgConnection& db, const std::string& sql, const PgParams& params) {
  CW_ASSIGN_OR_RETURN(PgRows updated, db.Run(sql, params));
  if (updated.affected() == 0) return UserNotFound();
  return OkStatus();
}

}  // namespace

Status PostgresIdentityStore::SetDisabled(std::string_view username, bool disabled) {
  return Mapped(pool_->WithStatus(
      [&](PgConnection& db) {
        return UpdateUser(db, "UPDATE identity_users SET disabled = $2 WHERE username = $1",
                          PgParams().Text(username).Int(disabled ? 1 : 0));
      },
      /*retry=*/false));
}

Status PostgresIdentityStore::SetPasswordHash(std::string_view username,
                                              const std::string& hash) {
  return Mapped(pool_->WithStatus(
      [&](PgConnection& db) {
        return UpdateUser(db, "UPDATE identity_users SET password_hash = $2 WHERE username = $1",
                          PgParams().Text(username).Text(hash));
      },
      /*retry=*/false));
}

Status PostgresIdentityStore::SetRole(std::string_view username, Role role,
                                      const std::vector<std::string>& offices) {
  return Mapped(pool_->WithStatus(
      [&](PgConnection& conn) {
        return Transact(conn, [&](PgConnection& db) -> Status {
          // The UPDATE locks the user row, so two role changes write offices one after another.
          CW_RETURN_IF_ERROR(UpdateUser(db,
                                        "UPDATE identity_users SET role = $2 WHERE username = $1",
                                        PgParams().Text(username).Text(RoleName(role))));
          return WriteOffices(db, username, offices);
        });
      },
      /*retry=*/false));
}

Status PostgresIdentityStore::SetTotp(std::string_view username,
                                      const std::optional<TotpFactor>& totp) {
  PgParams params;
  params.Text(username);
  AddTotp(params, totp);
  return Mapped(pool_->WithStatus(
      [&](PgConnection& db) {
        return UpdateUser(db,
                          "UPDATE identity_users SET totp_secret = $2, totp_algorithm = $3, "
                          "totp_confirmed = $4, totp_last_step = $5 WHERE username = $1",
                          params);
      },
      /*retry=*/false));
}

Status PostgresIdentityStore::ConfirmTotp(std::string_view username, int64_t step) {
  return Mapped(pool_->WithStatus(
      [&](PgConnection& db) -> Status {
        // Never moves last_used_step backwards: a step once used stays used.
        CW_ASSIGN_OR_RETURN(
            PgRows updated,
            db.Run("UPDATE identity_users SET totp_confirmed = TRUE, "
                   "totp_last_step = GREATEST(totp_last_step, $2) "
                   "WHERE username = $1 AND totp_secret IS NOT NULL",
                   PgParams().Text(username).Int(step)));
        if (updated.affected() > 0) return OkStatus();
        CW_RETURN_IF_ERROR(RequireUser(db, username));
        return NotEnrolled();
      },
      /*retry=*/false));
}

Status PostgresIdentityStore::AdvanceTotpStep(std::string_view username, int64_t step) {
  return Mapped(pool_->WithStatus(
      [&](PgConnection& db) -> Status {
        // The compare-and-set: one UPDATE whose condition is the comparison. An UPDATE racing on
        // another connection (another node) waits for this row's lock, then re-checks the
        // condition against the committed row (READ COMMITTED) and changes nothing.
        CW_ASSIGN_OR_RETURN(PgRows updated,
                            db.Run("UPDATE identity_users SET totp_last_step = $2 "
                                   "WHERE username = $1 AND totp_secret IS NOT NULL "
                                   "AND totp_last_step < $2",
                                   PgParams().Text(username).Int(step)));
        if (updated.affected() > 0) return OkStatus();
        // Nothing changed: say why (this read only picks the error; the refusal happened).
        CW_ASSIGN_OR_RETURN(PgRows why, db.Run("SELECT totp_secret IS NOT NULL FROM "
                                               "identity_users WHERE username = $1",
                                               PgParams().Text(username)));
        if (why.size() == 0) return UserNotFound();
        if (why.Int(0, 0) == 0) return NotEnrolled();
        return Error::Aborted("totp-replayed", "this code, or a later one, was already used");
      },
      // Not retried: had the first UPDATE committed before the connection broke, a retry
      // would refuse the code the user just used. Failing is the safe answer.
      /*retry=*/false));
}

Status PostgresIdentityStore::SetRecoveryCodes(std::string_view username,
                                               const std::vector<StoredRecoveryCode>& codes) {
  return Mapped(pool_->WithStatus(
      [&](PgConnection& conn) {
        return Transact(conn, [&](PgConnection& db) -> Status {
          CW_RETURN_IF_ERROR(RequireUser(db, username, /*lock=*/true));
          return WriteRecoveryCodes(db, username, codes);
        });
      },
      /*retry=*/false));
}

Status PostgresIdentityStore::ConsumeRecoveryCode(std::string_view username, size_t index) {
  return Mapped(pool_->WithStatus(
      [&](PgConnection& db) -> Status {
        // Compare-and-set, as AdvanceTotpStep(): the racing UPDATE re-checks `NOT used`.
        CW_ASSIGN_OR_RETURN(PgRows updated,
                            db.Run("UPDATE identity_recovery_codes SET used = TRUE "
                                   "WHERE username = $1 AND idx = $2 AND NOT used",
                                   PgParams().Text(username).Int(SqlIndex(index))));
        if (updated.affected() > 0) return OkStatus();
        CW_RETURN_IF_ERROR(RequireUser(db, username));
        CW_ASSIGN_OR_RETURN(PgRows why, db.Run("SELECT used FROM identity_recovery_codes "
                                               "WHERE username = $1 AND idx = $2",
                                               PgParams().Text(username).Int(SqlIndex(index))));
        if (why.size() == 0) {
          return Error::InvalidArgument("recovery_code", "recovery-code-invalid",
                                        "no such recovery code");
        }
        return Error::Aborted("recovery-code-used", "this recovery code was used");
      },
      /*retry=*/false));
}

}  // namespace clearway::identity::postgres
