#include "store/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <cstring>
#include <utility>

namespace clearway::store::postgres::internal {

namespace {

Error Unavailable(std::string message) {
  return Error::Unavailable("store-unavailable", std::move(message));
}

// ConnectionMessage() is libpq's connection error without its trailing newline. It names the
// host and port but never the password.
std::string ConnectionMessage(const pg_conn* conn) {
  std::string message = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  return message;
}

uint64_t BigEndian(const char* bytes, int length) {
  uint64_t value = 0;
  for (int idx = 0; idx < length; ++idx) {
    value = (value << 8) | static_cast<uint8_t>(bytes[idx]);
  }
  return value;
}

pg_conn* ConnectTo(const std::string& url, const std::string& application_name) {
  // Defaults first: a URL that sets them wins. application_name comes last because it names
  // this process's role to operators (and to the failover test, through pg_stat_activity).
  const char* keywords[] = {"connect_timeout", "keepalives",       "keepalives_idle",
                            "keepalives_interval", "keepalives_count", "dbname",
                            "client_encoding", "application_name", nullptr};
  const char* values[] = {"10", "1", "5", "2", "3", url.c_str(), "UTF8", application_name.c_str(),
                          nullptr};
  pg_conn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  // Server notices ("relation already exists, skipping") are not for Clearway's users; libpq
  // would print them on stderr.
  if (conn != nullptr) PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  return conn;
}

}  // namespace

// ---- PgParams -------------------------------------------------------------------------------

PgParams& PgParams::Text(std::string_view value) {
  if (value.find('\0') != std::string_view::npos && status_.ok()) {
    status_ = Error::InvalidArgument("", "unsupported-text",
                                     "PostgreSQL cannot store a NUL byte in a text value");
  }
  values_.emplace_back(value);
  formats_.push_back(0);
  nulls_.push_back(false);
  return *this;
}

PgParams& PgParams::Null() {
  values_.emplace_back();
  formats_.push_back(0);
  nulls_.push_back(true);
  return *this;
}

PgParams& PgParams::Int(int64_t value) {
  values_.push_back(std::to_string(value));
  formats_.push_back(0);
  nulls_.push_back(false);
  return *this;
}

PgParams& PgParams::Bytes(std::string_view value) {
  values_.emplace_back(value);
  formats_.push_back(1);
  nulls_.push_back(false);
  return *this;
}

PgParams& PgParams::Bytes(const std::vector<uint8_t>& value) {
  return Bytes(std::string_view(reinterpret_cast<const char*>(value.data()), value.size()));
}

// ---- PgRows ---------------------------------------------------------------------------------

void PgResultClear::operator()(pg_result* result) const { PQclear(result); }

PgRows::PgRows(PgResultPtr result) : result_(std::move(result)) {}

int PgRows::size() const { return result_ != nullptr ? PQntuples(result_.get()) : 0; }

bool PgRows::IsNull(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}

int64_t PgRows::Int(int row, int column) const {
  if (IsNull(row, column)) return 0;
  const int length = PQgetlength(result_.get(), row, column);
  const char* bytes = PQgetvalue(result_.get(), row, column);
  const uint64_t raw = BigEndian(bytes, length);
  switch (length) {
    case 8: return static_cast<int64_t>(raw);
    case 4: return static_cast<int32_t>(static_cast<uint32_t>(raw));
    case 2: return static_cast<int16_t>(static_cast<uint16_t>(raw));
    default: return static_cast<int64_t>(raw);  // boolean (1 byte)
  }
}

std::string PgRows::Text(int row, int column) const {
  if (IsNull(row, column)) return std::string();
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<size_t>(PQgetlength(result_.get(), row, column)));
}

int64_t PgRows::affected() const {
  const char* tuples = result_ != nullptr ? PQcmdTuples(result_.get()) : "";
  return *tuples == '\0' ? 0 : std::strtoll(tuples, nullptr, 10);
}

// ---- PgConnection ---------------------------------------------------------------------------

PgConnection::PgConnection(pg_conn* conn, std::string url, std::string application_name)
    : conn_(conn), url_(std::move(url)), application_name_(std::move(application_name)) {}

PgConnection::~PgConnection() { PQfinish(conn_); }

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& url,
                                                         const std::string& application_name) {
  pg_conn* conn = ConnectTo(url, application_name);
  std::unique_ptr<PgConnection> owned(new PgConnection(conn, url, application_name));
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    return Unavailable("cannot connect to " + RedactUrl(url) + ": " + ConnectionMessage(conn));
  }
  return owned;
}

Status PgConnection::EnsureOpen() {
  if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) return OkStatus();
  prepared_.clear();
  PQfinish(conn_);
  conn_ = ConnectTo(url_, application_name_);
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    return Unavailable("cannot reconnect to " + RedactUrl(url_) + ": " + ConnectionMessage(conn_));
  }
  return OkStatus();
}

bool PgConnection::Broken() const { return conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK; }

