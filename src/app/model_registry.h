// File: app/model_registry.h
//
// ModelRegistry keeps the fraud models the risk engine can run and names the promoted one:
//   - the registry directory of one node (risk/registry.h: DATA_DIR/models/<id>/ with CURRENT),
//     OpenFileModelRegistry(), what a SQLite installation uses, unchanged;
//   - the tables of a PostgreSQL store shared by every node (app/shared_risk.h), where a model
//     promoted through one node is the model of every node's next assessment.
// Every implementation re-hashes a model on load: a model whose bytes do not hash to its id is
// refused (kDataLoss "model-tampered"), never run.
//
//   CW_ASSIGN_OR_RETURN(std::string name, registry->Save(trained.model, meta));
//   CW_ASSIGN_OR_RETURN(int64_t generation, registry->Generation());
//   CW_RETURN_IF_ERROR(registry->Promote(name, generation));   // compare-and-set
//   CW_ASSIGN_OR_RETURN(auto current, registry->LoadCurrent());
//
// Thread safety: implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "risk/registry.h"

namespace clearway::app {

class ModelRegistry {
 public:
  virtual ~ModelRegistry() = default;

  struct Current {
    std::optional<risk::LoadedModel> model;  // none promoted: nullopt
    int64_t generation = 0;                  // of the promotion read
  };

  // LoadCurrent() gives the promoted model and the generation of its promotion. Errors:
  // kDataLoss "model-tampered", "bad-model", "bad-metadata"; kUnavailable of the storage.
  virtual Result<Current> LoadCurrent() = 0;

  // Generation() is the generation of the latest promotion (cheap: asked before every
  // assessment). A node's own directory gives 0 always: it is reloaded explicitly.
  virtual Result<int64_t> Generation() = 0;

  // Save() stores a model and its metadata (meta.id is set to the model's id) and gives the
  // name Promote() takes: the model directory, or the id. kAlreadyExists "model-exists".
  virtual Result<std::string> Save(const risk::FraudModel& model, risk::ModelMetadata meta) = 0;

  // Promote() makes the model `name` current when the promotion is still at `generation` (as
  // Generation() gave it). Errors: those of loading the model ("model-not-found",
  // "model-tampered"); kAborted "model-promotion-conflict" when another promotion came in
  // between (nothing changes); kUnavailable of the storage.
  virtual Status Promote(const std::string& name, int64_t generation) = 0;

  // List() gives the metadata of every saved model, oldest first (by created_at, then id), and
  // the promoted model's id ("" when none). The models are not re-hashed here (LoadCurrent()
  // and Promote() do). Errors: "bad-metadata"; kUnavailable of the storage.
  struct Listing {
    std::vector<risk::ModelMetadata> models;
    std::string current;
  };
  virtual Result<Listing> List() = 0;
};

// OpenFileModelRegistry() is the registry directory `dir` (risk/registry.h). Promote() takes a
// model directory (promoted in its own registry, as `clearway risk promote` always did) or an
// id in `dir`.
std::unique_ptr<ModelRegistry> OpenFileModelRegistry(std::string dir);

// SortByCreation() orders List()'s models: oldest first (created_at, then id).
void SortByCreation(std::vector<risk::ModelMetadata>& models);

}  // namespace clearway::app
