// The XGBoost adapter: the only file that includes <xgboost/c_api.h>. Every handle is owned by
// a unique_ptr with a deleter; every library call's status becomes a Result.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include <xgboost/c_api.h>

#include "crypto/crypto.h"
#include "risk/model.h"

namespace clearway::risk {

namespace {

struct BoosterDeleter {
  void operator()(void* handle) const { XGBoosterFree(handle); }
};
struct MatrixDeleter {
  void operator()(void* handle) const { XGDMatrixFree(handle); }
};
using BoosterPtr = std::unique_ptr<void, BoosterDeleter>;
using MatrixPtr = std::unique_ptr<void, MatrixDeleter>;

Status Check(int rc, const char* what) {
  if (rc == 0) return OkStatus();
  return Error::Internal("xgboost-failed", std::string(what) + ": " + XGBGetLastError());
}

size_t FeatureCount() { return FeatureBuilder::FeatureNames().size(); }

// Dense() lays the rows out one after the other, checking each row's width.
Result<std::vector<float>> Dense(const std::vector<std::vector<float>>& rows) {
  std::vector<float> dense;
  dense.reserve(rows.size() * FeatureCount());
  for (const auto& row : rows) {
    if (row.size() != FeatureCount()) {
      return Error::InvalidArgument("", "bad-features",
                                    "a row has " + std::to_string(row.size()) + " features, not " +
                                        std::to_string(FeatureCount()));
    }
    dense.insert(dense.end(), row.begin(), row.end());
  }
  return dense;
}

Result<MatrixPtr> MakeMatrix(const std::vector<std::vector<float>>& rows) {
  CW_ASSIGN_OR_RETURN(std::vector<float> dense, Dense(rows));
  DMatrixHandle handle = nullptr;
  CW_RETURN_IF_ERROR(Check(
      XGDMatrixCreateFromMat(dense.data(), rows.size(), FeatureCount(), std::nanf(""), &handle),
      "XGDMatrixCreateFromMat"));
  return MatrixPtr(handle);
}

// Predict type 0 is the probability, 2 the per-feature contributions (+ bias column).
Result<std::vector<float>> RunPredict(void* booster, void* matrix, int type) {
  std::string config = R"({"type": )" + std::to_string(type) +
                       R"(, "training": false, "iteration_begin": 0, "iteration_end": 0,)"
                       R"( "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* out = nullptr;
  CW_RETURN_IF_ERROR(
      Check(XGBoosterPredictFromDMatrix(booster, matrix, config.c_str(), &shape, &dim, &out),
            "XGBoosterPredictFromDMatrix"));
  size_t total = 1;
  for (bst_ulong d = 0; d < dim; ++d) total *= shape[d];
  return std::vector<float>(out, out + total);
}

// The calling thread's proxy DMatrix for in-place prediction. XGBoosterPredictFromDense
// without one makes a fresh proxy per call, whose context reads the cgroup CPU quota from /sys
// every time. A prediction points the proxy at its own rows (it is written by every call), so
// a proxy shared between threads would let one declaration be scored on another's rows: one
// per thread, never shared; it holds no model state, so any model may use it.
Result<void*> ThreadProxy() {
  thread_local MatrixPtr proxy;
  if (proxy == nullptr) {
    DMatrixHandle made = nullptr;
    CW_RETURN_IF_ERROR(Check(XGProxyDMatrixCreate(&made), "XGProxyDMatrixCreate"));
    proxy = MatrixPtr(made);
  }
  return proxy.get();
}

Result<std::string> SaveBytes(void* booster) {
  bst_ulong len = 0;
  const char* data = nullptr;
  CW_RETURN_IF_ERROR(
      Check(XGBoosterSaveModelToBuffer(booster, R"({"format": "json"})", &len, &data),
            "XGBoosterSaveModelToBuffer"));
  return std::string(data, len);
}

}  // namespace

struct FraudModel::Booster {
  explicit Booster(BoosterPtr h) : handle(std::move(h)) {}
  BoosterPtr handle;
};

FraudModel::FraudModel(std::unique_ptr<Booster> booster, std::string bytes)
    : booster_(std::move(booster)),
      bytes_(std::move(bytes)),
      id_(crypto::ToHex(crypto::Sha256(bytes_))) {}
FraudModel::FraudModel(FraudModel&&) noexcept = default;
FraudModel& FraudModel::operator=(FraudModel&&) noexcept = default;
FraudModel::~FraudModel() = default;

Result<FraudModel> FraudModel::Train(const FeatureMatrix& features,
                                     const TrainingOptions& options) {
  std::vector<std::vector<float>> rows;
  std::vector<float> labels;
  for (size_t i = 0; i < features.rows.size(); ++i) {
    if (features.labels[i] < 0) continue;
    rows.push_back(features.rows[i]);
    labels.push_back(features.labels[i]);
  }
  size_t positives = static_cast<size_t>(std::count(labels.begin(), labels.end(), 1.0f));
  if (positives == 0 || positives == labels.size()) {
    return Error::InvalidArgument("", "no-labels",
                                  "training needs labelled rows of both classes (" +
                                      std::to_string(labels.size()) + " labelled, " +
                                      std::to_string(positives) + " fraud)");
  }
  CW_ASSIGN_OR_RETURN(MatrixPtr matrix, MakeMatrix(rows));
  CW_RETURN_IF_ERROR(
      Check(XGDMatrixSetFloatInfo(matrix.get(), "label", labels.data(), labels.size()),
            "XGDMatrixSetFloatInfo"));
  DMatrixHandle train[] = {matrix.get()};
  BoosterHandle raw = nullptr;
  CW_RETURN_IF_ERROR(Check(XGBoosterCreate(train, 1, &raw), "XGBoosterCreate"));
  BoosterPtr booster(raw);
  const std::pair<const char*, std::string> params[] = {
      {"objective", "binary:logistic"},
      {"tree_method", "hist"},
      {"verbosity", "0"},
      {"eta", std::to_string(options.learning_rate)},
      {"max_depth", std::to_string(options.max_depth)},
      {"subsample", std::to_string(options.subsample)},
      {"colsample_bytree", std::to_string(options.colsample_bytree)},
      {"min_child_weight", std::to_string(options.min_child_weight)},
      {"nthread", std::to_string(std::clamp(options.threads, 1, 2))},
      {"seed", std::to_string(options.seed)},
  };
  for (const auto& [name, value] : params) {
    CW_RETURN_IF_ERROR(Check(XGBoosterSetParam(booster.get(), name, value.c_str()), name));
  }
  for (int iter = 0; iter < options.rounds; ++iter) {
    CW_RETURN_IF_ERROR(
        Check(XGBoosterUpdateOneIter(booster.get(), iter, matrix.get()), "XGBoosterUpdateOneIter"));
  }
  CW_ASSIGN_OR_RETURN(std::string bytes, SaveBytes(booster.get()));
  // Scoring is one declaration at a time: a second thread only adds contention.
  CW_RETURN_IF_ERROR(Check(XGBoosterSetParam(booster.get(), "nthread", "1"), "nthread"));
  auto holder = std::make_unique<Booster>(std::move(booster));
  return FraudModel(std::move(holder), std::move(bytes));
}

Result<FraudModel> FraudModel::FromBytes(std::string bytes) {
  BoosterHandle raw = nullptr;
  CW_RETURN_IF_ERROR(Check(XGBoosterCreate(nullptr, 0, &raw), "XGBoosterCreate"));
  BoosterPtr booster(raw);
  if (XGBoosterLoadModelFromBuffer(booster.get(), bytes.data(), bytes.size()) != 0) {
    return Error::DataLoss("bad-model", std::string("not a model: ") + XGBGetLastError());
  }
  bst_ulong features = 0;
  if (XGBoosterGetNumFeature(booster.get(), &features) != 0 || features != FeatureCount()) {
    return Error::DataLoss("bad-model", "the model expects " + std::to_string(features) +
                                            " features, this build makes " +
                                            std::to_string(FeatureCount()));
  }
  // Silence per-prediction warnings and keep to the shared machine's two cores.
  CW_RETURN_IF_ERROR(Check(XGBoosterSetParam(booster.get(), "verbosity", "0"), "verbosity"));
  CW_RETURN_IF_ERROR(Check(XGBoosterSetParam(booster.get(), "nthread", "1"), "nthread"));
  auto holder = std::make_unique<Booster>(std::move(booster));
  return FraudModel(std::move(holder), std::move(bytes));
}

Result<std::vector<double>> FraudModel::Predict(const std::vector<std::vector<float>>& rows) const {
  if (rows.empty()) return std::vector<double>();
  // In-place prediction over our own buffer (an __array_interface__ naming its address): no
  // DMatrix is built per call, which cost more than the 400 trees (a copy of the rows, and
  // XGBoost reading the cgroup CPU quota from /sys for every matrix it creates); the
  // calling thread's proxy (ThreadProxy) carries the array's shape.
  CW_ASSIGN_OR_RETURN(std::vector<float> dense, Dense(rows));
  CW_ASSIGN_OR_RETURN(void* proxy, ThreadProxy());
  const std::string interface =
      R"({"data": [)" + std::to_string(reinterpret_cast<uintptr_t>(dense.data())) +
      R"(, true], "shape": [)" + std::to_string(rows.size()) + ", " +
      std::to_string(FeatureCount()) + R"(], "typestr": "<f4", "version": 3})";
  static constexpr char kConfig[] =
      R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0,)"
      R"( "strict_shape": false, "missing": NaN, "cache_id": 0})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* out = nullptr;
  CW_RETURN_IF_ERROR(Check(XGBoosterPredictFromDense(booster_->handle.get(), interface.c_str(),
                                                     kConfig, proxy, &shape,
                                                     &dim, &out),
                           "XGBoosterPredictFromDense"));
  size_t total = 1;
  for (bst_ulong d = 0; d < dim; ++d) total *= shape[d];
  if (total != rows.size()) return Error::Internal("xgboost-failed", "unexpected prediction shape");
  return std::vector<double>(out, out + total);
}