bool PgConnection::InTransaction() const {
  const PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

int PgConnection::BackendPid() const { return PQbackendPID(conn_); }

Result<PgRows> PgConnection::Check(PgResultPtr result, std::string_view what) {
  last_sqlstate_.clear();
  const ExecStatusType status =
      result != nullptr ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return PgRows(std::move(result));
  if (Broken() || result == nullptr) {
    return Unavailable(std::string(what) + ": the connection to PostgreSQL failed: " +
                       ConnectionMessage(conn_));
  }
  const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
  last_sqlstate_ = state != nullptr ? state : "";
  const char* primary = PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY);
  std::string message = std::string(what) + ": " + (primary != nullptr ? primary : "failed") +
                        " (SQLSTATE " + last_sqlstate_ + ")";
  // Class 08: connection exception; 57P0x: the server is shutting down or restarting.
  if (last_sqlstate_.rfind("08", 0) == 0 || last_sqlstate_.rfind("57P0", 0) == 0) {
    return Unavailable(std::move(message));
  }
  if (last_sqlstate_ == "25006") {  // read_only_sql_transaction: a standby, or read-only mode
    return Error::Unavailable("store-read-only", std::move(message));
  }
  if (last_sqlstate_ == "40001" || last_sqlstate_ == "40P01" || last_sqlstate_ == "55P03") {
    return Error::Unavailable("store-busy", std::move(message));
  }
  if (last_sqlstate_ == "22021" || last_sqlstate_ == "22P05") {
    return Error::InvalidArgument("", "unsupported-text",
                                  "PostgreSQL cannot store this text (it is not valid UTF-8)");
  }
  return Error::Internal("store-error", std::move(message));
}

Status PgConnection::Exec(std::string_view sql) {
  CW_RETURN_IF_ERROR(CheckOpen());
  std::string text(sql);
  Result<PgRows> rows = Check(PgResultPtr(PQexec(conn_, text.c_str())), "exec");
  if (!rows.ok()) return std::move(rows).error();
  return OkStatus();
}

Status PgConnection::CheckOpen() const {
  // Never reconnects here: in the middle of a transaction that would run the rest of it
  // outside one. Callers reconnect with EnsureOpen() before they begin.
  if (Broken()) return Unavailable("the connection to PostgreSQL was lost");
  return OkStatus();
}

Result<PgRows> PgConnection::Run(std::string_view sql, const PgParams& params) {
  CW_RETURN_IF_ERROR(params.status());
  CW_RETURN_IF_ERROR(CheckOpen());
  std::string key(sql);
  auto found = prepared_.find(key);
  if (found == prepared_.end()) {
    std::string name = "s" + std::to_string(prepared_.size());
    CW_ASSIGN_OR_RETURN(
        PgRows prepared,
        Check(PgResultPtr(PQprepare(conn_, name.c_str(), key.c_str(),
                                    static_cast<int>(params.size()), nullptr)),
              "prepare"));
    static_cast<void>(prepared);
    found = prepared_.emplace(std::move(key), std::move(name)).first;
  }
  std::vector<const char*> values;
  std::vector<int> lengths;
  values.reserve(params.size());
  lengths.reserve(params.size());
  for (size_t idx = 0; idx < params.values_.size(); ++idx) {
    values.push_back(params.nulls_[idx] ? nullptr : params.values_[idx].data());
    lengths.push_back(static_cast<int>(params.values_[idx].size()));
  }
  return Check(PgResultPtr(PQexecPrepared(conn_, found->second.c_str(),
                                          static_cast<int>(params.size()), values.data(),
                                          lengths.data(), params.formats_.data(),
                                          /*resultFormat=*/1)),
               "query");
}

Result<PgRows> PgConnection::RunOnce(std::string_view sql, const PgParams& params) {
  CW_RETURN_IF_ERROR(params.status());
  CW_RETURN_IF_ERROR(CheckOpen());
  std::string text(sql);
  std::vector<const char*> values;
  std::vector<int> lengths;
  for (size_t idx = 0; idx < params.values_.size(); ++idx) {
    values.push_back(params.nulls_[idx] ? nullptr : params.values_[idx].data());
    lengths.push_back(static_cast<int>(params.values_[idx].size()));
  }
  return Check(PgResultPtr(PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()),
                                        nullptr, values.data(), lengths.data(),
                                        params.formats_.data(), /*resultFormat=*/1)),
               "query");
}

}  // namespace clearway::store::postgres::internal

namespace clearway::store::postgres {

// ---- URLs -----------------------------------------------------------------------------------

bool IsPostgresUrl(std::string_view url) {
  return url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
}

std::string RedactUrl(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const size_t authority = scheme + 3;
  const size_t at = url.find('@', authority);
  const size_t slash = url.find('/', authority);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) {
    return std::string(url);
  }
  const size_t colon = url.find(':', authority);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

}  // namespace clearway::store::postgres
