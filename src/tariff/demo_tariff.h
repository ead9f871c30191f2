// File: tariff/demo_tariff.h
//
// The small tariff `clearway demo` ships, written by the project itself (illustrative rates,
// not legal advice): measures on the demo declarations' commodity codes (app/samples.cc) that
// exercise every rule of the duty engine — a compound third-country duty, a tariff quota, GSP
// and FTA preferences with their proofs, a suspension needing an end-use document, anti-dumping
// by producer, excise, standard and reduced VAT, a restriction and a prohibition — with
// groups, a quota, exchange rates and nomenclature lines. docs/tariff.md lists it.
//
//   CW_ASSIGN_OR_RETURN(ImportReport report, SeedDemoTariff(store, clock.Now()));
//
// Thread safety: pure, apart from the store write.
#pragma once

#include <string>

#include "common/result.h"
#include "tariff/tariff_store.h"

namespace clearway::tariff {

// The id of the demo tariff's update file.
inline constexpr std::string_view kDemoTariffFileId = "clearway-demo-tariff-1";

// DemoTariffUpdateJson() is the demo tariff as an update file (docs/tariff.md format).
std::string DemoTariffUpdateJson();

// SeedDemoTariff() applies it; idempotent (a second call reports already_imported).
Result<ImportReport> SeedDemoTariff(TariffStore& store, Timestamp now);

}  // namespace clearway::tariff
