// File: tariff/tariff.h
//
// The tariff module: the nomenclature, legal measures with bitemporal history, exchange rates,
// tariff quotas, and the duty engine that quotes and explains what a declaration owes. It knows
// no SQL and no HTTP: persistence is the TariffStore interface (SQLite in tariff/sqlite/).
// Include this header, or the narrower one you need:
//
//   tariff/decimal.h          exact fixed-point rates, rounding half away from zero
//   tariff/duty_expression.h  "12.8 % + 176.8 EUR / 100 kg MAX 18.9 %": parse and evaluate
//   tariff/measure.h          measures, nomenclature nodes, groups, quotas, exchange rates
//   tariff/update_file.h      the daily update file (JSON), parsed and checked
//   tariff/real_data.h        the HS CSV and the UK Global Tariff CSV
//   tariff/tariff_store.h     TariffStore, the persistence interface
//   tariff/lookup.h           FindMeasures(code, origin, date, as_of)
//   tariff/duty_engine.h      DutyEngine::Quote(declaration)
//   tariff/tariff_json.h      JSON forms of measures, changes, hits and quotes
//   tariff/demo_tariff.h      the demo's own small tariff
//
//   auto store = tariff::sqlite::SqliteTariffStore::Open(data_dir + "/tariff.db");
//   tariff::DutyEngine engine(**store, clock);
//   auto quote = engine.Quote(declaration);            // per item: measures, arithmetic
//
// docs/tariff.md explains the rules, the update file format and the figures.
#pragma once

#include "tariff/decimal.h"
#include "tariff/demo_tariff.h"
#include "tariff/duty_engine.h"
#include "tariff/duty_expression.h"
#include "tariff/lookup.h"
#include "tariff/measure.h"
#include "tariff/real_data.h"
#include "tariff/tariff_json.h"
#include "tariff/tariff_store.h"
#include "tariff/update_file.h"
