#include "risk/registry.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "common/json.h"
#include "crypto/crypto.h"

namespace clearway::risk {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

Result<std::string> ReadFile(const fs::path& path, const char* reason) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::NotFound(reason, "cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// WriteAtomically() writes a temporary file and renames it over `path`, so a reader sees the
// old content or the new, never half of it.
Status WriteAtomically(const fs::path& path, std::string_view content) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) return Error::Unavailable("io-failed", "cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Error::Unavailable("io-failed", "cannot rename to " + path.string());
  return OkStatus();
}

json::object MetricsObject(const RankingMetrics& m) {
  auto by_percent = [](const std::map<int, double>& values) {
    json::object o;
    for (const auto& [percent, value] : values) o[std::to_string(percent)] = value;
    return o;
  };
  return json::object{{"precision_at", by_percent(m.precision_at)},
                      {"recall_at", by_percent(m.recall_at)},
                      {"revenue_at", by_percent(m.revenue_at)},
                      {"auc", m.auc}};
}

double NumberOf(const json::value& v) {
  if (v.is_double()) return v.as_double();
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  throw std::invalid_argument("not a number");
}

}  // namespace

std::string MetricsToJson(const RankingMetrics& metrics) {
  return json::serialize(MetricsObject(metrics));
}

std::string MetadataToJson(const ModelMetadata& meta) {
  json::array names;
  for (const auto& n : meta.feature_names) names.emplace_back(n);
  json::object metrics = MetricsObject(meta.metrics);
  metrics["rows"] = meta.metrics.rows;
  metrics["base_rate"] = meta.metrics.base_rate;
  json::object o{
      {"id", meta.id},
      {"created_at", meta.created_at},
      {"schema", meta.schema},
      {"data_sha256", meta.data_sha256},
      {"feedback_labels", meta.feedback_labels},
      {"split", json::object{{"train_from", FormatDate(meta.split.train_from)},
                             {"eval_from", FormatDate(meta.split.eval_from)},
                             {"eval_to", FormatDate(meta.split.eval_to)},
                             {"train_rows", meta.split.train_rows},
                             {"eval_rows", meta.split.eval_rows}}},
      {"metrics", metrics},
      {"options", json::object{{"rounds", meta.options.rounds},
                               {"learning_rate", meta.options.learning_rate},
                               {"max_depth", meta.options.max_depth},
                               {"subsample", meta.options.subsample},
                               {"colsample_bytree", meta.options.colsample_bytree},
                               {"min_child_weight", meta.options.min_child_weight},
                               {"seed", meta.options.seed}}},
      {"training_seconds", meta.training_seconds},
      {"feature_names", names},
  };
  return json::serialize(o);
}

Result<ModelMetadata> MetadataFromJson(std::string_view text) {
  auto parsed = ParseJson(text);
  if (!parsed.ok()) return Error::DataLoss("bad-metadata", parsed.error().message);
  // Boost.JSON's accessors throw on a wrong shape; the exception stays inside this function.
  try {
    const auto& o = parsed->as_object();
    ModelMetadata meta;
    meta.id = std::string(o.at("id").as_string());
    meta.created_at = std::string(o.at("created_at").as_string());
    meta.schema = std::string(o.at("schema").as_string());
    meta.data_sha256 = std::string(o.at("data_sha256").as_string());
    meta.feedback_labels = static_cast<size_t>(NumberOf(o.at("feedback_labels")));
    const auto& split = o.at("split").as_object();
    auto date = [&](const char* key) -> Date {
      auto d = ParseDate(split.at(key).as_string());
      if (!d.ok()) throw std::invalid_argument("bad date");
      return *d;
    };
    meta.split.train_from = date("train_from");
    meta.split.eval_from = date("eval_from");
    meta.split.eval_to = date("eval_to");
    meta.split.train_rows = static_cast<size_t>(NumberOf(split.at("train_rows")));
    meta.split.eval_rows = static_cast<size_t>(NumberOf(split.at("eval_rows")));
    const auto& metrics = o.at("metrics").as_object();
    for (const char* key : {"precision_at", "recall_at", "revenue_at"}) {
      auto& target = std::string_view(key) == "precision_at" ? meta.metrics.precision_at
                     : std::string_view(key) == "recall_at"  ? meta.metrics.recall_at
                                                             : meta.metrics.revenue_at;
      for (const auto& [percent, value] : metrics.at(key).as_object()) {
        target[std::stoi(std::string(percent))] = NumberOf(value);
      }
    }
    meta.metrics.auc = NumberOf(metrics.at("auc"));
    meta.metrics.rows = static_cast<size_t>(NumberOf(metrics.at("rows")));
    meta.metrics.base_rate = NumberOf(metrics.at("base_rate"));
    const auto& options = o.at("options").as_object();
    meta.options.rounds = static_cast<int>(NumberOf(options.at("rounds")));
    meta.options.learning_rate = NumberOf(options.at("learning_rate"));
    meta.options.max_depth = static_cast<int>(NumberOf(options.at("max_depth")));
    meta.options.subsample = NumberOf(options.at("subsample"));
    meta.options.colsample_bytree = NumberOf(options.at("colsample_bytree"));
    meta.options.min_child_weight = NumberOf(options.at("min_child_weight"));
    meta.options.seed = static_cast<uint64_t>(NumberOf(options.at("seed")));
    meta.training_seconds = NumberOf(o.at("training_seconds"));
    for (const auto& n : o.at("feature_names").as_array()) {
      meta.feature_names.emplace_back(n.as_string());
    }
    return meta;
  } catch (const std::exception& e) {
    return Error::DataLoss("bad-metadata", std::string("meta.json: ") + e.what());
  }
}

