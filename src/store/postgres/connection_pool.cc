#include "store/postgres/connection_pool.h"

#include <utility>

namespace clearway::store::postgres::internal {

ConnectionPool::ConnectionPool(std::string url, std::string application_name, int size)
    : url_(std::move(url)), application_name_(std::move(application_name)) {
  slots_.resize(static_cast<size_t>(size));
  for (size_t slot = 0; slot < slots_.size(); ++slot) idle_.push_back(slot);
}

ConnectionPool::Lease::Lease(ConnectionPool& pool) : pool_(pool) {
  std::unique_lock lock(pool_.mu_);
  pool_.cv_.wait(lock, [this] { return !pool_.idle_.empty(); });
  slot_ = pool_.idle_.back();
  pool_.idle_.pop_back();
}

ConnectionPool::Lease::~Lease() {
  {
    std::scoped_lock lock(pool_.mu_);
    pool_.idle_.push_back(slot_);
  }
  pool_.cv_.notify_one();
}

Result<PgConnection*> ConnectionPool::Lease::Connect() {
  std::unique_ptr<PgConnection>& conn = pool_.slots_[slot_];
  if (conn == nullptr) {
    CW_ASSIGN_OR_RETURN(conn, PgConnection::Open(pool_.url_, pool_.application_name_));
    return conn.get();
  }
  CW_RETURN_IF_ERROR(conn->EnsureOpen());
  // A caller that failed half-way may have left a transaction open; the next one starts clean.
  if (conn->InTransaction()) CW_RETURN_IF_ERROR(conn->Exec("ROLLBACK"));
  return conn.get();
}

Status ConnectionPool::WithStatus(const std::function<Status(PgConnection&)>& run, bool retry) {
  Lease lease(*this);
  CW_ASSIGN_OR_RETURN(PgConnection * conn, lease.Connect());
  Status result = run(*conn);
  if (result.ok() || !retry || !conn->Broken()) return result;
  CW_ASSIGN_OR_RETURN(conn, lease.Connect());
  return run(*conn);
}

}  // namespace clearway::store::postgres::internal
