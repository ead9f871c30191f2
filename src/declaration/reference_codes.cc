#include "declaration/reference_codes.h"

#include <algorithm>
#include <array>

#include "common/iso_codes.h"

namespace clearway::declaration {

namespace {

bool IsUpperAlnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllOf(std::string_view text, bool (*pred)(char)) {
  return std::all_of(text.begin(), text.end(), pred);
}

// EORI numbers and office codes of Northern Ireland use "XI" (Windsor Framework), which is not
// an ISO 3166-1 code.
bool IsCountryPrefix(std::string_view prefix) { return prefix == "XI" || IsCountryCode(prefix); }

// EU UCC Delegated/Implementing Acts, Annex B, data element 1/10 "Procedure": the codes that
// may stand as the requested procedure. The previous procedure may also be "00".
constexpr std::array<std::string_view, 27> kProcedures = {
    "01", "07", "10", "11", "21", "22", "23", "31", "40", "42", "43", "44", "45", "46",
    "48", "51", "53", "54", "61", "63", "68", "71", "76", "77", "78", "95", "96",
};

constexpr std::array<std::string_view, 11> kIncoterms = {
    "EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF",
};

// A small, common subset of UN/ECE Recommendation 20 (units of measure), including the
// supplementary units of the Combined Nomenclature.
constexpr std::array<std::string_view, 23> kUnits = {
    "KGM", "GRM", "TNE", "NAR", "NPR", "PR",  "C62", "LTR", "HLT", "MTQ", "MTR", "MTK",
    "KWH", "MWH", "DZN", "CEN", "MIL", "CTM", "LPA", "GFI", "KNS", "CCT", "KMT",
};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& list, std::string_view code) {
  return std::find(list.begin(), list.end(), code) != list.end();
}

// ISO 6346 Annex A: letters take the values 10..38 skipping the multiples of 11.
int ContainerLetterValue(char c) {
  int value = 10 + (c - 'A');
  value += (value - 1) / 10;  // 11, 22 and 33 are skipped
  return value;
}

}  // namespace

bool IsEori(std::string_view id) {
  if (id.size() < 3 || id.size() > 17) return false;
  return IsCountryPrefix(id.substr(0, 2)) && AllOf(id.substr(2), IsUpperAlnum);
}

bool IsOfficeCode(std::string_view code) {
  if (code.size() != 8) return false;
  return IsCountryPrefix(code.substr(0, 2)) && AllOf(code.substr(2), IsUpperAlnum);
}

bool IsProcedureCode(std::string_view code) {
  if (code.size() != 4 || !AllOf(code, IsDigit)) return false;
  std::string_view previous = code.substr(2);
  return Contains(kProcedures, code.substr(0, 2)) &&
         (previous == "00" || Contains(kProcedures, previous));
}

std::optional<ProcedureDirection> RequestedProcedureDirection(std::string_view code) {
  if (!IsProcedureCode(code)) return std::nullopt;
  std::string_view requested = code.substr(0, 2);
  if (requested == "01" || requested == "07" || requested == "95" || requested == "96") {
    return ProcedureDirection::kEither;
  }
  if (requested[0] >= '1' && requested[0] <= '3') return ProcedureDirection::kExport;
  return ProcedureDirection::kImport;
}

bool IsCommodityCode(std::string_view code) {
  if (code.size() != 6 && code.size() != 8 && code.size() != 10) return false;
  if (!AllOf(code, IsDigit)) return false;
  int chapter = (code[0] - '0') * 10 + (code[1] - '0');
  return chapter >= 1 && chapter <= 97 && chapter != 77;
}

std::optional<int> ContainerCheckDigit(std::string_view code) {
  if (code.size() < 10) return std::nullopt;
  if (!AllOf(code.substr(0, 3), IsUpper)) return std::nullopt;
  if (code[3] != 'U' && code[3] != 'J' && code[3] != 'Z') return std::nullopt;
  if (!AllOf(code.substr(4, 6), IsDigit)) return std::nullopt;
  int sum = 0;
  for (size_t pos = 0; pos < 10; ++pos) {
    char c = code[pos];
    int value = IsDigit(c) ? c - '0' : ContainerLetterValue(c);
    sum += value << pos;  // weight 2^pos
  }
  return sum % 11 % 10;  // a remainder of 10 is written as 0
}

bool IsContainerId(std::string_view code) {
  if (code.size() != 11 || !IsDigit(code[10])) return false;
  auto check = ContainerCheckDigit(code);
  return check.has_value() && *check == code[10] - '0';
}

bool IsIncoterm(std::string_view code) { return Contains(kIncoterms, code); }

bool IsTransportMode(int64_t mode) { return mode >= 1 && mode <= 9; }

bool IsUnitCode(std::string_view code) { return Contains(kUnits, code); }

bool IsDocumentCode(std::string_view code) {
  return code.size() == 4 && IsUpper(code[0]) && AllOf(code.substr(1), IsUpperAlnum);
}

}  // namespace clearway::declaration
