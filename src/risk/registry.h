// File: risk/registry.h
//
// The model registry: a directory holding one sub-directory per model, named by the model id
// (SHA-256 of the model bytes), with `model.json` (the XGBoost model) and `meta.json` (what it
// was trained on and how well it did), plus a file `CURRENT` naming the promoted model. Loading
// re-hashes the bytes, so a model altered on disk is refused. The layout is in docs/risk.md.
//
//   auto dir = risk::SaveModel("var/models", trained.model, meta);   // var/models/<id>
//   CW_RETURN_IF_ERROR(risk::Promote(*dir));                         // var/models/CURRENT
//   auto current = risk::LoadModel("var/models");                     // the promoted one
//
// Thread safety: functions touch only the files named; concurrent promotes race (last wins).
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "risk/model.h"
#include "risk/training.h"

namespace clearway::risk {

// ModelMetadata is meta.json: provenance and quality of one model.
struct ModelMetadata {
  std::string id;              // SHA-256 hex of model.json
  std::string created_at;      // RFC 3339
  std::string schema;          // the CSV schema's name
  std::string data_sha256;     // of the training CSV file's bytes
  size_t feedback_labels = 0;  // inspection results merged into the data
  TimeSplit split;
  RankingMetrics metrics;  // on the held-out period
  TrainingOptions options;
  double training_seconds = 0;
  std::vector<std::string> feature_names;
};

// SaveModel() writes <registry>/<id>/{model.json,meta.json} (meta.id is set to model.id())
// and returns that directory. kAlreadyExists "model-exists" if a model with this id is there;
// kUnavailable "io-failed" if the files cannot be written.
Result<std::string> SaveModel(const std::string& registry, const FraudModel& model,
                              ModelMetadata meta);

struct LoadedModel {
  FraudModel model;
  ModelMetadata meta;
  std::string dir;
};

// LoadModel() loads a model directory, or, given a registry directory, its CURRENT model.
// Errors: kNotFound "model-not-found" (no model.json there) or "no-current-model" (a registry
// without CURRENT); kDataLoss "model-tampered" (the bytes do not hash to the id) or
// "bad-model"/"bad-metadata" (unreadable files).
Result<LoadedModel> LoadModel(const std::string& path);

// ModelFromBytes() is a model kept elsewhere than a directory (the shared registry of a
// PostgreSQL store, app/model_registry.h): `bytes` (model.json) and `meta_text` (meta.json) of
// the model named `id`, `where` naming it in errors and as LoadedModel::dir. Errors as
// LoadModel(): kDataLoss "model-tampered" when the bytes do not hash to `id` and meta.id,
// "bad-model", "bad-metadata".
Result<LoadedModel> ModelFromBytes(std::string bytes, std::string_view meta_text,
                                   std::string_view id, std::string where);

// Promote() marks the model directory `model_dir` current in its parent registry (CURRENT is
// replaced atomically). Errors as LoadModel() for the model; kUnavailable "io-failed".
Status Promote(const std::string& model_dir);

// MetadataToJson()/MetadataFromJson() convert meta.json; the latter gives kDataLoss
// "bad-metadata" on a malformed document.
std::string MetadataToJson(const ModelMetadata& meta);
Result<ModelMetadata> MetadataFromJson(std::string_view text);

// MetricsToJson() is the --json form of `clearway risk eval`: {"precision_at": {"1": ..,
// "2": .., "5": .., "10": ..}, "recall_at": {..}, "revenue_at": {..}, "auc": ..}.
std::string MetricsToJson(const RankingMetrics& metrics);

}  // namespace clearway::risk
