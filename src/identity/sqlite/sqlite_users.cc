// SqliteIdentityStore: users, their offices, second factors and recovery codes.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

#include "identity/sqlite/db.h"
#include "identity/sqlite/sqlite_identity_store.h"

namespace clearway::identity::sqlite {

using internal::Query;
using internal::Transaction;

namespace {

constexpr const char* kUserColumns =
    "username, organisation_id, role, service_account, disabled, password_hash, totp_secret, "
    "totp_algorithm, totp_confirmed, totp_last_step, created_at";

Error UserNotFound() { return Error::NotFound("user-not-found", "no such user"); }

Error NotEnrolled() {
  return Error::FailedPrecondition("mfa-not-enrolled", "the user has no TOTP factor");
}

Error Corrupt(std::string_view what) {
  return Error::DataLoss("identity-store-corrupt", "identity store: unreadable " +
                                                       std::string(what));
}

Result<StoredUser> UserFromRow(const Query& q) {
  StoredUser user;
  user.username = q.Text(0);
  user.organisation_id = q.Text(1);
  auto role = ParseRole(q.Text(2));
  if (!role.ok()) return Corrupt("role");
  user.role = *role;
  user.service_account = q.Int(3) != 0;
  user.disabled = q.Int(4) != 0;
  user.password_hash = q.Text(5);
  if (!q.IsNull(6)) {
    TotpFactor factor;
    factor.secret = q.Blob(6);
    auto algorithm = ParseTotpAlgorithm(q.Text(7));
    if (!algorithm.ok()) return Corrupt("TOTP algorithm");
    factor.algorithm = *algorithm;
    factor.confirmed = q.Int(8) != 0;
    factor.last_used_step = q.Int(9);
    user.totp = std::move(factor);
  }
  user.created_at = q.Time(10);
  return user;
}

// An index as SQLite's signed integer; past INT64_MAX it matches no row either way.
int64_t SqlIndex(size_t index) {
  constexpr auto kMax = static_cast<size_t>(std::numeric_limits<int64_t>::max());
  return static_cast<int64_t>(std::min(index, kMax));
}

void BindTotp(Query& q, int first, const std::optional<TotpFactor>& totp) {
  if (!totp.has_value()) {
    for (int column = first; column < first + 4; ++column) q.BindNull(column);
    return;
  }
  q.BindBlob(first, totp->secret);
  q.Bind(first + 1, TotpAlgorithmName(totp->algorithm));
  q.Bind(first + 2, int64_t{totp->confirmed ? 1 : 0});
  q.Bind(first + 3, totp->last_used_step);
}

}  // namespace

Status SqliteIdentityStore::WriteOfficesLocked(std::string_view username,
                                               const std::vector<std::string>& offices) {
  {
    CW_ASSIGN_OR_RETURN(Query clear, db_->Prepare("DELETE FROM user_offices WHERE username = ?1"));
    clear.Bind(1, username);
    CW_RETURN_IF_ERROR(clear.Run());
  }
  for (size_t idx = 0; idx < offices.size(); ++idx) {
    CW_ASSIGN_OR_RETURN(Query q, db_->Prepare("INSERT INTO user_offices (username, idx, office) "
                                              "VALUES (?1, ?2, ?3)"));
    q.Bind(1, username);
    q.Bind(2, static_cast<int64_t>(idx));
    q.Bind(3, offices[idx]);
    CW_RETURN_IF_ERROR(q.Run());
  }
  return OkStatus();
}

Status SqliteIdentityStore::WriteRecoveryCodesLocked(
    std::string_view username, const std::vector<StoredRecoveryCode>& codes) {
  {
    CW_ASSIGN_OR_RETURN(Query clear,
                        db_->Prepare("DELETE FROM recovery_codes WHERE username = ?1"));
    clear.Bind(1, username);
    CW_RETURN_IF_ERROR(clear.Run());
  }
  for (size_t idx = 0; idx < codes.size(); ++idx) {
    CW_ASSIGN_OR_RETURN(Query q, db_->Prepare("INSERT INTO recovery_codes (username, idx, hash, "
                                              "used) VALUES (?1, ?2, ?3, ?4)"));
    q.Bind(1, username);
    q.Bind(2, static_cast<int64_t>(idx));
    q.BindBlob(3, codes[idx].hash);
    q.Bind(4, int64_t{codes[idx].used ? 1 : 0});
    CW_RETURN_IF_ERROR(q.Run());
  }
  return OkStatus();
}

Status SqliteIdentityStore::AddUser(const StoredUser& user) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db_));
  {
    CW_ASSIGN_OR_RETURN(Query exists, db_->Prepare("SELECT 1 FROM users WHERE username = ?1"));
    exists.Bind(1, user.username);
    CW_ASSIGN_OR_RETURN(bool row, exists.Step());
    if (row) return Error::AlreadyExists("user-exists", "user " + user.username + " exists");
  }
  {
    CW_ASSIGN_OR_RETURN(Query org, db_->Prepare("SELECT 1 FROM organisations WHERE id = ?1"));
    org.Bind(1, user.organisation_id);
    CW_ASSIGN_OR_RETURN(bool row, org.Step());
    if (!row) {
      return Error::NotFound("organisation-not-found", "no organisation " + user.organisation_id);
    }
  }
  {
    CW_ASSIGN_OR_RETURN(Query q, db_->Prepare(std::string("INSERT INTO users (") + kUserColumns +
                                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                                              "?10, ?11)"));
    q.Bind(1, user.username);
    q.Bind(2, user.organisation_id);
    q.Bind(3, RoleName(user.role));
    q.Bind(4, int64_t{user.service_account ? 1 : 0});
    q.Bind(5, int64_t{user.disabled ? 1 : 0});
    q.Bind(6, user.password_hash);
    BindTotp(q, 7, user.totp);
    q.Bind(11, user.created_at);
    CW_RETURN_IF_ERROR(q.Run());
  }
  CW_RETURN_IF_ERROR(WriteOfficesLocked(user.username, user.offices));
  CW_RETURN_IF_ERROR(WriteRecoveryCodesLocked(user.username, user.recovery_codes));
  return tx.Commit();
}

