// The words of a nomenclature search (tariff/internal/measure_columns.h).
#include <cctype>

#include "tariff/internal/measure_columns.h"

namespace clearway::tariff::internal {

std::vector<std::string> SearchWords(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) {
      word += c;
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

}  // namespace clearway::tariff::internal
