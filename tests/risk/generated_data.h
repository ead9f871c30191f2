// File: risk/generated_data.h (tests)
//
// A small generated declaration set with a planted fraud pattern, for the risk tests: 40
// importers of which 5 ("BADxx") cheat on 70 % of their declarations, and knitted garments
// (HS 6109) from origin "XX" declared far below their usual price per kg cheat on 80 %; all
// other lines cheat on 4 %. Deterministic for a given seed.
#pragma once

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "risk/dataset.h"

namespace clearway::risk::testing {

inline std::vector<DeclarationRecord> GeneratePlantedData(size_t rows, uint64_t seed,
                                                          int days = 120) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  const std::vector<std::string> hs = {"610910", "847130", "030389", "940350", "392690"};
  const std::vector<double> price_per_kg = {20, 300, 8, 12, 5};
  const std::vector<std::string> origins = {"CN", "VN", "DE", "XX"};
  std::vector<DeclarationRecord> out;
  out.reserve(rows);
  Date start = std::chrono::year{2024} / 1 / 1;
  for (size_t i = 0; i < rows; ++i) {
    DeclarationRecord r;
    r.id = "G" + std::to_string(100000 + i);
    auto day = static_cast<int>(static_cast<double>(i) * days / static_cast<double>(rows));
    r.date = std::chrono::sys_days(start) + std::chrono::days(day);
    size_t importer = static_cast<size_t>(u(rng) * 40);
    bool bad_importer = importer < 5;
    r.importer = (bad_importer ? "BAD" : "IMP") + std::to_string(importer);
    r.declarant = "D" + std::to_string(static_cast<int>(u(rng) * 10));
    r.seller = "S" + std::to_string(static_cast<int>(u(rng) * 30));
    r.office = std::to_string(10 + static_cast<int>(u(rng) * 3));
    r.procedure = "B";
    size_t h = static_cast<size_t>(u(rng) * static_cast<double>(hs.size()));
    r.hs6 = hs[h];
    r.origin = origins[static_cast<size_t>(u(rng) * static_cast<double>(origins.size()))];
    r.departure = r.origin;
    r.tax_type = "A";
    r.tax_rate_percent = 8;
    r.net_mass_kg = std::round(10 + u(rng) * 990);
    bool undervalued = r.hs6 == "610910" && r.origin == "XX" && u(rng) < 0.5;
    double unit = price_per_kg[h] * std::exp(0.2 * (u(rng) - 0.5)) * (undervalued ? 0.1 : 1.0);
    r.item_price = std::round(r.net_mass_kg * unit * 100) / 100;
    r.duty = r.item_price * r.tax_rate_percent / 100;
    double p = bad_importer ? 0.7 : (undervalued ? 0.8 : 0.04);
    r.fraud = u(rng) < p;
    r.critical = *r.fraud ? 1 : 0;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace clearway::risk::testing
