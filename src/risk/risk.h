// File: risk/risk.h
//
// The risk module: which declarations customs controls. It reads historical declarations
// through a column-mapping schema (dataset.h), computes features that use only the past
// (features.h), trains and evaluates an XGBoost fraud model on a time-ordered split
// (model.h, training.h, metrics.h), keeps models in a registry (registry.h), applies
// officer-written risk profiles (profiles.h), fills the green/blue/yellow/red lanes under each
// office's rates, capacity and random rate (lane.h, channels.h), decides one declaration with
// its reasons (engine.h) and takes inspection results back as labels (feedback.h).
// docs/risk.md describes the formats, the split and the measured figures.
//
//   auto records = risk::ReadCsvFile("train.csv", risk::KcsSchema());
//   auto split = risk::ChooseSplit(*records, 0.25);
//   auto trained = risk::TrainWithHoldout(*records, *split, {});
//   auto engine = risk::RiskEngine::Create(std::move(trained->model), profiles, config, *records);
//   auto assessment = (*engine)->Assess(declaration, clock.Now());
//
// Other modules include this header only.
#pragma once

#include "risk/channels.h"  // IWYU pragma: export
#include "risk/dataset.h"   // IWYU pragma: export
#include "risk/engine.h"    // IWYU pragma: export
#include "risk/features.h"  // IWYU pragma: export
#include "risk/feedback.h"  // IWYU pragma: export
#include "risk/lane.h"      // IWYU pragma: export
#include "risk/metrics.h"   // IWYU pragma: export
#include "risk/model.h"     // IWYU pragma: export
#include "risk/profiles.h"  // IWYU pragma: export
#include "risk/registry.h"  // IWYU pragma: export
#include "risk/training.h"  // IWYU pragma: export