Status SqliteIdentityStore::FillUserLocked(StoredUser& user) const {
  {
    CW_ASSIGN_OR_RETURN(Query q, db_->Prepare("SELECT office FROM user_offices "
                                              "WHERE username = ?1 ORDER BY idx"));
    q.Bind(1, user.username);
    while (true) {
      CW_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      user.offices.push_back(q.Text(0));
    }
  }
  CW_ASSIGN_OR_RETURN(Query q, db_->Prepare("SELECT hash, used FROM recovery_codes "
                                            "WHERE username = ?1 ORDER BY idx"));
  q.Bind(1, user.username);
  while (true) {
    CW_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    StoredRecoveryCode code;
    std::vector<uint8_t> hash = q.Blob(0);
    if (hash.size() != code.hash.size()) return Corrupt("recovery code");
    std::copy(hash.begin(), hash.end(), code.hash.begin());
    code.used = q.Int(1) != 0;
    user.recovery_codes.push_back(code);
  }
  return OkStatus();
}

Result<std::vector<StoredUser>> SqliteIdentityStore::UsersLocked(std::string_view where,
                                                                 std::string_view key) const {
  // One snapshot for the user rows and their offices and codes.
  CW_ASSIGN_OR_RETURN(Transaction tx, Transaction::BeginRead(*db_));
  std::vector<StoredUser> users;
  {
    CW_ASSIGN_OR_RETURN(Query q, db_->Prepare(std::string("SELECT ") + kUserColumns +
                                              " FROM users " + std::string(where) +
                                              " ORDER BY username"));
    if (!key.empty()) q.Bind(1, key);
    while (true) {
      CW_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      CW_ASSIGN_OR_RETURN(StoredUser user, UserFromRow(q));
      users.push_back(std::move(user));
    }
  }
  for (StoredUser& user : users) CW_RETURN_IF_ERROR(FillUserLocked(user));
  CW_RETURN_IF_ERROR(tx.Commit());
  return users;
}

Result<StoredUser> SqliteIdentityStore::GetUser(std::string_view username) const {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(std::vector<StoredUser> users,
                      UsersLocked("WHERE username = ?1", username));
  if (users.empty()) return UserNotFound();
  return std::move(users.front());
}

Result<std::vector<StoredUser>> SqliteIdentityStore::ListUsers(
    std::string_view organisation_id) const {
  std::scoped_lock lock(mu_);
  if (organisation_id.empty()) return UsersLocked("", "");
  return UsersLocked("WHERE organisation_id = ?1", organisation_id);
}

Status SqliteIdentityStore::RequireUserLocked(std::string_view username) const {
  CW_ASSIGN_OR_RETURN(Query q, db_->Prepare("SELECT 1 FROM users WHERE username = ?1"));
  q.Bind(1, username);
  CW_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return UserNotFound();
  return OkStatus();
}

Status SqliteIdentityStore::UpdateUserLocked(const std::string& sql, std::string_view username,
                                             const std::function<void(Query&)>& bind) {
  CW_ASSIGN_OR_RETURN(Query q, db_->Prepare(sql));
  q.Bind(1, username);
  bind(q);
  CW_RETURN_IF_ERROR(q.Run());
  if (db_->Changes() == 0) return UserNotFound();
  return OkStatus();
}

Status SqliteIdentityStore::SetDisabled(std::string_view username, bool disabled) {
  std::scoped_lock lock(mu_);
  return UpdateUserLocked("UPDATE users SET disabled = ?2 WHERE username = ?1", username,
                          [disabled](Query& q) { q.Bind(2, int64_t{disabled ? 1 : 0}); });
}

