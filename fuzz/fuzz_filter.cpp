// Fuzzes the event filter: FilterCriteria::compile on patterns, then matches on a record.
// Input: lines; every line but the last is a pattern and the last is the record (a single
// line is both). Properties: compiling and matching are deterministic, whatever the record's
// padding holds; try_match agrees with matches; patterns are ORed (for valid records);
// trailing whitespace in a record changes nothing; a record that is not a valid JSON object
// (by the RFC 8259 grammar of json_grammar.hpp) matches nothing.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "json_grammar.hpp"
#include "nanofaas/filter.hpp"

namespace {

using nanofaas::Errc;
using nanofaas::FilterCriteria;

std::vector<std::string_view> split_lines(std::string_view input) {
  std::vector<std::string_view> lines;
  for (;;) {
    const std::size_t end = input.find('\n');
    lines.push_back(input.substr(0, end));
    if (end == std::string_view::npos) return lines;
    input.remove_prefix(end + 1);
  }
}

// Matches `record` in place in a buffer whose padding holds JSON-looking junk rather than the
// zeros a Payload has: a record's spare capacity is not initialised.
bool matches_with_junk_padding(const FilterCriteria& filter, std::string_view record) {
  std::string buffer(record);
  buffer.append(FilterCriteria::record_padding, '"');
  buffer[record.size() + 1] = '}';
  return filter.matches(std::string_view(buffer.data(), record.size()), buffer.size());
}

void check_compile_failure(const nanofaas::Error& error, const nanofaas::Error& again) {
  NANOFAAS_FUZZ_CHECK(error.code == Errc::invalid_argument, "a bad pattern is invalid_argument");
  NANOFAAS_FUZZ_CHECK(!error.message.empty(), "a compile error says why");
  NANOFAAS_FUZZ_CHECK(error.message == again.message, "compiling twice fails alike");
}

void check_match(const FilterCriteria& filter, const FilterCriteria& twin,
                 std::span<const std::string_view> patterns, std::string_view record) {
  const bool matched = filter.matches(record);
  NANOFAAS_FUZZ_CHECK(filter.matches(record) == matched, "matching twice agrees");
  NANOFAAS_FUZZ_CHECK(twin.matches(record) == matched, "a second compile matches alike");
  NANOFAAS_FUZZ_CHECK(matches_with_junk_padding(filter, record) == matched,
                      "matching in place ignores the padding's bytes");
  const auto tried = filter.try_match(record);
  if (tried) {
    NANOFAAS_FUZZ_CHECK(*tried == matched, "try_match agrees with matches");
  } else {
    NANOFAAS_FUZZ_CHECK(!matched, "a record try_match refuses matches nothing");
    NANOFAAS_FUZZ_CHECK(
        tried.error().code == Errc::invalid_argument && !tried.error().message.empty(),
        "try_match says why it refuses a record");
  }
  std::string spaced(record);
  spaced += " \n\t\r";
  NANOFAAS_FUZZ_CHECK(filter.matches(spaced) == matched, "trailing whitespace changes nothing");
  if (patterns.size() > 1) {
    bool any = false;
    for (const std::string_view pattern : patterns) {
      auto single = FilterCriteria::compile({pattern});
      NANOFAAS_FUZZ_CHECK(single.has_value(), "each pattern of a compiled set compiles alone");
      any = any || single->matches(record);
    }
    NANOFAAS_FUZZ_CHECK(any == matched, "a set matches when any of its patterns does");
  }
  if (matched) {
    NANOFAAS_FUZZ_CHECK(nanofaas::fuzz::JsonGrammar::is_object(record),
                        "a record that is not a valid JSON object matches nothing");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string_view> lines = split_lines(input);
  const std::string_view record = lines.back();
  const std::span<const std::string_view> patterns(lines.data(),
                                                   lines.size() == 1 ? 1 : lines.size() - 1);

  auto filter = FilterCriteria::compile(patterns);
  auto twin = FilterCriteria::compile(patterns);
  NANOFAAS_FUZZ_CHECK(filter.has_value() == twin.has_value(), "compiling twice agrees");
  if (!filter) {
    check_compile_failure(filter.error(), twin.error());
    return 0;
  }
  NANOFAAS_FUZZ_CHECK(filter->pattern_count() == patterns.size(), "every pattern is counted");
  check_match(*filter, *twin, patterns, record);
  return 0;
}
