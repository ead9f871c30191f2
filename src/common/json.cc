#include "common/json.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

namespace clearway {

Result<boost::json::value> ParseJson(std::string_view text) { return ParseJson(text, {}); }

Result<boost::json::value> ParseJson(std::string_view text, boost::json::storage_ptr storage) {
  boost::json::parse_options options;
  options.max_depth = 64;
  // The parser's own stack starts in this buffer (no allocation for ordinary documents); the
  // value is built in `storage`.
  unsigned char temporary[4096];
  boost::json::stream_parser parser({}, options, temporary);
  parser.reset(std::move(storage));
  boost::system::error_code ec;
  size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    size_t offset = std::min(consumed, text.size());
    size_t line = 1, column = 1;
    for (size_t i = 0; i < offset; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return Error::InvalidArgument("", "malformed-json",
                                  "JSON is not well-formed at line " + std::to_string(line) +
                                      ", column " + std::to_string(column) + " (byte " +
                                      std::to_string(offset) + "): " + ec.message());
  }
  if (consumed != text.size()) {
    return Error::InvalidArgument("", "malformed-json",
                                  "unexpected data after the JSON value at byte " +
                                      std::to_string(consumed));
  }
  return parser.release();
}

namespace {

// The canonical writer appends straight to one string: no temporary boost::json::string per
// key and no std::string per scalar (they were most of its cost). Strings and doubles are
// written by Boost.JSON's own serializer (one per canonical form, reset for each), so their
// escaping and digits are exactly serialize()'s; integers are plain decimal (tests/common pins
// the bytes against the former serialize()-per-scalar form).
void WriteSerialized(boost::json::serializer& serializer, std::string& out) {
  char buffer[256];
  while (!serializer.done()) out += serializer.read(buffer, sizeof buffer);
}

void WriteString(std::string_view s, boost::json::serializer& serializer, std::string& out) {
  serializer.reset(boost::json::string_view(s.data(), s.size()));
  WriteSerialized(serializer, out);
}

template <class Integer>
void WriteInteger(Integer n, std::string& out) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, n);
  out.append(buffer, end);
}

// Objects of up to this many members sort their entries on the stack.
constexpr size_t kSmallObject = 32;

void WriteCanonical(const boost::json::value& v, boost::json::serializer& serializer,
                    std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      const auto& obj = v.get_object();
      std::array<const boost::json::key_value_pair*, kSmallObject> small;
      std::vector<const boost::json::key_value_pair*> large;
      const boost::json::key_value_pair** entries = small.data();
      if (obj.size() > kSmallObject) {
        large.resize(obj.size());
        entries = large.data();
      }
      size_t n = 0;
      for (const auto& kv : obj) entries[n++] = &kv;
      std::sort(entries, entries + n,
                [](const auto* a, const auto* b) { return a->key() < b->key(); });
      out += '{';
      for (size_t i = 0; i < n; ++i) {
        if (i != 0) out += ',';
        WriteString(entries[i]->key(), serializer, out);
        out += ':';
        WriteCanonical(entries[i]->value(), serializer, out);
      }
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        WriteCanonical(item, serializer, out);
      }
      out += ']';
      return;
    }
    case boost::json::kind::string:
      WriteString(v.get_string(), serializer, out);
      return;
    case boost::json::kind::int64:
      WriteInteger(v.get_int64(), out);
      return;
    case boost::json::kind::uint64:
      WriteInteger(v.get_uint64(), out);
      return;
    case boost::json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::null:
      out += "null";
      return;
    case boost::json::kind::double_:
      serializer.reset(&v);
      WriteSerialized(serializer, out);
      return;
  }
}
}  // namespace

std::string CanonicalJson(const boost::json::value& value) {
  std::string out;
  out.reserve(256);
  boost::json::serializer serializer;
  WriteCanonical(value, serializer, out);
  return out;
}

}  // namespace clearway
