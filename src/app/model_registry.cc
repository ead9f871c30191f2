#include "app/model_registry.h"

#include <utility>

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

  Status Promote(const std::string& name, int64_t /*generation*/) override {
    return risk::Promote(name.find('/') == std::string::npos ? dir_ + "/" + name : name);
  }

 private:
  const std::string dir_;
};

}  // namespace

std::unique_ptr<ModelRegistry> OpenFileModelRegistry(std::string dir) {
  return std::make_unique<FileModelRegistry>(std::move(dir));
}

}  // namespace clearway::app