Result<std::string> SaveModel(const std::string& registry, const FraudModel& model,
                              ModelMetadata meta) {
  meta.id = model.id();
  fs::path dir = fs::path(registry) / model.id();
  if (fs::exists(dir / "model.json")) {
    return Error::AlreadyExists("model-exists", "model " + model.id() + " is already saved");
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error::Unavailable("io-failed", "cannot create " + dir.string());
  CW_RETURN_IF_ERROR(WriteAtomically(dir / "meta.json", MetadataToJson(meta)));
  CW_RETURN_IF_ERROR(WriteAtomically(dir / "model.json", model.bytes()));
  return dir.string();
}

Result<LoadedModel> LoadModel(const std::string& path) {
  fs::path dir = fs::path(path).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();  // "reg/<id>/" names "reg/<id>"
  if (!fs::exists(dir / "model.json")) {
    if (!fs::exists(dir / "CURRENT")) {
      bool is_registry = fs::is_directory(dir) && !fs::is_empty(dir);
      if (is_registry) {
        return Error::NotFound("no-current-model",
                               path + " holds no model.json and no CURRENT: promote a model");
      }
      return Error::NotFound("model-not-found", "no model at " + path);
    }
    CW_ASSIGN_OR_RETURN(std::string current, ReadFile(dir / "CURRENT", "no-current-model"));
    while (!current.empty() && (current.back() == '\n' || current.back() == ' ')) {
      current.pop_back();
    }
    dir /= current;
  }
  CW_ASSIGN_OR_RETURN(std::string bytes, ReadFile(dir / "model.json", "model-not-found"));
  CW_ASSIGN_OR_RETURN(std::string meta_text, ReadFile(dir / "meta.json", "model-not-found"));
  return ModelFromBytes(std::move(bytes), meta_text, dir.filename().string(), dir.string());
}

Result<LoadedModel> ModelFromBytes(std::string bytes, std::string_view meta_text,
                                   std::string_view id, std::string where) {
  CW_ASSIGN_OR_RETURN(ModelMetadata meta, MetadataFromJson(meta_text));
  std::string hashed = crypto::ToHex(crypto::Sha256(bytes));
  if (hashed != meta.id || hashed != id) {
    return Error::DataLoss("model-tampered", "the model in " + where + " does not hash to its id");
  }
  CW_ASSIGN_OR_RETURN(FraudModel model, FraudModel::FromBytes(std::move(bytes)));
  return LoadedModel{std::move(model), std::move(meta), std::move(where)};
}

Status Promote(const std::string& model_dir) {
  CW_ASSIGN_OR_RETURN(LoadedModel loaded, LoadModel(model_dir));
  fs::path dir = fs::path(loaded.dir);
  if (fs::exists(dir.parent_path() / "model.json") || dir.filename() != loaded.meta.id) {
    return Error::InvalidArgument("--model", "not-in-registry",
                                  "promote names a model directory <registry>/<id>");
  }
  return WriteAtomically(dir.parent_path() / "CURRENT", loaded.meta.id + "\n");
}

}  // namespace clearway::risk
