#include "app/inspection_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <optional>
#include <utility>

#include "app/files.h"

namespace clearway::app {

namespace {

constexpr const char* kHeader = "declaration_id,fraud_found,duties_raised,inspected_on\n";

Status AppendLine(const std::string& path, const std::string& header, const std::string& line) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Error::Unavailable("write-failed", "cannot write " + path);
  std::string text = (::lseek(fd, 0, SEEK_END) == 0 ? header : std::string()) + line;
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      ::close(fd);
      return Error::Unavailable("write-failed", "cannot write " + path);
    }
    written += static_cast<size_t>(n);
  }
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return Error::Unavailable("write-failed", "cannot write " + path);
  return OkStatus();
}

class FileInspectionLog final : public InspectionLog {
 public:
  explicit FileInspectionLog(std::string path) : path_(std::move(path)) {}

  Result<int64_t> Append(const InspectionRecord& r) override {
    std::scoped_lock lock(mu_);
    CW_ASSIGN_OR_RETURN(int64_t last, LastLocked());
    CW_RETURN_IF_ERROR(AppendLine(path_, kHeader,
                                  r.declaration_id + "," + (r.fraud_found ? "1" : "0") + "," +
                                      r.duties_raised + "," + FormatDate(r.inspected_on) + "\n"));
    rows_ = last + 1;
    return *rows_;
  }

  Result<std::vector<InspectionEntry>> After(int64_t seq) override {
    std::scoped_lock lock(mu_);
    CW_ASSIGN_OR_RETURN(std::vector<risk::InspectionResult> all, ReadAll());
    rows_ = static_cast<int64_t>(all.size());
    std::vector<InspectionEntry> out;
    for (size_t i = seq < 0 ? 0 : static_cast<size_t>(seq); i < all.size(); ++i) {
      out.push_back({static_cast<int64_t>(i) + 1, std::move(all[i])});
    }
    return out;
  }

  Result<int64_t> Last() override {
    std::scoped_lock lock(mu_);
    return LastLocked();
  }

 private:
  Result<std::vector<risk::InspectionResult>> ReadAll() {  // needs mu_
    if (!std::filesystem::exists(path_)) return std::vector<risk::InspectionResult>{};
    CW_ASSIGN_OR_RETURN(std::string text, ReadFile(path_));
    return risk::ParseInspectionResults(text);
  }

  Result<int64_t> LastLocked() {  // needs mu_; the file is read once, then counted
    if (!rows_) {
      CW_ASSIGN_OR_RETURN(std::vector<risk::InspectionResult> all, ReadAll());
      rows_ = static_cast<int64_t>(all.size());
    }
    return *rows_;
  }

  const std::string path_;
  std::mutex mu_;
  std::optional<int64_t> rows_;  // guarded by mu_: rows in the file, once read
};

}  // namespace

std::unique_ptr<InspectionLog> OpenFileInspectionLog(std::string path) {
  return std::make_unique<FileInspectionLog>(std::move(path));
}

}  // namespace clearway::app
