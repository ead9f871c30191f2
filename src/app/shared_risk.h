// File: app/shared_risk.h
//
// The risk profiles of every node sharing a PostgreSQL store (docs/store-postgres.md): a
// ProfileBackend (app/profile_store.h) keeping the profile document in a row of the store's
// database (risk_profile_documents, its own version table risk_schema_migrations), so that an
// analyst's change on one node is seen by all. A save is one conditional UPDATE on the
// document's generation (compare-and-set): of two nodes saving over the same generation, one
// wins and the other reloads and makes its change again.
//
//   CW_ASSIGN_OR_RETURN(auto backend, OpenPostgresProfileBackend(url, "clearway-risk"));
//   CW_ASSIGN_OR_RETURN(auto profiles, ProfileStore::Open(std::move(backend)));
//
// Errors: kUnavailable "profile-store-failed" when the database cannot be reached, read or
// written (never with the URL's password); kFailedPrecondition "schema-too-new".
// The model registry likewise (OpenPostgresModelRegistry()): models are rows, and promotion
// is one conditional UPDATE of the current-model pointer's generation.
// Thread safety: the backends are thread-safe (a small pool of connections each).
#pragma once

#include <memory>
#include <string>

#include "app/inspection_log.h"
#include "app/model_registry.h"
#include "app/profile_store.h"
#include "common/result.h"
#include "store/postgres/sqlite_import.h"

namespace clearway::app {

// OpenPostgresProfileBackend() connects to `url` and migrates the risk tables.
Result<std::unique_ptr<ProfileBackend>> OpenPostgresProfileBackend(
    const std::string& url, const std::string& application_name);

// OpenPostgresModelRegistry() connects to `url`, migrates the risk tables and gives the model
// registry every node shares (app/model_registry.h): risk_models (id, model bytes, meta.json)
// and risk_current_model (the promoted id and its generation). Promote() takes a model id.
// Errors: kUnavailable "model-store-failed"; kFailedPrecondition "schema-too-new".
Result<std::unique_ptr<ModelRegistry>> OpenPostgresModelRegistry(
    const std::string& url, const std::string& application_name);

// CopyProfilesToPostgres() stores the profile file at `path` (DATA_DIR/risk/profiles.json,
// checked to read as profiles first) as the shared document, inside the store copy's
// transaction (store/postgres/sqlite_import.h, CopyStep), and adds the row to `report`. The
// risk tables must exist (OpenPostgresProfileBackend() first). Errors: "bad-profile-store";
// kFailedPrecondition "target-not-empty" (the database holds profiles); "profile-store-failed".
Status CopyProfilesToPostgres(const std::string& path,
                              store::postgres::internal::PgConnection& target,
                              store::postgres::CopyReport& report);

// CopyModelsToPostgres() stores every model of the registry directory `dir` (DATA_DIR/models,
// each loaded and so re-hashed first) and its CURRENT promotion in the shared registry, inside
// the store copy's transaction, and adds the rows to `report`. The risk tables must exist.
// Errors: those of risk::LoadModel() ("model-tampered", "bad-model", "bad-metadata");
// kFailedPrecondition "target-not-empty" (the database holds models); "model-store-failed".
Status CopyModelsToPostgres(const std::string& dir,
                            store::postgres::internal::PgConnection& target,
                            store::postgres::CopyReport& report);

// OpenPostgresInspectionLog() connects to `url`, migrates the risk tables and gives the
// inspection results every node shares (app/inspection_log.h): risk_inspections, numbered in
// commit order. Errors: kUnavailable "model-store-failed"; kFailedPrecondition "schema-too-new".
Result<std::unique_ptr<InspectionLog>> OpenPostgresInspectionLog(
    const std::string& url, const std::string& application_name);

// CopyInspectionsToPostgres() stores the results of DATA_DIR/risk/inspections.csv at `path`
// (read as results first), numbered in file order, inside the store copy's transaction.
// Errors: those of risk::ParseInspectionResults(); kFailedPrecondition "target-not-empty";
// "model-store-failed".
Status CopyInspectionsToPostgres(const std::string& path,
                                 store::postgres::internal::PgConnection& target,
                                 store::postgres::CopyReport& report);

}  // namespace clearway::app
