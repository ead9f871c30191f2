// File: declaration/reference_codes.h
//
// The code lists and identifier formats a customs declaration refers to, each as a pure
// predicate: EORI numbers, customs office codes, Customs Procedure Codes, HS/CN/TARIC commodity
// codes, ISO 6346 container numbers (check digit verified), Incoterms 2020, UN/ECE Rec 19
// transport modes, UN/ECE Rec 20 units and document codes. Lookups are case-sensitive (codes
// are upper case) and thread-safe (the tables are immutable).
//
//   IsContainerId("MSCU1234566");   // true: check digit 6 is right
//   IsCommodityCode("0202300010");  // true: 10 digits, chapter 02
//   IsEori("DE123456789012345");    // true
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace clearway::declaration {

// IsEori() is true for an EORI-style trader id: an ISO 3166-1 alpha-2 code (or "XI", the
// Northern Ireland prefix) followed by 1 to 15 upper-case letters or digits.
bool IsEori(std::string_view id);

// IsOfficeCode() is true for an EU customs office reference number (COL style): an ISO country
// code (or "XI") followed by exactly 6 upper-case letters or digits, such as "DE004700".
bool IsOfficeCode(std::string_view code);

// IsProcedureCode() is true for a 4-digit Customs Procedure Code: a requested procedure and a
// previous procedure ("00" for none), each from the EU UCC Annex B list for data element 1/10
// (e.g. "4000" release for free circulation, "1000" permanent export).
bool IsProcedureCode(std::string_view code);

// ProcedureDirection tells which kind of declaration a requested procedure belongs to.
enum class ProcedureDirection { kImport, kExport, kEither };

// RequestedProcedureDirection() gives the direction of the requested procedure (first two
// digits) of a valid code: 1x, 2x, 3x are export procedures; 4x to 7x import procedures; 01, 07,
// 95, 96 are used either way. nullopt when `code` is not a valid procedure code.
std::optional<ProcedureDirection> RequestedProcedureDirection(std::string_view code);

// IsCommodityCode() is true for 6 (HS subheading), 8 (CN) or 10 (TARIC) digits whose first two
// digits are an HS chapter 01..97 other than the reserved 77.
bool IsCommodityCode(std::string_view code);

// ContainerCheckDigit() computes the ISO 6346 check digit of the first 10 characters of a
// container number (owner code of 3 letters, category U, J or Z, 6-digit serial). nullopt when
// those characters are not in that form.
std::optional<int> ContainerCheckDigit(std::string_view code);

// IsContainerId() is true for an 11-character ISO 6346 container number whose last digit is
// the right check digit.
bool IsContainerId(std::string_view code);

// IsIncoterm() is true for an Incoterms 2020 rule: EXW FCA CPT CIP DAP DPU DDP FAS FOB CFR CIF.
bool IsIncoterm(std::string_view code);

// IsTransportMode() is true for a UN/ECE Recommendation 19 mode 1..9 (1 sea, 2 rail, 3 road,
// 4 air, 5 post, 6 multimodal, 7 fixed installation, 8 inland waterway, 9 own propulsion).
bool IsTransportMode(int64_t mode);

// IsUnitCode() is true for one of the common UN/ECE Recommendation 20 unit codes Clearway
// accepts (KGM, GRM, TNE, NAR, NPR, PR, C62, LTR, HLT, MTQ, MTR, MTK, KWH, ...).
bool IsUnitCode(std::string_view code);

// IsDocumentCode() is true for a 4-character certificate/document code in the EU TARIC form: an
// upper-case letter then 3 upper-case letters or digits ("U004", "N954", "Y900", "C400").
bool IsDocumentCode(std::string_view code);

}  // namespace clearway::declaration
