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
// key and no std::string per scalar (they were most of its cost). Strings are escaped exactly
// as boost::json::serialize escapes them (" \\ and the control characters, \b \f \n \r \t
// short, the rest as \u00xx with lower-case hex; everything else, UTF-8 included, verbatim),
// integers are plain decimal, and doubles are written by Boost.JSON's own serializer, so the
// bytes are those of the former serialize()-per-scalar form (tests/common pins them).
constexpr char kHex[] = "0123456789abcdef";

void WriteString(std::string_view s, std::string& out) {
  out += '"';
  size_t run = 0;  // start of the current stretch that needs no escape
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    out += '\\';
    switch (c) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '\b': out += 'b'; break;
      case '\f': out += 'f'; break;
      case '\n': out += 'n'; break;
      case '\r': out += 'r'; break;
      case '\t': out += 't'; break;
      default:
        out += "u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

template <class Integer>
void WriteInteger(Integer n, std::string& out) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, n);
  out.append(buffer, end);
}

// Objects of up to this many members sort their entries on the stack.
constexpr size_t kSmallObject = 32;

void WriteCanonical(const boost::json::value& v, std::string& out) {
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
        WriteString(entries[i]->key(), out);
        out += ':';
        WriteCanonical(entries[i]->value(), out);
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
        WriteCanonical(item, out);
      }
      out += ']';
      return;
    }
    case boost::json::kind::string:
      WriteString(v.get_string(), out);
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
    case boost::json::kind::double_: {
      boost::json::serializer serializer;
      serializer.reset(&v);
      char buffer[64];  // a double takes at most 26 characters
      while (!serializer.done()) out += serializer.read(buffer, sizeof buffer);
      return;
    }
  }
}
}  // namespace

std::string CanonicalJson(const boost::json::value& value) {
  std::string out;
  out.reserve(256);
  WriteCanonical(value, out);
  return out;
}

}  // namespace clearway