Result<double> FraudModel::PredictOne(const std::vector<float>& row) const {
  CW_ASSIGN_OR_RETURN(std::vector<double> out, Predict({row}));
  return out.at(0);
}

Result<std::vector<Contribution>> FraudModel::TopContributions(const std::vector<float>& row,
                                                               size_t k,
                                                               ContributionMethod method) const {
  CW_ASSIGN_OR_RETURN(MatrixPtr matrix, MakeMatrix({row}));
  // Type 2 is exact TreeSHAP; type 3 the approximate (Saabas) path attribution, ~10x faster.
  int type = method == ContributionMethod::kExactShap ? 2 : 3;
  CW_ASSIGN_OR_RETURN(std::vector<float> out,
                      RunPredict(booster_->handle.get(), matrix.get(), type));
  const auto& names = FeatureBuilder::FeatureNames();
  if (out.size() != names.size() + 1) {
    return Error::Internal("xgboost-failed", "unexpected contribution shape");
  }
  std::vector<Contribution> all;
  for (size_t i = 0; i < names.size(); ++i) all.push_back({names[i], out[i]});  // last: bias
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return std::abs(a.log_odds) > std::abs(b.log_odds);
  });
  if (all.size() > k) all.resize(k);
  return all;
}

}  // namespace clearway::risk
