#include "app/model_registry.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

#include "app/files.h"

namespace clearway::app {

namespace {

class FileModelRegistry final : public ModelRegistry {
 public:
  explicit FileModelRegistry(std::string dir) : dir_(std::move(dir)) {}

  Result<Current> LoadCurrent() override {
    Current current;
    auto loaded = risk::LoadModel(dir_);
    if (loaded.ok()) {
      current.model = std::move(loaded).value();
    } else if (loaded.error().code != ErrorCode::kNotFound) {
      return std::move(loaded).error();  // a tampered or unreadable model must not be skipped
    }
    return current;
  }

  Result<int64_t> Generation() override { return int64_t{0}; }

  Result<std::string> Save(const risk::FraudModel& model, risk::ModelMetadata meta) override {
    return risk::SaveModel(dir_, model, std::move(meta));
  }

  Result<Listing> List() override {
    namespace fs = std::filesystem;
    Listing listing;
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir_, ec)) {
      if (!fs::exists(entry.path() / "meta.json")) continue;
      CW_ASSIGN_OR_RETURN(std::string text, ReadFile((entry.path() / "meta.json").string()));
      CW_ASSIGN_OR_RETURN(risk::ModelMetadata meta, risk::MetadataFromJson(text));
      listing.models.push_back(std::move(meta));
    }
    if (ec && ec != std::errc::no_such_file_or_directory) {
      return Error::Unavailable("io-failed", "cannot read " + dir_);
    }
    SortByCreation(listing.models);
    if (fs::exists(fs::path(dir_) / "CURRENT")) {
      CW_ASSIGN_OR_RETURN(std::string current, ReadFile(dir_ + "/CURRENT"));
      while (!current.empty() && (current.back() == '\n' || current.back() == ' ')) {
        current.pop_back();
      }
      listing.current = std::move(current);
    }
    return listing;
  }

  Status Promote(const std::string& name, int64_t /*generation*/) override {
    return risk::Promote(name.find('/') == std::string::npos ? dir_ + "/" + name : name);
  }

 private:
  const std::string dir_;
};

}  // namespace

void SortByCreation(std::vector<risk::ModelMetadata>& models) {
  std::sort(models.begin(), models.end(),
            [](const risk::ModelMetadata& a, const risk::ModelMetadata& b) {
              return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
            });
}

std::unique_ptr<ModelRegistry> OpenFileModelRegistry(std::string dir) {
  return std::make_unique<FileModelRegistry>(std::move(dir));
}

}  // namespace clearway::app