Status SqliteIdentityStore::SetPasswordHash(std::string_view username, const std::string& hash) {
  std::scoped_lock lock(mu_);
  return UpdateUserLocked("UPDATE users SET password_hash = ?2 WHERE username = ?1", username,
                          [&hash](Query& q) { q.Bind(2, hash); });
}

Status SqliteIdentityStore::SetRole(std::string_view username, Role role,
                                    const std::vector<std::string>& offices) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db_));
  CW_RETURN_IF_ERROR(UpdateUserLocked("UPDATE users SET role = ?2 WHERE username = ?1", username,
                                      [role](Query& q) { q.Bind(2, RoleName(role)); }));
  CW_RETURN_IF_ERROR(WriteOfficesLocked(username, offices));
  return tx.Commit();
}

Status SqliteIdentityStore::SetTotp(std::string_view username,
                                    const std::optional<TotpFactor>& totp) {
  std::scoped_lock lock(mu_);
  return UpdateUserLocked(
      "UPDATE users SET totp_secret = ?2, totp_algorithm = ?3, totp_confirmed = ?4, "
      "totp_last_step = ?5 WHERE username = ?1",
      username, [&totp](Query& q) { BindTotp(q, 2, totp); });
}

Status SqliteIdentityStore::ConfirmTotp(std::string_view username, int64_t step) {
  std::scoped_lock lock(mu_);
  // Never moves last_used_step backwards: a step once used stays used.
  CW_ASSIGN_OR_RETURN(Query q, db_->Prepare("UPDATE users SET totp_confirmed = 1, "
                                            "totp_last_step = MAX(totp_last_step, ?2) "
                                            "WHERE username = ?1 AND totp_secret IS NOT NULL"));
  q.Bind(1, username);
  q.Bind(2, step);
  CW_RETURN_IF_ERROR(q.Run());
  if (db_->Changes() > 0) return OkStatus();
  CW_RETURN_IF_ERROR(RequireUserLocked(username));
  return NotEnrolled();
}

Status SqliteIdentityStore::AdvanceTotpStep(std::string_view username, int64_t step) {
  std::scoped_lock lock(mu_);
  // The compare-and-set: one UPDATE whose condition is the comparison. Another process racing
  // on the same file waits for the write lock, then sees the new step and changes nothing.
  CW_ASSIGN_OR_RETURN(Query q, db_->Prepare("UPDATE users SET totp_last_step = ?2 "
                                            "WHERE username = ?1 AND totp_secret IS NOT NULL "
                                            "AND totp_last_step < ?2"));
  q.Bind(1, username);
  q.Bind(2, step);
  CW_RETURN_IF_ERROR(q.Run());
  if (db_->Changes() > 0) return OkStatus();
  // Nothing changed: say why (these reads only pick the error; the refusal already happened).
  CW_ASSIGN_OR_RETURN(Query why,
                      db_->Prepare("SELECT totp_secret IS NOT NULL FROM users WHERE username = ?1"));
  why.Bind(1, username);
  CW_ASSIGN_OR_RETURN(bool row, why.Step());
  if (!row) return UserNotFound();
  if (why.Int(0) == 0) return NotEnrolled();
  return Error::Aborted("totp-replayed", "this code, or a later one, was already used");
}

Status SqliteIdentityStore::SetRecoveryCodes(std::string_view username,
                                             const std::vector<StoredRecoveryCode>& codes) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db_));
  CW_RETURN_IF_ERROR(RequireUserLocked(username));
  CW_RETURN_IF_ERROR(WriteRecoveryCodesLocked(username, codes));
  return tx.Commit();
}

Status SqliteIdentityStore::ConsumeRecoveryCode(std::string_view username, size_t index) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(Query q, db_->Prepare("UPDATE recovery_codes SET used = 1 "
                                            "WHERE username = ?1 AND idx = ?2 AND used = 0"));
  q.Bind(1, username);
  q.Bind(2, SqlIndex(index));
  CW_RETURN_IF_ERROR(q.Run());
  if (db_->Changes() > 0) return OkStatus();
  CW_RETURN_IF_ERROR(RequireUserLocked(username));
  CW_ASSIGN_OR_RETURN(Query why, db_->Prepare("SELECT used FROM recovery_codes "
                                              "WHERE username = ?1 AND idx = ?2"));
  why.Bind(1, username);
  why.Bind(2, SqlIndex(index));
  CW_ASSIGN_OR_RETURN(bool row, why.Step());
  if (!row) {
    return Error::InvalidArgument("recovery_code", "recovery-code-invalid",
                                  "no such recovery code");
  }
  return Error::Aborted("recovery-code-used", "this recovery code was used");
}

}  // namespace clearway::identity::sqlite
